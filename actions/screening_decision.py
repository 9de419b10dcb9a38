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
from clinic_assistant.config import ClinicFacts, load_clinic_facts
from clinic_assistant.indications import load_injuries
from clinic_assistant.metrics import count_screening_outcome
from clinic_assistant.screening.rules import Decision, decide, load_screening


def decision_message(decision: Decision, complaint: str | None, facts: ClinicFacts) -> str:
    if decision.outcome == "clear":
        injury = load_injuries().get(complaint or "")
        about = (
            f" {injury.title[0].upper() + injury.title[1:]} is one of the running injuries dry "
            "needling is often used for."
            if injury and injury.in_article
            else ""
        )
        cautions = "".join(f" {caution}" for caution in decision.cautions)
        return (
            "Thank you. Nothing in your answers rules dry needling out."
            + about
            + cautions
            + " This is not a medical clearance: the physiotherapist examines you first and "
            "decides together with you whether dry needling is right for you.\n"
            f"You can book an appointment here: {facts.booking_url}"
        )
    contact = (
        "The physiotherapist can still help with your running injury in other ways. Please "
        f"contact {facts.name} on {facts.contact_line()} to talk it through."
    )
    if decision.outcome == "ruled_out":
        reasons = " ".join(reason.explanation for reason in decision.reasons)
        titles = " and ".join(reason.title for reason in decision.reasons)
        return f"Thank you for your answers. Because of {titles}: {reasons}\n{contact}"
    unsure = ", ".join(q.summary.lower() for q in decision.unsure_about)
    return (
        "Thank you for your answers. As you weren't sure about one of the questions "
        f"({unsure}), I can't check here whether dry needling is suitable. {contact}"
    )


class ActionScreeningDecision(Action):
    def name(self) -> str:
        return "action_screening_decision"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        facts = load_clinic_facts()
        if tracker.get_slot("screening_stopped"):
            count_screening_outcome("stopped")
            return clear_health_answers()  # the form already explained why
        answers = current_answers(tracker)
        decision = decide(answers, load_screening())
        if tracker.get_slot(RED_FLAG_SLOT):  # the red-flag latch: never a link
            count_screening_outcome("red_flag")
            dispatcher.utter_message(response="utter_screening_intro")
            return clear_health_answers()
        count_screening_outcome(decision.outcome)
        text = decision_message(decision, answers.get("complaint"), facts)
        if not decision.shows_booking_link and booking_link_was_shown(tracker):
            text = screening_message("link_withdrawn") + "\n" + text
        if decision.shows_booking_link:
            dispatcher.utter_message(
                text=text,
                buttons=[{"title": "Book an appointment", "payload": facts.booking_url}],
            )
        else:
            dispatcher.utter_message(text=text)
        return clear_health_answers()
