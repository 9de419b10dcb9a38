"""Before every reply outside the screening (an answer, out of scope, "please rephrase",
a stray yes or no, thanks): the runner's last messages read together for a red flag
told in pieces.

A piece such as "didn't faint, just my head went all spinny" is no question and no
red flag alone, so it gets one of these replies; with "my heart went like the
clappers" before it, it is a red flag (principles 4 and 5: every message read, a
false alarm before a missed one). The rules in data/rules/ run this action before
each reply outside the screening (the screening form reads the pieces itself): when it raises the alarm, it ends the turn, so the
plain reply is not said after it.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.red_flag import alarm_if_told_in_pieces


class ActionReadPieces(Action):
    def name(self) -> str:
        return "action_read_pieces"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if (alarm := alarm_if_told_in_pieces(dispatcher, tracker)) is None:
            return []
        return [*alarm, FollowupAction("action_listen")]
