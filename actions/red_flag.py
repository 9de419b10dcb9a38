"""Urgent advice for symptoms that need a doctor; no booking link."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    RED_FLAG_SLOT,
    booking_link_was_shown,
    clear_health_answers,
    latest_text,
    screening_message,
)
from clinic_assistant.config import ClinicFacts, load_clinic_facts
from clinic_assistant.metrics import count_screening_outcome
from clinic_assistant.red_flags import RedFlag, find_red_flags


def red_flag_message(flags: List[RedFlag], facts: ClinicFacts) -> str:
    advice = " ".join(flag.advice for flag in flags)
    if not flags or any(flag.severity == "emergency" for flag in flags):
        action = (
            f"If it is severe or getting worse, call the emergency number {facts.emergency_number} "
            f"now. Otherwise, please see {facts.doctor} today."
        )
    else:
        action = (
            f"Please contact {facts.doctor} today, before any physiotherapy or dry needling. "
            f"If it is severe, call {facts.emergency_number}."
        )
    return (
        f"What you describe needs a doctor's attention first, not a physiotherapist. {advice} "
        f"{action} I'll stop here; once a doctor has checked you, {facts.name} is happy to help "
        f"({facts.phone})."
    )


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        count_screening_outcome("red_flag")
        flags = find_red_flags(latest_text(tracker))
        dispatcher.utter_message(text=red_flag_message(flags, load_clinic_facts()))
        if booking_link_was_shown(tracker):
            dispatcher.utter_message(text=screening_message("link_withdrawn"))
        # the latch: no booking link for the rest of this session
        return [*clear_health_answers(), SlotSet(RED_FLAG_SLOT, True)]
