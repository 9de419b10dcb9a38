"""Rasa NLU component: safety decides the intent before any statistics do.

The classifier learns from examples, but the clinic's safety rules must not
depend on a statistical model. Last in the pipeline, for every typed message:

1. a red flag (clinic/red_flags.yml, in several languages) -> `red_flag`;
2. a red flag named only in a denial ("no chest pain, just a sore knee") that
   the classifier took for a red flag -> `red_flag_check` (a one-line check
   instead of the full alarm);
3. a message in another language -> `other_language` (the assistant answers in
   English only, with the emergency number and the clinic's contact);
4. a statement of the runner's own condition or medicine ("oh wait, I'm
   pregnant") that the classifier took for small talk or a question ->
   `inform_condition`, so the screening reads it (and a booking link already
   given is withdrawn);
   one that names the runner's own condition in a question ("is it ok if I'm on
   warfarin?") -> `ask_contraindication`, answered as the question it is (and a
   booking link already given is withdrawn: actions/answer_contraindication.py);
0. a request to delete the conversation whose words ask for nothing of the kind
   becomes the fallback (and is read like any other message below);
5. a plain request to book ("can I book too?", "can she book?") that the
   classifier could not place or took for a question -> `request_booking`, so
   the screening starts instead of "sorry?" or an answer that ignores the request.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic_assistant.commands import is_command
from clinic_assistant.language import foreign_language
from clinic_assistant.nlp.pipeline import DEFAULT_PIPELINE_DIR, find_mentions, load_pipeline
from clinic_assistant.rasa.answer_guard import ASKS_IF_NEEDED, REFERRAL_ANSWER, chosen_answer
from clinic_assistant.rasa.intent_override import replace_intent
from clinic_assistant.red_flags import find_denied_red_flags, find_red_flags
from clinic_assistant.screening.answers import is_question, speaks_of_self
from clinic_assistant.screening.rules import UNSURE, YES, load_screening
from clinic_assistant.screening.volunteered import Reading, read_message

RED_FLAG_INTENT = "red_flag"
RED_FLAG_CHECK_INTENT = "red_flag_check"
OTHER_LANGUAGE_INTENT = "other_language"
INFORM_CONDITION_INTENT = "inform_condition"
ASK_CONTRAINDICATION_INTENT = "ask_contraindication"
# Intents that a statement of the runner's own condition overrides; the
# screening, cancelling, deleting and asking for a person keep theirs.
SMALL_TALK_INTENTS = frozenset({
    "greet", "goodbye", "thank", "affirm", "deny", "unsure", "inform", "out_of_scope",
    "nlu_fallback", "faq", "ask_indication", "bot_challenge", "ask_contraindication",
    "unanswerable_question",
})  # fmt: skip
# "can I have dry needling if I'm pregnant?": a question about the condition too,
# answered as one (the screening after it asks the rest)
ASK_SUITABILITY_INTENT = "ask_suitability"
READ_INTENTS = SMALL_TALK_INTENTS | {ASK_SUITABILITY_INTENT, INFORM_CONDITION_INTENT}
# Intents that say no answer covers the message.
NO_ANSWER_INTENTS = frozenset({"nlu_fallback", "out_of_scope", "unanswerable_question"})
REQUEST_BOOKING_INTENT = "request_booking"
FALLBACK_INTENT = "nlu_fallback"
# Deleting a conversation cannot be undone: the words must ask for it. "thanks!! oh
# wait i forgot, i take asprin for my heart" was once classified as a deletion.
DELETE_INTENT = "delete_my_data"
_ASKS_TO_DELETE = re.compile(
    r"\b(?:delet\w*|eras\w*|remov\w*|forget|wipe\w*|clear\w*|gdpr|data|records?|"
    r"history|rid of|(?:don'?t|do not|not)(?: want you to)? (?:keep|store|save))\b"
)
_BOOKING_REQUEST = re.compile(
    r"\b(?:can i|could i|may i|i want to|i'd like to|id like to|i would like to|want to|please|"
    r"can (?:she|he|they|we|my \w+)|could (?:she|he|they|we|my \w+))"
    r"\s+(?:\w+\s+)?(?:book|make an appointment|get an appointment)\b|\bbook me in\b"
)
# A question about the content that also asks to book ("I'd love to try it for my
# plantar fasciitis, can I book?") starts the screening: booking is what they want.
BOOKING_OVERRIDES = frozenset(
    {"nlu_fallback", "out_of_scope", "unanswerable_question", "faq", "ask_indication",
     "ask_contraindication", "ask_suitability"}
)  # fmt: skip


# a question after a statement, without a question mark: "my partner is in her first
# trimester, can she get needling for her calf"
_QUESTION_MIDWAY = re.compile(
    r"(?:[,.;:!]|\b(?:so|and|but|then))\s+(?:can|could|is|are|does|do|should|would|will|may)"
    r"\s+(?:i|she|he|they|we|you|u|it|my|her|his|their|that|this|someone|people)\b"
)


def _asks(text: str) -> bool:
    return is_question(text) or bool(_QUESTION_MIDWAY.search(text.lower()))


def _reading(text: str) -> Reading:
    mentions = find_mentions(load_pipeline(str(DEFAULT_PIPELINE_DIR)), text)
    return read_message(text, mentions, load_screening())


def _states_facts(reading: Reading) -> bool:
    return any(slot != "complaint" for slot in reading.answers)


def _states_own_condition(text: str, reading: Reading) -> bool:
    facts = {slot: v for slot, v in reading.answers.items() if slot != "complaint"}
    if not any(value in (YES, UNSURE) for value in facts.values()):
        return False
    # a question about a condition in general ("does it work for diabetics?") is
    # not a statement; one that says "I" about it is ("I'm pregnant, does it hurt?")
    return not is_question(text) or speaks_of_self(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyClassifier(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if is_command(text):
                continue  # a command names its intent already
            predicted = (message.get(INTENT) or {}).get("name")
            if predicted == DELETE_INTENT and not _ASKS_TO_DELETE.search(text.lower()):
                replace_intent(message, FALLBACK_INTENT)
                predicted = FALLBACK_INTENT
            flags = find_red_flags(text)
            if flags:
                replace_intent(message, RED_FLAG_INTENT)
                entities = message.get(ENTITIES, []) + [
                    {"entity": "red_flag", "value": flag.id, "start": 0, "end": len(text),
                     "extractor": type(self).__name__}
                    for flag in flags
                ]  # fmt: skip
                message.set(ENTITIES, entities, add_to_output=True)
            elif predicted == RED_FLAG_INTENT and find_denied_red_flags(text):
                replace_intent(message, RED_FLAG_CHECK_INTENT)
            elif foreign_language(text):
                replace_intent(message, OTHER_LANGUAGE_INTENT)
            elif (reading := _reading(text) if predicted in READ_INTENTS else None) and (
                predicted in SMALL_TALK_INTENTS and _states_own_condition(text, reading)
            ):
                replace_intent(message, INFORM_CONDITION_INTENT)
            elif (
                reading
                and reading.asked_about
                and predicted != ASK_CONTRAINDICATION_INTENT
                and speaks_of_self(text)
                # "can I have it if I'm pregnant?" taken for a statement: nothing stated
                and (predicted != INFORM_CONDITION_INTENT or not _states_facts(reading))
            ):
                # "is it ok if I'm on warfarin?": answered as the question it is
                replace_intent(message, ASK_CONTRAINDICATION_INTENT)
            elif (
                predicted in BOOKING_OVERRIDES
                and _BOOKING_REQUEST.search(text.lower())
                and not (
                    chosen_answer(message) == REFERRAL_ANSWER
                    and ASKS_IF_NEEDED.search(text.lower())
                )
            ):
                # ("can I just book in, or is a referral needed?" asks whether they may
                # book at all; "my GP referred me, can I book?" is a request to book)
                replace_intent(message, REQUEST_BOOKING_INTENT)
            elif predicted in NO_ANSWER_INTENTS and reading and reading.named and _asks(text):
                # "does it work for diabetics?": the condition's own answer, not "I can't
                # answer that one"
                replace_intent(message, ASK_CONTRAINDICATION_INTENT)
        return messages
