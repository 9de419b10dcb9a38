"""Erase the runner's conversation on request.

The tracker store does the erasing (clinic_assistant.rasa.tracker_store): when
it saves a conversation whose last action is this one, it deletes the stored
conversation instead. This action forgets the slots; utter_delete_done follows.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import clear_health_answers


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return clear_health_answers()
