"""A second classifier over the same examples: which answer a message wants, by its words.

The intent classifier and the answer selector (DIET) learn from about forty
examples per answer; on questions worded unlike those examples they often
choose wrongly, or spread their confidence so thinly that the honest "I can't
answer that one" is all that is left. A plain linear model (logistic regression
over TF-IDF of words, word pairs and character 2-5-grams, every class weighted
equally) generalises better from so few examples: on the development sets its
first choice was right for 96 % of the content questions, DIET's for 90 %. The
answer guard (answer_guard.py) weighs the two together.

Fitting takes seconds, so it happens when the model is trained and the fitted
classifier is stored in the model (joblib, like Rasa's own scikit-learn
classifier); loading it takes milliseconds and predicting about 1.5 ms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Sequence

import joblib
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

# Inverse regularisation strength: the examples are few and clean, so the model
# may follow them closely (chosen on the development sets, with answer_guard's
# weights and threshold).
REGULARISATION_C = 200.0


class LexicalClassifier:
    def __init__(self) -> None:
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"[a-z0-9']{2,}"
        )
        self._characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
        )
        self._model = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")

    def _features(self, texts: Sequence[str], fit: bool = False) -> scipy.sparse.csr_matrix:
        texts = [text.lower() for text in texts]
        if fit:
            parts = [self._words.fit_transform(texts), self._characters.fit_transform(texts)]
        else:
            parts = [self._words.transform(texts), self._characters.transform(texts)]
        return scipy.sparse.hstack(parts).tocsr()

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str]) -> LexicalClassifier:
        classifier = cls()
        classifier._model.fit(classifier._features(texts, fit=True), list(labels))
        return classifier

    def probabilities(self, text: str) -> Dict[str, float]:
        """Each label's probability for the message (they sum to 1)."""
        row = self._model.predict_proba(self._features([text]))[0]
        return {str(label): float(p) for label, p in zip(self._model.classes_, row, strict=True)}

    def save(self, path: Path) -> None:
        joblib.dump(self, path)

    @staticmethod
    def load(path: Path) -> LexicalClassifier:
        classifier = joblib.load(path)
        if not isinstance(classifier, LexicalClassifier):
            raise ValueError(f"{path} holds no LexicalClassifier")
        return classifier
