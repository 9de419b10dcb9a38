"""The conclusion of the screening: booking link only when nothing rules it out."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.ask_screening_question import current_answers
from actions.common import (
    RED_FLAG_SLOT,
    booking_link_was_shown,
    clear_health_answers,
    screening_message,
)
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.indications import indication_message, load_injuries
from clinic_assistant.metrics import count_screening_outcome
from clinic_assistant.screening.rules import Decision, conclude, load_screening


def decision_message(decision: Decision, complaint: str | None) -> str:
    """The conclusion, from clinic/screening.yml `messages` (and indications.yml)."""
    if decision.outcome == "clear":
        injury = load_injuries().get(complaint or "")
        note = (
            indication_message("screening_note", injury.title)
            if injury and injury.in_article
            else ""
        )
        text = screening_message(
            "decision_clear",
            injury_note=f"{note} " if note else "",
            cautions="".join(f"{caution} " for caution in decision.cautions),
        )
        return text + "\n" + screening_message("booking_line")
    if decision.outcome == "ruled_out":
        text = (
            screening_message(
                "decision_ruled_out",
                conditions=" and ".join(reason.title for reason in decision.reasons),
                reasons=" ".join(reason.explanation for reason in decision.reasons),
            )
            + "\n"
        )
    else:
        questions = ", ".join(q.summary.lower() for q in decision.unsure_about)
        text = screening_message("decision_unsure", questions=questions) + " "
    return text + screening_message("other_help")


class ActionScreeningDecision(Action):
    def name(self) -> str:
        return "action_screening_decision"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        answers = current_answers(tracker)
        decision = conclude(
            answers,
            load_screening(),
            stopped=bool(tracker.get_slot("screening_stopped")),
            red_flag_raised=bool(tracker.get_slot(RED_FLAG_SLOT)),
        )
        count_screening_outcome(decision.outcome)
        if decision.outcome == "stopped":
            return clear_health_answers()  # the form already explained why
        if decision.outcome == "red_flag":  # the red-flag latch: never a link
            dispatcher.utter_message(response="utter_screening_intro")
            return clear_health_answers()
        facts = load_clinic_facts()
        text = decision_message(decision, answers.get("complaint"))
        if not decision.shows_booking_link and booking_link_was_shown(tracker):
            text = screening_message("link_withdrawn") + "\n" + text
        if decision.shows_booking_link:
            dispatcher.utter_message(
                text=text,
                buttons=[
                    {"title": screening_message("booking_button"), "payload": facts.booking_url}
                ],
            )
        else:
            dispatcher.utter_message(text=text)
        return clear_health_answers()
