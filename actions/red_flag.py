"""Urgent advice for symptoms that need a doctor; no booking link."""

from __future__ import annotations

from typing import List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    RED_FLAG_SLOT,
    booking_link_was_shown,
    clear_health_answers,
    earlier_user_texts,
    latest_text,
    screening_message,
)
from clinic_assistant.commands import is_command
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.metrics import count_screening_outcome
from clinic_assistant.red_flags import RedFlag, alarm_message, find_red_flags

# How many of the runner's messages one description may be split over ("it's" / "gone
# all swollen and red and hot" / "since I got off the plane")
PIECES = 3


def raise_red_flag(
    dispatcher: CollectingDispatcher, tracker: Tracker, flags: Sequence[RedFlag]
) -> List[EventType]:
    """The urgent advice, the booking link withdrawn if it was shown, and the latch."""
    count_screening_outcome("red_flag")
    facts = load_clinic_facts().as_template_values()
    dispatcher.utter_message(text=alarm_message(flags, facts))
    if booking_link_was_shown(tracker):
        dispatcher.utter_message(text=screening_message("link_withdrawn"))
    # the latch: no booking link for the rest of this session
    return [*clear_health_answers(), SlotSet(RED_FLAG_SLOT, True)]


def red_flags_told_in_pieces(tracker: Tracker) -> List[RedFlag]:
    """A red flag that no single message shows, but the runner's last messages do when
    read together, with the complaint they named ("my calf" at the start, then "it's" /
    "gone all swollen and red and hot" at a later question): principle 5, a false alarm
    rather than a missed one."""
    text = latest_text(tracker)
    if not text or is_command(text):
        return []
    pieces = [*earlier_user_texts(tracker)[-(PIECES - 1) :], text]
    complaint = tracker.get_slot("complaint")
    if complaint and complaint != "other":
        pieces.insert(0, f"my {complaint.replace('_', ' ')}")
    together = find_red_flags(". ".join(pieces))
    if not together:
        return []
    alone = {flag.id for piece in pieces[-PIECES:] for flag in find_red_flags(piece)}
    return [flag for flag in together if flag.id not in alone]


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return raise_red_flag(dispatcher, tracker, find_red_flags(latest_text(tracker)))
