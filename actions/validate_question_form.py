"""Validation for question_form: leave a question the assistant could not answer.

Nothing is kept before the runner agrees: the consent comes first, then the
question (taken from the conversation, or asked) and, only if the runner wants
to give one, an e-mail address or phone number. The answers are slots, so they
live in the conversation store and go with "delete my data" and retention.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import latest_text, session_events
from actions.questionnaire_form import QuestionnaireValidation
from actions.red_flag import alarm_if_told_in_pieces
from clinic_assistant.rasa.content_answers import DONT_KNOW_RESPONSES
from clinic_assistant.screening.answers import normalise, parse_yes_no
from clinic_assistant.screening.rules import NO, YES

CONSENT_SLOT = "question_consent"
QUESTION_SLOT = "question_for_clinic"
CONTACT_SLOT = "question_contact"
NO_CONTACT = "none"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
NO_CONTACT_PHRASES = ("no contact", "no thanks", "none", "no", "rather not", "don't", "dont",
                      "skip", "no need", "without", "nope", "no thank you", "not needed")  # fmt: skip


def question_left_unanswered(tracker: Tracker) -> str | None:
    """The runner's message that got the honest "I can't answer that one"."""
    last_user = None
    question = None
    for event in session_events(tracker):
        if event.get("event") == "user":
            last_user = event.get("text")
        elif (
            event.get("event") == "bot"
            and event.get("metadata", {}).get("utter_action") in DONT_KNOW_RESPONSES
        ):
            question = last_user
    return question


class ValidateQuestionForm(QuestionnaireValidation):
    def name(self) -> str:
        return "validate_question_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # "my left calf" / "gone all puffy" / ... / "warm to the touch as well, thanks"
        # told while asked whether to keep a question: the alarm, nothing kept
        # (principles 4 and 5)
        if (alarm := alarm_if_told_in_pieces(dispatcher, tracker)) is not None:
            return [*alarm, SlotSet(CONSENT_SLOT, NO), SlotSet(REQUESTED_SLOT, None)]
        return await super().run(dispatcher, tracker, domain)

    def next_slots(self, answers: Dict[str, Any]) -> List[str]:
        if answers.get(CONSENT_SLOT) == NO:
            return [CONSENT_SLOT]  # a "no" ends the form: nothing else is asked or kept
        return [CONSENT_SLOT, QUESTION_SLOT, CONTACT_SLOT]

    def parse_answer(self, slot: str, tracker: Tracker) -> Dict[str, Any] | None:
        text = latest_text(tracker)
        if slot == CONSENT_SLOT:
            answer = parse_yes_no(text)
            if answer not in (YES, NO):
                return None
            if answer == NO:
                return {CONSENT_SLOT: NO}
            # agreed: only now is the question kept
            question = question_left_unanswered(tracker)
            return {CONSENT_SLOT: YES, **({QUESTION_SLOT: question} if question else {})}
        if slot == QUESTION_SLOT:
            return {QUESTION_SLOT: text.strip()} if len(text.strip()) > 2 else None
        found = EMAIL.search(text) or PHONE.search(text)
        if found:
            return {CONTACT_SLOT: found.group(0).strip()}
        clean = normalise(text)
        if clean in NO_CONTACT_PHRASES or parse_yes_no(text) == NO:
            return {CONTACT_SLOT: NO_CONTACT}
        return None

    def volunteered(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        return {}

    def explain_unclear(self, slot: str, dispatcher: CollectingDispatcher, text: str = "") -> None:
        dispatcher.utter_message(response="utter_question_unclear")

    def ask_to_confirm(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        self.explain_unclear(slot, dispatcher)

    def give_up(self, dispatcher: CollectingDispatcher) -> None:
        dispatcher.utter_message(response="utter_question_not_kept")
