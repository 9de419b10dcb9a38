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
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.metrics import count_screening_outcome
from clinic_assistant.red_flags import alarm_message, find_red_flags


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        count_screening_outcome("red_flag")
        flags = find_red_flags(latest_text(tracker))
        facts = load_clinic_facts().as_template_values()
        dispatcher.utter_message(text=alarm_message(flags, facts))
        if booking_link_was_shown(tracker):
            dispatcher.utter_message(text=screening_message("link_withdrawn"))
        # the latch: no booking link for the rest of this session
        return [*clear_health_answers(), SlotSet(RED_FLAG_SLOT, True)]
