"""Rasa NLU component: an answer from the content only when it fits the question.

The response selector always ranks some answer first, even for a question no
answer covers ("do you have parking?" may come out as the price) or one from
another world ("what to wear to a wedding" as what to wear to the clinic). A
confidently wrong answer is worse than none, so:

- a `faq` prediction whose selected answer has less than `response_threshold`
  confidence, or an injury/condition question classified with less than
  `answer_intent_threshold`, becomes `unanswerable_question`: the honest "I
  can't answer that one, the team can", with the offer to pass the question on;
- a content answer for a message whose words
  are mostly unknown to the assistant's own training data ("best etf for
  beginners", "uber referral code") becomes `out_of_scope`. The known words are learnt at
  training time from every example except the out-of-scope ones, the answers
  and the clinic's vocabulary; a longer word one or two typing slips away from
  a known word counts as known, and so do two known words run together.

- a content answer that the question's nearest training examples
  (nearest_examples.py, a lexical second opinion) do not point to becomes
  `unanswerable_question` too, unless the classifier is at least
  `agreement_bypass` sure: two different methods must agree on the answer.

When the guard turns an answer into `unanswerable_question`, it keeps up to two
FAQ answers the question may have meant (the classifier's choice and the
nearest examples') as `answer_suggestions`: the honest reply offers them as
questions to tap (actions/dont_know.py), never as an answer.

The thresholds are chosen on the development sets (tests/answers/dev*.yml and
tests/nlu/heldout*.yml, `python -m measure.answers tune`), never on the
end-to-end test set (tests/nlu/answers_heldout.yml).
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, FrozenSet, Iterable, List, Sequence, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_assistant.nlp.pipeline import load_vocabulary
from clinic_assistant.nlp.typos import edit_distance
from clinic_assistant.rasa.content_answers import (
    ANSWER_INTENTS,
    CONTENT_INTENTS,
    GUARD_DEFAULTS,
    RETRIEVAL_INTENT,
    SUGGESTIONS,
    selected_answer_confidence,
)
from clinic_assistant.rasa.intent_override import replace_intent
from clinic_assistant.rasa.nearest_examples import NearestExamples

UNANSWERABLE_INTENT = "unanswerable_question"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Intents the classifier sometimes gives to words it has never seen.
GIBBERISH_PRONE = frozenset({"stop_screening", "greet", "goodbye", "bot_challenge"})
# Words that say nothing about the topic.
FUNCTION_WORDS = frozenset(
    """the a an and or but if of in on at to for from by with about into after before over
    under again then than so too very just also not no yes is are was were be been being am
    do does did doing have has had having can could will would should may might must shall
    i me my mine you your yours he him his she her it its we us our they them their this
    that these those there here what which who whom whose when where why how all any both
    each few more most other some such only own same up down out off once get got gets
    getting go going goes went make makes made let lets need needs please pls plz thanks
    thank hi hey hello ok okay im ive id dont doesnt didnt cant wont isnt arent wasnt whats
    thats theres lol haha quick q really actually just like anyone someone something
    anything thing things way much many lot lots good best better bad new old one two
    three first next last know think want wanted tell say said give got take""".split()
)
MAX_SUGGESTIONS = 2
FILE_NAME = "known_words.json"
EXAMPLES_FILE = "examples.json"
_WORD = re.compile(r"[a-z]+")


def answer_key(example: Message) -> str:
    """An example's answer: "faq/cost" for the FAQ, else its intent."""
    intent = example.get(INTENT) or ""
    return example.get(INTENT_RESPONSE_KEY) or intent


def chosen_answer(message: Message) -> str:
    """The answer the classifiers chose for a parsed message, named like answer_key()."""
    intent = (message.get(INTENT) or {}).get("name") or ""
    if intent != RETRIEVAL_INTENT:
        return intent
    selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    return (selector.get("response") or {}).get("intent_response_key") or intent


def is_content_answer(key: str) -> bool:
    return key in ANSWER_INTENTS or key.startswith(f"{RETRIEVAL_INTENT}/")


def words_of(text: str) -> List[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in FUNCTION_WORDS]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class AnswerGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return dict(GUARD_DEFAULTS)

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        known_words: Iterable[str] = (),
        examples: Sequence[Tuple[str, str]] = (),
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.response_threshold = float(self.config["response_threshold"])
        self.answer_intent_threshold = float(self.config["answer_intent_threshold"])
        self.unknown_share_out_of_scope = float(self.config["unknown_share_out_of_scope"])
        self.agreement_bypass = float(self.config["agreement_bypass"])
        self.examples = list(examples)
        self.nearest = (
            NearestExamples([text for text, _ in self.examples], [key for _, key in self.examples])
            if self.examples
            else None
        )
        self._model_storage = model_storage
        self._resource = resource
        self.known: FrozenSet[str] = frozenset(known_words)
        self._by_letter: Dict[str, List[str]] = {}
        for word in self.known:
            self._by_letter.setdefault(word[0], []).append(word)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AnswerGuard:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [
            example.get(TEXT) or ""
            for example in training_data.intent_examples
            if example.get(INTENT) != OUT_OF_SCOPE_INTENT
        ]
        for variations in training_data.responses.values():
            texts += [variation.get("text") or "" for variation in variations]
        for entries in load_vocabulary().values():
            texts += [phrase for phrases in entries.values() for phrase in phrases]
        known = sorted({word for text in texts for word in words_of(text)})
        examples = [
            (example.get(TEXT) or "", answer_key(example))
            for example in training_data.intent_examples
        ]
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FILE_NAME).write_text(json.dumps(known), encoding="utf-8")
            (directory / EXAMPLES_FILE).write_text(json.dumps(examples), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AnswerGuard:
        try:
            with model_storage.read_from(resource) as directory:
                known = json.loads((directory / FILE_NAME).read_text(encoding="utf-8"))
                examples = json.loads((directory / EXAMPLES_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            known, examples = [], []
        return cls(config, model_storage, resource, known, [tuple(e) for e in examples])

    def is_known(self, word: str) -> bool:
        if word in self.known:
            return True
        if self._is_compound(word):  # "overtraining", "triggerpoints"
            return True
        if len(word) <= 5:
            return False  # a short word one letter off is usually another word ("code", "cold")
        limit = 1 if len(word) <= 8 else 2
        return any(
            abs(len(known) - len(word)) <= limit and edit_distance(word, known, limit) <= limit
            for known in self._by_letter.get(word[0], ())
        )

    def _is_compound(self, word: str) -> bool:
        """Two known words run together (the first may be a small word like "over")."""
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            if (head in self.known or head in FUNCTION_WORDS) and tail in self.known:
                return True
        return False

    def unknown_share(self, text: str) -> float:
        words = words_of(text)
        if not words or not self.known:
            return 0.0
        return sum(1 for w in words if not self.is_known(w)) / len(words)

    def verdict(self, message: Message) -> str | None:
        """The intent the message should have instead, or None to keep it."""
        predicted = message.get(INTENT) or {}
        intent = predicted.get("name")
        text = message.get(TEXT) or ""
        if intent in GIBBERISH_PRONE and len(words_of(text)) >= 2:
            # "purple elephant" is not a request to cancel
            return OUT_OF_SCOPE_INTENT if self.unknown_share(text) >= 1.0 else None
        if intent not in CONTENT_INTENTS:
            return None
        share = self.unknown_share(text)
        if share >= self.unknown_share_out_of_scope:
            return OUT_OF_SCOPE_INTENT
        if intent == RETRIEVAL_INTENT:
            confidence = selected_answer_confidence(message) or 0.0
            unsure = confidence < self.response_threshold
        else:
            confidence = predicted.get("confidence") or 0.0
            unsure = confidence < self.answer_intent_threshold
        if not unsure and self.nearest and confidence < self.agreement_bypass:
            unsure = self.nearest.label(text) != chosen_answer(message)
        return UNANSWERABLE_INTENT if unsure else None

    def suggestions(self, message: Message) -> List[str]:
        """The FAQ answers an unsure question may have meant, likeliest first; none
        when its nearest training examples are questions no answer covers or
        unrelated ones ("how to thread a sewing needle")."""
        nearest = self.nearest.ranked(message.get(TEXT) or "") if self.nearest else []
        if not nearest or not is_content_answer(nearest[0][0]):
            return []
        candidates = [chosen_answer(message), *(label for label, _ in nearest)]
        selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
        candidates += [r.get("intent_response_key") or "" for r in selector.get("ranking") or []]
        faq_answers = [c for c in candidates if c.startswith(f"{RETRIEVAL_INTENT}/")]
        return list(dict.fromkeys(faq_answers))[:MAX_SUGGESTIONS]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(TEXT) or "").startswith("/"):
                continue
            replacement = self.verdict(message)
            if replacement is None:
                continue
            if replacement == UNANSWERABLE_INTENT:
                message.set(SUGGESTIONS, self.suggestions(message), add_to_output=True)
            replace_intent(message, replacement)
        return messages
