"""Which training examples a message is most like: a second opinion on the answer.

The answer selector and the intent classifier are neural networks trained on
the examples; this is a plain lexical one over the same examples (TF-IDF of
character 3-5-grams and of words and word pairs, cosine similarity). Where the
two disagree about which answer a question wants, the answer guard gives the
honest "I can't answer that one" unless the classifier is very sure.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

NEIGHBOURS = 5


class NearestExamples:
    def __init__(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self._characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
        )
        self._words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"[a-z]{2,}"
        )
        texts = [text.lower() for text in texts]
        self._matrix = normalize(
            scipy.sparse.hstack(
                [self._characters.fit_transform(texts), self._words.fit_transform(texts)]
            ).tocsr()
        )

    def _vector(self, text: str) -> scipy.sparse.csr_matrix:
        text = text.lower()
        return normalize(
            scipy.sparse.hstack(
                [self._characters.transform([text]), self._words.transform([text])]
            ).tocsr()
        )

    def ranked(self, text: str) -> List[Tuple[str, float]]:
        """The labels of the nearest examples, most similar first (each label once)."""
        similarities = (self._matrix @ self._vector(text).T).toarray().ravel()
        ranked: List[Tuple[str, float]] = []
        for index in np.argsort(-similarities)[:NEIGHBOURS]:
            if self.labels[index] not in (label for label, _ in ranked):
                ranked.append((self.labels[index], float(similarities[index])))
        return ranked

    def label(self, text: str) -> str:
        """The label of the most similar example ("" when there are no examples)."""
        ranked = self.ranked(text) if self.labels else []
        return ranked[0][0] if ranked else ""
