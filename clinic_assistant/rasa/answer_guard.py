"""Rasa NLU component: an answer from the content only when it fits the question.

The response selector always ranks some answer first, even for a question no
answer covers ("do you have parking?" may come out as the price) or one from
another world ("what to wear to a wedding" as what to wear to the clinic), and
on questions worded unlike its examples it often chooses wrongly or not at all.
A confidently wrong answer is worse than none, so the guard weighs two
different classifiers of the same examples together: the neural ones (the
intent classifier and the answer selector) with `classifier_weight`, and a
lexical one (lexical_classifier.py) with the rest.

- When the intent classifier chose an answer from the content, said that no
  answer covers the question, or was unsure (out of scope, the fallback), the
  combined first choice is answered if it is a content answer with at least
  `answer_threshold` combined confidence; it may be another answer than the
  selector's, or an answer where the intent classifier saw none.
- Otherwise a content prediction becomes `unanswerable_question`: the honest
  "I can't answer that one, the team can", with the offer to pass the question
  on and up to two answers the question may have meant (`answer_suggestions`,
  offered as questions to tap by actions/dont_know.py, never as an answer).
- A content answer for a message whose words are mostly unknown to the
  assistant's own training data ("best etf for beginners", "uber referral
  code") becomes `out_of_scope`. The known words are learnt at training time
  from every example except the out-of-scope ones, the answers and the clinic's
  vocabulary; a longer word one or two typing slips away from a known word
  counts as known, and so do two known words run together. Unless the two
  classifiers together are sure of a specific answer (`sure_answer_threshold`):
  "doet het pijn? sorry, I mean does it hurt".
- A generic answer (`generic_answers`: the price, how long a session takes...)
  needs a message about the clinic: one without words the assistant does not
  know, or with a word of the clinic's world (`domain_words` and the words of
  clinic/vocabulary.yml). Otherwise "what's the going rate for a plumber?" is
  no question about the price of a treatment, and gets the honest no-answer.
- When either classifier's first choice for such a message is a red flag, it
  becomes `red_flag` (the safety classifier after the guard still checks it):
  one opinion is enough for an alarm.
- A request to book, to talk to the team, to see one's data or to leave a
  question for the clinic becomes `out_of_scope` or `unanswerable_question`
  when the two classifiers together are sure it is that ("recommend a good
  book", "do you have lockers for my bag?", "give me some pub quiz questions");
  never an answer. So does "why do you ask?" in words the lexical classifier
  hardly sees as one, or in mostly unknown words ("why do onions make you cry").
- The indication answer speaks of running injuries: to a question that names
  neither a running injury nor a body part but something else ("can it help my
  migraines?", "any good for fibromyalgia?"), the honest no-answer instead.
- Nor to a question about another treatment, test or product that does not
  name needling (`other_treatments`: "is PRP any good for achilles?", "best
  insoles for runner's knee?"): the honest no-answer, not what dry needling helps.
- A greeting or a thank-you followed by a question ("Hi, what is dry needling?")
  is the question: the combined first choice is answered, or gets the honest
  no-answer, when the two classifiers together are sure of it.
- Every other intent (a greeting, a screening answer, a red flag) is left as
  the intent classifier chose it.

The weights and the threshold are chosen on the development sets
(tests/answers/dev*.yml and tests/nlu/heldout*.yml), never on the end-to-end
test set (tests/nlu/answers_heldout.yml).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME as RESPONSE_SELECTOR
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_assistant import clinic_data_dir
from clinic_assistant.commands import is_command
from clinic_assistant.nlp.pipeline import load_vocabulary
from clinic_assistant.nlp.typos import edit_distance
from clinic_assistant.rasa.content_answers import (
    ANSWER_INTENTS,
    CONTENT_INTENTS,
    GUARD_DEFAULTS,
    RETRIEVAL_INTENT,
    SUGGESTIONS,
    UNANSWERABLE_INTENT,
)
from clinic_assistant.rasa.intent_override import replace_intent
from clinic_assistant.rasa.lexical_classifier import LexicalClassifier
from clinic_assistant.screening.answers import is_question

OUT_OF_SCOPE_INTENT = "out_of_scope"
FALLBACK_INTENT = "nlu_fallback"
RED_FLAG_INTENT = "red_flag"
INFORM_CONDITION_INTENT = "inform_condition"
# Intents the guard may overrule with a content answer: the content ones, and the
# ones that say no answer covers the message or that the classifier was unsure.
OVERRULABLE = CONTENT_INTENTS | {UNANSWERABLE_INTENT, OUT_OF_SCOPE_INTENT, FALLBACK_INTENT}
# Requests that start a conversation flow; a word like "book", "session" or "store"
# in another message ("recommend a good book", "do you have lockers for my bag?")
# can look like one to the classifier.
# ("give me some good pub quiz questions" is no question to leave for the clinic)
FLOW_INTENTS = frozenset({"request_booking", "request_human", "ask_my_data", "leave_question"})
# "why do you ask?": the classifier once gave it to "is it going to snow this weekend"
WHY_SCREENING_INTENT = "ask_why_screening"
# what such a request may become: never an answer, only "not something I can help with"
NO_ANSWER_INTENTS = frozenset({OUT_OF_SCOPE_INTENT, UNANSWERABLE_INTENT})
INDICATION_INTENT = "ask_indication"
INJURY_ENTITY = "injury"
# words that make a message naming an injury a question about the treatment
# ("does it work for tight hamstrings", "worth trying needling for my calf?")
TREATMENT_WORDS = frozenset(
    """it needle needles needling needled treat treats treated treatment help helps
    work works use good worth""".split()
)
# Intents of an opening ("hi", "thanks") that a question may follow.
OPENING_INTENTS = frozenset({"greet", "thank"})
_OPENING = re.compile(
    r"^\W*(?:(?:hi|hello|hey|hiya|heya|hallo|howdy|yo|morning|evening|thanks|thank you|"
    r"thx|cheers|ta|good (?:morning|afternoon|evening|day))(?: there| all| team| again)?\b\W*)+"
)
# Words of a general question about what dry needling treats ("which running
# injuries can it help with?"); any other word names a problem of its own.
INDICATION_GENERAL_WORDS = frozenset(
    """dry injury injuries problem problems issue issues condition conditions complaint
    complaints pains ache aches achy soreness tight tightness stiff stiffness muscular
    sport sports athlete athletes type types kind kinds sort sorts people patients
    therapy technique method fix cure relieve relief ease recover recovery chronic acute
    long term overuse niggle niggles strain strains tendon tendons joint joints body used
    useful effective appropriate option suitable recommend recommended typical typically
    common commonly usually mostly general generally specific which what run runs running
    runner runners race races racing marathon marathons training kinda sorta wat wot
    tend tends well list somewhere anywhere actually mainly often normally best""".split()
)
BODY_PART_ENTITY = "body_part"
# Body parts (clinic/vocabulary.yml ids) of no running complaint: "can you needle my neck
# for tension headaches?" gets the honest no-answer, not the running injuries.
NOT_RUNNING_BODY_PARTS = ("neck_and_shoulders", "arm")
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
    three first next last know think want wanted tell say said give got take hasnt havent
    hadnt wouldnt couldnt shouldnt wasnt werent aint youre theyre hes shes weve youve""".split()
)
MAX_SUGGESTIONS = 2
FILE_NAME = "known_words.json"
RESPONSES_FILE = "responses.json"
LEXICAL_FILE = "lexical_classifier.joblib"
_WORD = re.compile(r"[a-z]+")
_NEEDLING = re.compile(r"\bneedl(?:e|es|ed|ing)\b")
# needling named in any form, typos and "dn" too ("is dn or prp better for achilles")
_NEEDLING_ANY = re.compile(r"\b(?:needl\w*|neeld\w*|needeling|dn)\b")
_TOKEN = re.compile(r"[a-z0-9]+")  # "ps5" is a word, "10" is not
BOOKING_INTENT = "request_booking"
REFERRAL_ANSWER = "faq/referral"
# words that ask whether something is needed: "do I need", "without", "no GP letter"
ASKS_IF_NEEDED = re.compile(
    r"\b(?:need|needs|needed|have to|has to|got to|must|required?|necessary|without|skip|no)\b"
)


def _any_phrase(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One expression that finds any of the phrases as whole words, or None."""
    alternatives = [re.escape(p.lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()]
    return re.compile(rf"\b(?:{'|'.join(alternatives)})\b") if alternatives else None


def answer_key(example: Message) -> str:
    """An example's answer: "faq/cost" for the FAQ, else its intent."""
    intent = example.get(INTENT) or ""
    return example.get(INTENT_RESPONSE_KEY) or intent


def chosen_answer(message: Message) -> str:
    """The answer the classifiers chose for a parsed message, named like answer_key()."""
    intent = (message.get(INTENT) or {}).get("name") or ""
    if intent != RETRIEVAL_INTENT:
        return intent
    selector = (message.get(RESPONSE_SELECTOR) or {}).get(RETRIEVAL_INTENT) or {}
    return (selector.get("response") or {}).get("intent_response_key") or intent


def is_content_answer(key: str) -> bool:
    return key in ANSWER_INTENTS or key.startswith(f"{RETRIEVAL_INTENT}/")


def words_of(text: str) -> List[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in FUNCTION_WORDS]


def classifier_probabilities(message: Message) -> Dict[str, float]:
    """The neural classifiers' confidence per answer, named like answer_key(): the
    intent ranking with `faq` shared out over the answer selector's ranking, without
    the fallback's entry, scaled to sum to 1."""
    selector = (message.get(RESPONSE_SELECTOR) or {}).get(RETRIEVAL_INTENT) or {}
    answers = [
        (r.get("intent_response_key") or "", float(r.get("confidence") or 0.0))
        for r in selector.get("ranking") or []
    ]
    found: Dict[str, float] = {}
    for entry in message.get(INTENT_RANKING_KEY) or []:
        name, confidence = entry.get("name") or "", float(entry.get("confidence") or 0.0)
        if name == FALLBACK_INTENT:
            continue
        shares = answers if name == RETRIEVAL_INTENT and answers else [(name, 1.0)]
        for key, share in shares:
            found[key] = found.get(key, 0.0) + confidence * share
    total = sum(found.values())
    return {key: p / total for key, p in found.items()} if total > 0 else {}


def combine(
    classifiers: Dict[str, float], lexical: Dict[str, float], classifier_weight: float
) -> List[Tuple[str, float]]:
    """Both opinions weighed together, likeliest answer first."""
    if not lexical:
        classifier_weight = 1.0
    labels = set(classifiers) | set(lexical)
    combined = {
        label: classifier_weight * classifiers.get(label, 0.0)
        + (1.0 - classifier_weight) * lexical.get(label, 0.0)
        for label in labels
    }
    return sorted(combined.items(), key=lambda item: (-item[1], item[0]))


class Opinions:
    """What the two classifiers think of one message, each worked out at most once
    and only when a rule needs it (the lexical one takes about 1.5 ms)."""

    def __init__(
        self, message: Message, lexical: LexicalClassifier | None, classifier_weight: float
    ) -> None:
        self.message = message
        self._lexical = lexical
        self.classifier_weight = classifier_weight

    @cached_property
    def neural(self) -> Dict[str, float]:
        return classifier_probabilities(self.message)

    @cached_property
    def lexical(self) -> Dict[str, float]:
        return self._lexical.probabilities(self.message.get(TEXT) or "") if self._lexical else {}

    @cached_property
    def ranking(self) -> List[Tuple[str, float]]:
        """Every answer by the two classifiers' combined confidence, likeliest first."""
        return combine(self.neural, self.lexical, self.classifier_weight)

    def both_choose(self, answer: str) -> bool:
        """Whether each classifier on its own ranks `answer` first."""
        return all(
            opinion and max(opinion, key=opinion.__getitem__) == answer
            for opinion in (self.neural, self.lexical)
        )

    def either_says_red_flag(self) -> bool:
        """Whether either classifier's first choice is a red flag: a false alarm is
        better than a missed one (safety-principles), so one opinion is enough."""
        for opinion in (self.neural, self.lexical):
            if opinion and max(opinion, key=opinion.__getitem__) == RED_FLAG_INTENT:
                return True
        return False


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class AnswerGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return dict(GUARD_DEFAULTS)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """train() reads clinic/vocabulary.yml, which the graph does not see: a change
        there retrains the guard instead of restoring it from Rasa's cache."""
        return hashlib.sha256((clinic_data_dir() / "vocabulary.yml").read_bytes()).hexdigest()

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        known_words: Iterable[str] = (),
        lexical: LexicalClassifier | None = None,
        responses: Dict[str, List[Dict[str, Any]]] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.answer_threshold = float(self.config["answer_threshold"])
        self.classifier_weight = float(self.config["classifier_weight"])
        self.unknown_share_out_of_scope = float(self.config["unknown_share_out_of_scope"])
        self.indication_threshold = float(self.config["indication_threshold"])
        self.sure_answer_threshold = float(self.config["sure_answer_threshold"])
        self.request_minimum = float(self.config["request_minimum"])
        self.generic_answers = frozenset(self.config["generic_answers"])
        self.other_treatments = _any_phrase(self.config["other_treatments"])
        self.referral_words = _any_phrase(self.config["referral_words"])
        vocabulary = load_vocabulary()
        self.domain_words = frozenset(self.config["domain_words"]) | {
            word
            for label in ("injury", "body_part")
            for phrases in vocabulary.get(label, {}).values()
            for phrase in phrases
            for word in words_of(phrase)
        }
        self.general_words = TREATMENT_WORDS | INDICATION_GENERAL_WORDS | self.domain_words
        self.other_body_part_words = frozenset(
            phrase.lower()
            for body_part in NOT_RUNNING_BODY_PARTS
            for phrase in vocabulary[BODY_PART_ENTITY][body_part]
        )
        self.lexical = lexical
        self.responses = responses or {}
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
        examples = training_data.intent_examples
        lexical = LexicalClassifier.fit(
            [example.get(TEXT) or "" for example in examples],
            [answer_key(example) for example in examples],
        )
        # the answers' own variations, for a parse whose answer the guard chose
        responses = {
            name[len("utter_") :]: variations
            for name, variations in training_data.responses.items()
            if name.startswith(f"utter_{RETRIEVAL_INTENT}/")
        }
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FILE_NAME).write_text(json.dumps(known), encoding="utf-8")
            (directory / RESPONSES_FILE).write_text(json.dumps(responses), encoding="utf-8")
            lexical.save(directory / LEXICAL_FILE)
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
                responses = json.loads((directory / RESPONSES_FILE).read_text(encoding="utf-8"))
                lexical = LexicalClassifier.load(directory / LEXICAL_FILE)
        except (ValueError, FileNotFoundError):
            known, responses, lexical = [], {}, None
        return cls(config, model_storage, resource, known, lexical, responses)

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

    def is_about_the_clinic(self, text: str) -> bool:
        """No word the assistant does not know, or a word of the clinic's world."""
        tokens = _TOKEN.findall(text.lower())
        if any(token in self.domain_words for token in tokens):
            return True
        return all(
            self.is_known(token)
            for token in tokens
            if not token.isdigit()
            and token not in FUNCTION_WORDS
            and (len(token) >= 3 or any(c.isdigit() for c in token))
        )

    def unknown_share(self, text: str) -> float:
        words = words_of(text)
        if not words or not self.known:
            return 0.0
        return sum(1 for w in words if not self.is_known(w)) / len(words)

    def opinions(self, message: Message) -> Opinions:
        return Opinions(message, self.lexical, self.classifier_weight)

    def verdict(
        self, message: Message, opinions: Opinions | None = None
    ) -> Tuple[str | None, float]:
        """What the message should have instead (an intent, or a content answer
        such as "faq/cost" with its combined confidence), or None to keep it."""
        opinions = opinions or self.opinions(message)
        predicted = message.get(INTENT) or {}
        intent = predicted.get("name")
        text = message.get(TEXT) or ""
        if intent in OPENING_INTENTS and (question := self.question_after_opening(text)):
            best, confidence = (opinions.ranking or [("", 0.0)])[0]
            answerable = is_content_answer(best) and (
                best not in self.generic_answers or self.is_about_the_clinic(question)
            )
            if confidence >= self.answer_threshold and (answerable or best in NO_ANSWER_INTENTS):
                return best, confidence
            return None, 0.0
        if intent in GIBBERISH_PRONE and len(words_of(text)) >= 2:
            # "purple elephant" is not a request to cancel
            return (OUT_OF_SCOPE_INTENT if self.unknown_share(text) >= 1.0 else None), 0.0
        if intent == BOOKING_INTENT and self.asks_whether_a_referral_is_needed(text):
            # "can I just book in or is a referral needed?": both classifiers see the
            # booking; the runner asks about the referral first (no link without the
            # screening: a later "book me in" starts it)
            return REFERRAL_ANSWER, dict(opinions.ranking).get(REFERRAL_ANSWER, 0.0)
        if intent in FLOW_INTENTS:
            best, confidence = (opinions.ranking or [("", 0.0)])[0]
            # "Siobhan here, are there any lockers for my bag": sure enough together,
            # or the lexical classifier hardly sees the request at all
            no_answer = best in NO_ANSWER_INTENTS and (
                confidence >= self.answer_threshold
                or opinions.lexical.get(intent, 1.0) < self.request_minimum
            )
            return (best if no_answer else None), 0.0
        if intent == INFORM_CONDITION_INTENT:
            return self.question_beside_a_complaint(text, opinions)
        if intent == WHY_SCREENING_INTENT and opinions.lexical:
            # words the lexical classifier hardly sees as "why do you ask?", or mostly
            # words the assistant does not know ("why do onions make you cry"): out of scope
            asks_why = (
                opinions.lexical.get(intent, 0.0) >= self.request_minimum
                and self.unknown_share(text) < self.unknown_share_out_of_scope
            )
            return (None if asks_why else OUT_OF_SCOPE_INTENT), 0.0
        if intent not in OVERRULABLE:
            return None, 0.0
        if opinions.either_says_red_flag():
            return RED_FLAG_INTENT, 0.0
        ranking = opinions.ranking
        if self.unknown_share(text) >= self.unknown_share_out_of_scope:
            best, confidence = (ranking or [("", 0.0)])[0]
            if (
                is_content_answer(best)
                and confidence >= self.sure_answer_threshold
                and opinions.both_choose(best)
                and best not in self.generic_answers
                and not (best == INDICATION_INTENT and self.indication_off_topic(message))
            ):
                # "what r trigger pts", "doet het pijn? sorry, I mean does it hurt":
                # unknown words beside a question the two classifiers are sure of
                return best, confidence
            if intent not in CONTENT_INTENTS:
                return None, 0.0
            # "do you have lockers? I'm Siobhan, siobhan@example.ie": names are unknown
            # words too; when the two classifiers say no answer covers it, say so
            no_answer = best == UNANSWERABLE_INTENT and confidence >= self.answer_threshold
            return (UNANSWERABLE_INTENT if no_answer else OUT_OF_SCOPE_INTENT), 0.0
        if ranking and is_content_answer(ranking[0][0]):
            answer, confidence = ranking[0]
            if confidence >= self.answer_threshold and (
                answer not in self.generic_answers or self.is_about_the_clinic(text)
            ):
                if answer == INDICATION_INTENT and self.indication_off_topic(message):
                    return UNANSWERABLE_INTENT, 0.0
                return answer, confidence
        if ranking and self.asks_about_a_named_injury(message, *ranking[0]):
            return ranking[0]
        if ranking and self.asks_to_needle_a_named_problem(message, ranking):
            return INDICATION_INTENT, dict(ranking)[INDICATION_INTENT]
        if (
            ranking
            and ranking[0][0] == BOOKING_INTENT
            and ranking[0][1] >= self.answer_threshold
            and not self.asks_whether_a_referral_is_needed(text)
        ):
            # "book needling for my foot pls": the neural classifier leans to an article
            # answer, the two together to a request to book; the screening comes first
            return BOOKING_INTENT, 0.0
        return (UNANSWERABLE_INTENT if intent in CONTENT_INTENTS else None), 0.0

    @staticmethod
    def question_after_opening(text: str) -> str:
        """The question after "hi" or "thanks" ("Hi, what is dry needling?"), or ""."""
        opening = _OPENING.match(text.lower())
        rest = text[opening.end() :].strip() if opening else ""
        if len(words_of(rest)) < 2 or not (is_question(rest) or rest.endswith("?")):
            return ""
        return rest

    def indication_off_topic(self, message: Message) -> bool:
        """Whether the indication answer, which tells what dry needling helps, would
        not answer this question: it names another problem than a running complaint,
        or asks about another treatment, test or product."""
        return self.names_another_problem(message) or self.asks_about_another_treatment(
            message.get(TEXT) or ""
        )

    def asks_whether_a_referral_is_needed(self, text: str) -> bool:
        """A referral word (`referral_words`: GP, doctor, referral) beside words that ask
        whether one is needed ("do I need", "without", "no doctor's letter"); "my GP
        referred me, can I book?" is a request to book."""
        lowered = text.lower()
        return bool(
            self.referral_words
            and self.referral_words.search(lowered)
            and ASKS_IF_NEEDED.search(lowered)
        )

    def asks_about_another_treatment(self, text: str) -> bool:
        """Whether a question names a treatment, test or product other than dry
        needling (`other_treatments`: "is PRP any good for achilles?", "best insoles
        for runner's knee?") and not needling itself."""
        lowered = text.lower()
        return bool(
            self.other_treatments
            and self.other_treatments.search(lowered)
            and not _NEEDLING_ANY.search(lowered)
        )

    def names_another_problem(self, message: Message) -> bool:
        """Whether a question about what dry needling helps names something that is
        neither a running injury nor a body part ("my migraines")."""
        found = message.get(ENTITIES) or []
        if self.names_a_running_complaint(message):
            return False
        if any(e.get("entity") == BODY_PART_ENTITY for e in found):
            return True  # only a neck, a shoulder, an arm
        return not all(self.is_general_word(word) for word in words_of(message.get(TEXT) or ""))

    def is_general_word(self, word: str) -> bool:
        """A word of a general question about what dry needling treats, or one typing
        slip away from one ("runnin", "actualy")."""
        if word in self.general_words:
            return True
        return len(word) >= 5 and any(
            abs(len(general) - len(word)) <= 1 and edit_distance(word, general, 1) <= 1
            for general in self.general_words
        )

    def names_a_running_complaint(self, message: Message) -> bool:
        """A running injury, or a body part of one (not a neck, a shoulder, an arm)."""
        return any(
            e.get("entity") == INJURY_ENTITY
            or (
                e.get("entity") == BODY_PART_ENTITY
                and str(e.get("value", "")).lower() not in self.other_body_part_words
            )
            for e in message.get(ENTITIES) or []
        )

    def asks_about_a_named_injury(self, message: Message, best: str, confidence: float) -> bool:
        """Whether an unsure question names a running injury and the treatment while
        the classifiers lean to the indication answer (which answers for that injury)."""
        if best != INDICATION_INTENT or confidence < self.indication_threshold:
            return False
        if not any(e.get("entity") == INJURY_ENTITY for e in message.get(ENTITIES) or []):
            return False
        if self.asks_about_another_treatment(message.get(TEXT) or ""):
            return False
        return any(word in TREATMENT_WORDS for word in _WORD.findall(message.get(TEXT, "").lower()))

    def asks_to_needle_a_named_problem(
        self, message: Message, ranking: List[Tuple[str, float]]
    ) -> bool:
        """Whether a question the classifiers are unsure of names a running injury or
        a body part and needling itself ("peroneal tendon issues... needling?") while
        the indication answer is the likeliest content answer."""
        text = message.get(TEXT) or ""
        if not self.names_a_running_complaint(message):
            return False
        if not _NEEDLING.search(text.lower()):
            return False
        first_content = next((label for label, _ in ranking if is_content_answer(label)), "")
        return first_content == INDICATION_INTENT

    def question_beside_a_complaint(
        self, text: str, opinions: Opinions
    ) -> Tuple[str | None, float]:
        """A content answer for a question the classifier took for a statement of a
        condition because it names a complaint ("my old physio mentioned needling for
        my calf once, what is it?"), when the two classifiers together are sure of the
        answer and every word is one the assistant knows. The safety classifier after
        the guard still reads the message: a condition of the screening stated in it
        makes it `inform_condition` again (or `ask_contraindication`)."""
        if not is_question(text) or self.unknown_share(text) > 0:
            return None, 0.0
        best, confidence = (opinions.ranking or [("", 0.0)])[0]
        if not is_content_answer(best) or confidence < self.answer_threshold:
            return None, 0.0
        if best in self.generic_answers and not self.is_about_the_clinic(text):
            return None, 0.0
        return best, confidence

    def suggestions(self, message: Message, opinions: Opinions | None = None) -> List[str]:
        """The FAQ answers an unsure question may have meant, likeliest first; none
        when the likeliest is no content answer at all (a question no answer covers,
        or an unrelated one such as "how to thread a sewing needle")."""
        ranking = (opinions or self.opinions(message)).ranking
        if not ranking or not is_content_answer(ranking[0][0]):
            return []
        faq_answers = [label for label, _ in ranking if label.startswith(f"{RETRIEVAL_INTENT}/")]
        return faq_answers[:MAX_SUGGESTIONS]

    def answer(self, message: Message, key: str, confidence: float) -> None:
        """Make `key` the message's answer, with the guard's combined confidence."""
        if not key.startswith(f"{RETRIEVAL_INTENT}/"):
            replace_intent(message, key, confidence)
            return
        replace_intent(message, RETRIEVAL_INTENT, confidence)
        selectors = dict(message.get(RESPONSE_SELECTOR) or {})
        selector = dict(selectors.get(RETRIEVAL_INTENT) or {})
        selector["response"] = {
            "responses": self.responses.get(key) or [],
            "confidence": confidence,
            "intent_response_key": key,
            "utter_action": f"utter_{key}",
        }
        selectors[RETRIEVAL_INTENT] = selector
        message.set(RESPONSE_SELECTOR, selectors, add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if is_command(message.get(TEXT) or ""):
                continue
            opinions = self.opinions(message)
            replacement, confidence = self.verdict(message, opinions)
            if replacement is None:
                continue
            if is_content_answer(replacement):
                self.answer(message, replacement, confidence)
                continue
            if replacement == UNANSWERABLE_INTENT:
                message.set(SUGGESTIONS, self.suggestions(message, opinions), add_to_output=True)
            replace_intent(message, replacement)
        return messages
