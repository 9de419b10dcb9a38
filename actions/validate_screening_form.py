"""Validation for screening_form: the screening questions of clinic/screening.yml."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_mentions, latest_text
from actions.questionnaire_form import QuestionnaireValidation
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.indications import load_injuries
from clinic_assistant.screening.answers import (
    normalise,
    parse_confirmation,
    parse_pregnancy_stage,
    parse_yes_no,
)
from clinic_assistant.screening.rules import (
    CHANGE_SLOT,
    CONFIRM_SLOT,
    NO,
    UNSURE,
    YES,
    load_screening,
    remaining_slots,
)
from clinic_assistant.screening.volunteered import volunteered_answers

# Words that pick the question to change, besides its number in the list.
CHANGE_KEYWORDS = {
    "pregnant": ("pregnan", "baby", "expecting"),
    "pregnancy_stage": ("far along", "weeks", "months", "trimester", "stage"),
    "blood_disorder": ("blood", "bleed", "thinner", "haemophilia", "hemophilia", "warfarin"),
    "current_infection": ("infection", "fever", "flu", "infected"),
    "infection_risk": ("risk", "diabet", "lymph", "immune"),
    "complaint": ("complaint", "injury", "pain", "problem", "brings"),
}


class ValidateScreeningForm(QuestionnaireValidation):
    interruption_intents = frozenset(
        {
            "faq", "ask_indication", "ask_contraindication", "ask_why_screening",
            "stop_screening", "request_human", "bot_challenge", "red_flag",
            "delete_my_data", "request_booking",
        }
    )  # fmt: skip
    volunteering_intents = frozenset({"request_booking", "ask_suitability", "inform_condition"})

    def name(self) -> str:
        return "validate_screening_form"

    def next_slots(self, answers: Dict[str, Any]) -> List[str]:
        return remaining_slots(answers, load_screening())

    def parse_answer(self, slot: str, tracker: Tracker) -> Dict[str, Any] | None:
        text = latest_text(tracker)
        if slot == CONFIRM_SLOT:
            answer = parse_confirmation(text)
            return {slot: answer} if answer else None
        if slot == CHANGE_SLOT:
            choice = self._question_to_change(text, tracker)
            return {slot: choice} if choice else None
        question = load_screening().question(slot)
        if question.kind == "pregnancy_stage":
            stage = parse_pregnancy_stage(text)
            return {slot: stage} if stage else None
        if question.kind == "complaint":
            return self._complaint(text, tracker)
        answer = parse_yes_no(text)
        if slot == "pregnant" and answer in (None, YES):
            stage = parse_pregnancy_stage(text)  # "8 weeks" answers both questions
            if stage and stage != UNSURE:
                return {slot: YES, "pregnancy_stage": stage}
        return {slot: answer} if answer else None

    def answer_overrides_intent(self, slot: str, intent: str, updates: Dict[str, Any]) -> bool:
        if not updates or intent in ("red_flag", "delete_my_data"):
            return False
        # "Change an answer", "8 weeks" or "Knee" are answers here, whatever the
        # classifier thinks; yes/no answers never override (a "no" inside "I don't
        # want to answer" must not count as an answer)
        if slot in (CONFIRM_SLOT, CHANGE_SLOT):
            return True
        if slot == "pregnancy_stage":
            return updates.get(slot) != UNSURE
        return updates.get("complaint", "other") != "other"

    def volunteered(self, tracker: Tracker) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") == CHANGE_SLOT:
            return {}  # the button titles name conditions; they choose, not answer
        return volunteered_answers(latest_text(tracker), latest_mentions(tracker), load_screening())

    def after_answers(self, answers: Dict[str, Any]) -> Dict[str, Any]:
        to_change = answers.get(CHANGE_SLOT)
        if to_change:  # forget that answer, so the form asks it again, then confirms again
            reset = {to_change: None, CONFIRM_SLOT: None, CHANGE_SLOT: None}
            if to_change == "pregnant":
                reset["pregnancy_stage"] = None
            return reset
        if answers.get("pregnant") in (NO, UNSURE) and answers.get("pregnancy_stage"):
            return {"pregnancy_stage": None}
        return {}

    def acknowledge_changes(self, changed: List[str], dispatcher: CollectingDispatcher) -> None:
        screening = load_screening()
        names = ", ".join(screening.question(slot).summary.lower() for slot in changed)
        dispatcher.utter_message(text=f"Thanks, I've updated your answer about: {names}.")

    def explain_unclear(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        if slot in (CONFIRM_SLOT, CHANGE_SLOT):
            text = "Sorry, I didn't catch that. Please choose one of the options below."
        else:
            text = load_screening().question(slot).unclear
        dispatcher.utter_message(text=text)

    def give_up(self, dispatcher: CollectingDispatcher) -> None:
        facts = load_clinic_facts()
        dispatcher.utter_message(
            text=(
                "I'm sorry, I'm having trouble understanding your answers. Let's stop the "
                f"questions here: the team at {facts.name} will gladly help you on "
                f"{facts.contact_line()}."
            )
        )

    def _complaint(self, text: str, tracker: Tracker) -> Dict[str, Any] | None:
        options = load_screening().question("complaint").options
        injuries = load_injuries()
        for mention in latest_mentions(tracker):
            if mention.label == "injury" and not mention.negated:
                return {"complaint": mention.id if mention.id in options else "other"}
        clean = normalise(text)
        for option in options:
            if clean in (
                option,
                normalise(injuries[option].button),
                normalise(injuries[option].title),
            ):
                return {"complaint": option}
        # any other description is fine: the therapist will look at it; we keep
        # only "other", not the runner's words (collect the minimum)
        if clean and parse_yes_no(text) is None:
            return {"complaint": "other"}
        return None

    def _question_to_change(self, text: str, tracker: Tracker) -> str | None:
        answered = [s for s in load_screening().answer_slots if tracker.get_slot(s) is not None]
        clean = normalise(text)
        number = re.fullmatch(r"(\d+)", clean)
        if number and 1 <= int(number.group(1)) <= len(answered):
            return answered[int(number.group(1)) - 1]
        screening = load_screening()
        for slot in answered:
            if clean == normalise(screening.question(slot).summary):
                return slot
        for slot in answered:
            if any(keyword in clean for keyword in CHANGE_KEYWORDS.get(slot, ())):
                return slot
        return None
