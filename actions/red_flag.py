"""Urgent advice for symptoms that need a doctor; no booking link."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, FrozenSet, List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    RED_FLAG_SLOT,
    booking_link_was_shown,
    clear_health_answers,
    confirmation_titles,
    earlier_user_texts,
    latest_text,
    nlp,
    screening_message,
)
from clinic_assistant.commands import is_command
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.metrics import count_screening_outcome
from clinic_assistant.nlp.pipeline import find_mentions
from clinic_assistant.red_flags import RedFlag, alarm_message, find_red_flags
from clinic_assistant.screening.answers import PLAIN_NO, YES_PHRASES
from clinic_assistant.screening.prompts import YES_NO_BUTTONS

# How many of the runner's messages one description may be split over ("it's" / "gone
# all swollen and red and hot" / "since I got off the plane"), with a remark or two in
# between ("sorry, the dog's going mental at the postman"); a tapped "No" is no part
PIECES = 6
_BODY_PART_LABELS = ("body_part", "injury")
# "back" is a body part in "my back", not in "flew back" or "round the back of it"
_OWN_BACK = re.compile(r"\b(?:my|his|her|lower|upper|mid)\s+back\b")
_GOES_ON = re.compile(r"\s*(?:or|nor|and|,)\b")


def _letters(text: str) -> str:
    return " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())


@lru_cache(maxsize=1)
def _plain_answers() -> FrozenSet[str]:
    """What a tap or a plain typed yes/no says: the buttons' titles and the plain words
    the screening reads as yes or no; such a message is no piece of a description."""
    titles = [b["title"] for b in YES_NO_BUTTONS] + list(confirmation_titles())
    return frozenset(_letters(t) for t in [*titles, *PLAIN_NO, *YES_PHRASES])


def told_together(
    texts: Sequence[str], complaint: str | None, names_a_body_part: Callable[[str], bool]
) -> str:
    """The runner's last messages as one description: the latest one with those before
    it, up to the nearest that names a body part (signs told after "my knee" are the
    knee's, not the calf's named before it); with none, the complaint they named."""
    pieces = [t for t in texts if _letters(t) not in _plain_answers()][-PIECES:]
    # "no swelling" / "or redness": a piece that goes on with "or" or "and" continues the
    # sentence before it, denial and all
    sentences: List[str] = []
    for piece in pieces:
        if sentences and _GOES_ON.match(piece.lower()):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    together: List[str] = []
    body_part_named = False
    for sentence in reversed(sentences):
        names_one = names_a_body_part(sentence)  # each sentence read once
        if names_one and body_part_named:
            break
        together.insert(0, sentence)
        body_part_named = body_part_named or names_one
    if complaint and complaint != "other" and not body_part_named:
        together.insert(0, f"my {complaint.replace('_', ' ')}")
    return ". ".join(together)


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


def names_a_body_part(text: str) -> bool:
    lowered = text.lower()
    return any(
        m.label in _BODY_PART_LABELS
        and (m.id != "back" or _OWN_BACK.search(lowered))
        and not _only_places_or_clears(lowered, m.text.lower())
        for m in find_mentions(nlp(), text)
    )


def _only_places_or_clears(text: str, part: str) -> bool:
    """ "swollen just below the knee" places a sign on the leg named before; "my knee's
    fine" says nothing is wrong there: neither names the body part the signs belong to,
    so the pieces before it are still read with them (principle 5)."""
    part = re.escape(part)
    return bool(
        re.search(
            rf"\b(?:below|under|underneath|beneath|above|behind|near) (?:the|my|me) {part}\b", text
        )
        or re.search(
            rf"\b{part}(?:'s| is| feels| felt| was| seems)? (?:totally |completely |absolutely "
            rf"|all |perfectly )?(?:fine|ok|okay|good|normal|alright|all right|grand|sound)\b",
            text,
        )
    )


def red_flags_told_in_pieces(tracker: Tracker) -> List[RedFlag]:
    """A red flag that no single message shows, but the runner's last messages do when
    read together ("my calf" at the start, then "it's" / "gone all swollen and red and
    hot" at a later question): principle 5, a false alarm rather than a missed one."""
    text = latest_text(tracker)
    if not text or is_command(text):
        return []
    texts = [*earlier_user_texts(tracker), text]
    complaint = tracker.get_slot("complaint")
    # most messages: nothing even in all the last ones together, so no body parts to read
    if not find_red_flags(told_together(texts, complaint, lambda _: False)):
        return []
    together = find_red_flags(told_together(texts, complaint, names_a_body_part))
    if not together:
        return []
    alone = {flag.id for piece in texts[-PIECES:] for flag in find_red_flags(piece)}
    return [flag for flag in together if flag.id not in alone]


def alarm_if_told_in_pieces(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType] | None:
    """The alarm's events when the runner's last messages together tell a red flag
    that none shows alone (principles 4 and 5), else None: for the replies after the
    screening that would otherwise not read the messages before."""
    flags = red_flags_told_in_pieces(tracker)
    return raise_red_flag(dispatcher, tracker, flags) if flags else None


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return raise_red_flag(dispatcher, tracker, find_red_flags(latest_text(tracker)))
