"""Helpers shared by the actions: the spaCy pipeline, health slots, clinic facts."""

from __future__ import annotations

import os
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from spacy.language import Language

from clinic_assistant.nlp.pipeline import (
    DEFAULT_PIPELINE_DIR,
    Mention,
    find_mentions,
    load_pipeline,
)
from clinic_assistant.screening.rules import CHANGE_SLOT, CONFIRM_SLOT, load_screening

# Every slot that holds a health answer or screening state; cleared together.
SCREENING_STATE_SLOTS = ("unclear_answers", "screening_stopped", CONFIRM_SLOT, CHANGE_SLOT)


def nlp() -> Language:
    """The clinic's spaCy pipeline, loaded on first use (not at import)."""
    return load_pipeline(os.environ.get("CLINIC_SPACY_MODEL", str(DEFAULT_PIPELINE_DIR)))


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_mentions(tracker: Tracker) -> List[Mention]:
    text = latest_text(tracker)
    return find_mentions(nlp(), text) if text and not text.startswith("/") else []


def clear_health_answers() -> List[EventType]:
    """SlotSets that forget every health answer (after a decision, cancel, red flag)."""
    slots = [*load_screening().answer_slots, *SCREENING_STATE_SLOTS]
    return [SlotSet(slot, 0 if slot == "unclear_answers" else None) for slot in slots]
