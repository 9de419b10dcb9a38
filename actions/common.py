"""Helpers shared by the actions: the spaCy pipeline, health slots, clinic facts."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Iterator, List, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from spacy.language import Language

from clinic_assistant.commands import is_command
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.nlp.pipeline import (
    DEFAULT_PIPELINE_DIR,
    Mention,
    find_mentions,
    load_pipeline,
)
from clinic_assistant.red_flags import without_own_questions
from clinic_assistant.screening.answers import UNSURE, YES
from clinic_assistant.screening.rules import CHANGE_SLOT, CONFIRM_SLOT, load_screening
from clinic_assistant.screening.volunteered import PRECEDENCE, read_message

# The cautious answers read from what the runner said before pressing "Start over".
SAID_BEFORE_START_OVER_SLOT = "said_before_start_over"
# Every slot that holds a health answer or screening state; cleared together.
# (`red_flag_raised` is not one: it stays for the whole session.)
SCREENING_STATE_SLOTS = (
    "unclear_answers",
    "screening_stopped",
    CONFIRM_SLOT,
    CHANGE_SLOT,
    SAID_BEFORE_START_OVER_SLOT,
)
RED_FLAG_SLOT = "red_flag_raised"


def confirmation_titles() -> Tuple[str, str]:
    """The summary's two buttons (clinic/screening.yml): "that's right" and "change"."""
    return screening_message("confirm_yes"), screening_message("confirm_change")


def screening_message(key: str, **values: str) -> str:
    """A sentence from clinic/screening.yml `messages`, with the clinic's facts."""
    messages = load_screening().messages
    buttons = {"confirm_yes": messages["confirm_yes"], "confirm_change": messages["confirm_change"]}
    return messages[key].format(**load_clinic_facts().as_template_values(), **buttons, **values)


def session_events(tracker: Tracker) -> Iterator[Dict[str, Any]]:
    """The events of the current session (after the latest session start)."""
    events = tracker.events or []
    start = max(
        (i for i, e in enumerate(events) if e.get("event") == "session_started"), default=-1
    )
    yield from events[start + 1 :]


def red_flag_in_session(tracker: Tracker) -> bool:
    """Whether a red flag was raised in this session (the latch, or its events)."""
    return bool(tracker.get_slot(RED_FLAG_SLOT)) or any(
        e.get("event") == "slot" and e.get("name") == RED_FLAG_SLOT and e.get("value")
        for e in session_events(tracker)
    )


def earlier_user_texts(tracker: Tracker) -> List[str]:
    """What the runner typed earlier in this session (not button payloads), oldest first."""
    texts = [
        e.get("text") or ""
        for e in session_events(tracker)
        if e.get("event") == "user" and not is_command(e.get("text") or "")
    ]
    return texts[:-1] if texts and texts[-1] == latest_text(tracker) else texts


def other_language_in_session(tracker: Tracker) -> bool:
    """Whether the runner wrote in another language in this session (the
    safety classifier's `other_language`): those answers could not be read."""
    return any(
        e.get("event") == "user"
        and ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "other_language"
        for e in session_events(tracker)
    )


def booking_link_was_shown(tracker: Tracker) -> bool:
    url = load_clinic_facts().booking_url
    for event in session_events(tracker):
        if event.get("event") != "bot":
            continue
        buttons = (event.get("data") or {}).get("buttons") or []
        if url in (event.get("text") or "") or any(b.get("payload") == url for b in buttons):
            return True
    return False


def nlp() -> Language:
    """The clinic's spaCy pipeline, loaded on first use (not at import)."""
    return load_pipeline(os.environ.get("CLINIC_SPACY_MODEL", str(DEFAULT_PIPELINE_DIR)))


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_mentions(tracker: Tracker) -> List[Mention]:
    text = latest_text(tracker)
    return find_mentions(nlp(), text) if text and not is_command(text) else []


def clear_health_answers() -> List[EventType]:
    """SlotSets that forget every health answer (after a decision, cancel, red flag)."""
    slots = [*load_screening().answer_slots, *SCREENING_STATE_SLOTS]
    return [SlotSet(slot, 0 if slot == "unclear_answers" else None) for slot in slots]


def cautious_answers(
    texts: List[str],
    found: Dict[str, Any] | None = None,
    answered: Iterable[Dict[str, Any]] = (),
) -> Dict[str, Any]:
    """The screening answers that the runner's messages give (and the `answered` slot
    values), only the cautious ones (yes, unsure, a pregnancy stage), the most cautious
    first; added to `found`."""
    screening = load_screening()
    found = dict(found or {})
    # the screening's own questions pasted back with "N" to each name no condition
    texts = [without_own_questions(text) for text in texts]
    readings = [read_message(text, find_mentions(nlp(), text), screening).answers for text in texts]
    for answers in [*readings, *answered]:
        for slot, value in answers.items():
            if slot == "complaint" or value not in (YES, UNSURE) and slot != "pregnancy_stage":
                continue
            if slot == "pregnancy_stage" or PRECEDENCE[value] >= PRECEDENCE.get(found.get(slot), 0):
                found[slot] = value
    if found.get("pregnant") != YES:
        found.pop("pregnancy_stage", None)
    return found


def answers_given_in_session(tracker: Tracker) -> List[Dict[str, Any]]:
    """Every screening answer the form stored in this session, as {slot: value}."""
    slots = set(load_screening().answer_slots)
    return [
        {e["name"]: e.get("value")}
        for e in session_events(tracker)
        if e.get("event") == "slot" and e.get("name") in slots and e.get("value") is not None
    ]
