"""Answers "can dry needling help my <injury>?" for the injury named."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_mentions
from clinic_assistant.indications import indication_answer


class ActionAnswerIndication(Action):
    def name(self) -> str:
        return "action_answer_indication"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        injuries = [m.id for m in latest_mentions(tracker) if m.label == "injury"]
        dispatcher.utter_message(text=indication_answer(injuries))
        return []
