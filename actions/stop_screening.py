"""Cancel the screening on request (or when the runner writes in a language the
assistant can't read); the answers given so far are forgotten."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import clear_health_answers, screening_message


class ActionStopScreening(Action):
    def name(self) -> str:
        return "action_stop_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_intent_of_latest_message(skip_fallback_intent=False) == "other_language":
            pass  # utter_other_language already said why and gave the contact
        elif tracker.active_loop.get("name"):
            dispatcher.utter_message(text=screening_message("stopped"))
        else:
            dispatcher.utter_message(text=screening_message("nothing_to_stop"))
        return clear_health_answers()
