"""A red flag named only in a denial ("no chest pain, just a sore knee"): a
one-line check instead of the full alarm (clinic safety principle 5)."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_text
from actions.red_flag import alarm_if_told_in_pieces
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.red_flags import check_question_template, find_denied_red_flags


class ActionRedFlagCheck(Action):
    def name(self) -> str:
        return "action_red_flag_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # "left calf" / "it's gone all puffy and hot, right one's normal": the latest
        # message alone reads like a denial, but with the ones before it the signs are
        # affirmed (principle 5: a false alarm rather than a missed one)
        if (alarm := alarm_if_told_in_pieces(dispatcher, tracker)) is not None:
            return alarm
        flags = find_denied_red_flags(latest_text(tracker))
        names = " or ".join(flag.name for flag in flags) or "symptoms like these"
        facts = load_clinic_facts()
        dispatcher.utter_message(
            text=check_question_template().format(
                names=names, emergency_number=facts.emergency_number, doctor=facts.doctor
            )
        )
        return []
