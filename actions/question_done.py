"""After question_form: confirm what was kept, or that nothing was."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.validate_question_form import CONSENT_SLOT, CONTACT_SLOT, QUESTION_SLOT
from clinic_assistant.screening.rules import YES


class ActionQuestionDone(Action):
    def name(self) -> str:
        return "action_question_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        kept = tracker.get_slot(CONSENT_SLOT) == YES and tracker.get_slot(QUESTION_SLOT)
        dispatcher.utter_message(
            response="utter_question_kept" if kept else "utter_question_not_kept"
        )
        # the stored events keep what was agreed to; the live slots start fresh
        return [SlotSet(slot, None) for slot in (CONSENT_SLOT, QUESTION_SLOT, CONTACT_SLOT)]
