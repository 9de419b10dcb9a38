"""A new session; after "Start over", what the runner said before still counts."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    RED_FLAG_SLOT,
    SAID_BEFORE_START_OVER_SLOT,
    answers_given_in_session,
    cautious_answers,
    earlier_user_texts,
    red_flag_in_session,
)


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        # "Start over" restarts Rasa's tracker, but the same runner is still here: a red
        # flag stays (safety principle 5), and what they said about their health is still
        # an earlier answer that a later "no" contradicts (principles 4 and 6). A session
        # that began after an hour's silence starts clean.
        last_action = next(
            (e.get("name") for e in reversed(tracker.events) if e.get("event") == "action"), None
        )
        if last_action == "action_restart":
            if red_flag_in_session(tracker):
                events.append(SlotSet(RED_FLAG_SLOT, True))
            said = cautious_answers(
                earlier_user_texts(tracker),
                tracker.get_slot(SAID_BEFORE_START_OVER_SLOT),
                answers_given_in_session(tracker),
            )
            if said:
                events.append(SlotSet(SAID_BEFORE_START_OVER_SLOT, said))
        return [*events, ActionExecuted("action_listen")]
