"""What the console reads from the assistant's conversation store.

The store is the assistant's own (clinic_assistant.privacy.open_store: SQLite by
default, PostgreSQL in the scaled profile); the console keeps no copy of it, so
erasure and retention of a conversation remove it from every console page.

Messages sent while a form was active (the screening answers, a question being
left for the clinic and its contact) are never read as "could not answer": only
counted.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Set, Tuple

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.commands import is_command
from clinic_assistant.rasa.content_answers import (
    ANSWER_INTENTS,
    CONTENT_INTENTS,
    DONT_KNOW,
    GUARD_DEFAULTS,
    RETRIEVAL_INTENT,
    selected_answer_confidence,
)
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore
from clinic_assistant.screening.rules import Screening, conclude, load_screening

# The first reply to a message says whether the assistant could answer it.
REPLY_KINDS = {
    "action_dont_know": "dont_know",
    DONT_KNOW: "dont_know",  # in the middle of the screening
    "utter_out_of_scope": "out_of_scope",
    "utter_default": "fallback",
    "action_default_fallback": "fallback",
    "action_two_stage_fallback": "fallback",
}
KIND_LABELS = {
    "dont_know": "honest \u201cdon't know\u201d",
    "out_of_scope": "out of scope",
    "fallback": "did not understand",
    "low_confidence": "unsure answer",
}
# An answer from the content is listed too when it was given with less than this
# much more confidence than the answer guard's threshold (config.yml).
LOW_CONFIDENCE_MARGIN = 0.1
OUTCOMES = ("clear", "ruled_out", "unsure", "stopped", "red_flag")
OUTCOME_LABELS = {
    "clear": "nothing ruled it out (link shown)",
    "ruled_out": "ruled out",
    "unsure": "unsure: sent to the clinic",
    "stopped": "stopped (unclear answers or someone else answering)",
    "red_flag": "red flag earlier: no link",
}
EVENT_TYPES = ("user", "action", "slot", "active_loop", "bot", "session_started")
NON_REPLIES = frozenset({"action_listen", "action_session_start", "action_unlikely_intent"})


def day_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Unanswered:
    """A runner's message the assistant could not answer (text as stored)."""

    text: str
    timestamp: float
    kind: str


@dataclass
class Summary:
    conversations: Dict[str, Set[str]] = field(default_factory=lambda: defaultdict(set))
    messages: Counter = field(default_factory=Counter)
    outcomes: Dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    red_flags: Counter = field(default_factory=Counter)
    not_answered: Dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    unanswered: List[Unanswered] = field(default_factory=list)

    def days(self) -> List[str]:
        found = set(self.conversations) | set(self.outcomes) | set(self.red_flags)
        return sorted(found | set(self.not_answered))


def _rows(store: PrivacySQLTrackerStore) -> Iterator[Tuple[str, str, float, str]]:
    event = store.SQLEvent
    with store.session_scope() as session:
        query = (
            session.query(event.sender_id, event.type_name, event.timestamp, event.data)
            .filter(event.type_name.in_(EVENT_TYPES))
            .order_by(event.sender_id, event.id)
        )
        yield from query.yield_per(2000)


class _Conversation:
    """Walks one sender's events in order."""

    def __init__(
        self, summary: Summary, screening: Screening, low_confidence: Dict[str, float]
    ) -> None:
        self.summary = summary
        self.screening = screening
        self.low_confidence = low_confidence
        self.reset()

    def reset(self) -> None:
        self.active_loop: str | None = None
        self.slots: Dict[str, Any] = {}
        self.pending: Dict[str, Any] | None = None  # the latest message, awaiting its reply

    def feed(self, sender: str, type_name: str, timestamp: float, data: Dict[str, Any]) -> None:
        day = day_of(timestamp)
        if type_name == "session_started":
            self.reset()
        elif type_name == "active_loop":
            self.active_loop = data.get("name")
        elif type_name == "slot":
            self.slots[data.get("name")] = data.get("value")
        elif type_name == "user":
            self.summary.conversations[day].add(sender)
            self.summary.messages[day] += 1
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            self.pending = {
                "text": data.get("text") or "",
                "timestamp": timestamp,
                "intent": intent.get("name"),
                "confidence": intent.get("confidence"),
                "answer_confidence": selected_answer_confidence(parse),
                "in_form": self.active_loop is not None
                or self.slots.get("requested_slot") is not None,
            }
        elif type_name == "action":
            self._action(data.get("name") or "", day, timestamp)

    def _action(self, name: str, day: str, timestamp: float) -> None:
        if name == "action_red_flag":
            self.summary.red_flags[day] += 1
        if name == "action_screening_decision":
            self.summary.outcomes[day][self._outcome()] += 1
        if name in NON_REPLIES or self.pending is None:
            return
        message, self.pending = self.pending, None
        kind = REPLY_KINDS.get(name)
        if kind is None and message["intent"] in CONTENT_INTENTS:
            confidence = (
                message["answer_confidence"]
                if message["intent"] == RETRIEVAL_INTENT
                else message["confidence"]
            )
            if confidence is not None and confidence < self.low_confidence[message["intent"]]:
                kind = "low_confidence"
        if kind is None:
            return
        self.summary.not_answered[day][kind] += 1
        text = message["text"]
        # never the screening answers (or a question being left): only counted
        if not message["in_form"] and text and not is_command(text):
            self.summary.unanswered.append(Unanswered(text, message["timestamp"], kind))

    def _outcome(self) -> str:
        """What action_screening_decision concluded, decided again the same way
        (actions/screening_decision.py) from the answers as they were stored when
        it ran; only the outcome is kept."""
        answers = {slot: self.slots.get(slot) for slot in self.screening.answer_slots}
        return conclude(
            answers,
            self.screening,
            stopped=bool(self.slots.get("screening_stopped")),
            red_flag_raised=bool(self.slots.get("red_flag_raised")),
        ).outcome


def low_confidence_limits(config: Path = PROJECT_ROOT / "config.yml") -> Dict[str, float]:
    """Per content intent: below this confidence an answer counts as unsure (the
    answer guard's threshold in config.yml plus a margin; the guard stores its
    combined confidence with every content answer it lets through)."""
    guard: Dict[str, Any] = dict(GUARD_DEFAULTS)
    with open(config, encoding="utf-8") as handle:
        for component in yaml.safe_load(handle).get("pipeline") or []:
            if str(component.get("name", "")).endswith("AnswerGuard"):
                guard = {**GUARD_DEFAULTS, **component}
    limit = round(float(guard["answer_threshold"]) + LOW_CONFIDENCE_MARGIN, 3)
    return {RETRIEVAL_INTENT: limit, **{name: limit for name in ANSWER_INTENTS}}


def summarise(store: PrivacySQLTrackerStore) -> Summary:
    summary = Summary()
    screening = load_screening()
    limits = low_confidence_limits()
    sender, walker = None, None
    for row_sender, type_name, timestamp, data in _rows(store):
        if row_sender != sender:
            sender, walker = row_sender, _Conversation(summary, screening, limits)
        walker.feed(row_sender, type_name, timestamp or 0.0, json.loads(data))
    return summary


def daily_rows(summary: Summary, questions_by_day: Dict[str, int]) -> List[Dict[str, Any]]:
    """One row per day with activity, newest first."""
    days = sorted(set(summary.days()) | set(questions_by_day), reverse=True)
    return [
        {
            "day": day,
            "conversations": len(summary.conversations.get(day, ())),
            "messages": summary.messages.get(day, 0),
            "outcomes": {o: summary.outcomes.get(day, Counter()).get(o, 0) for o in OUTCOMES},
            "red_flags": summary.red_flags.get(day, 0),
            "not_answered": {
                k: summary.not_answered.get(day, Counter()).get(k, 0) for k in KIND_LABELS
            },
            "questions": questions_by_day.get(day, 0),
        }
        for day in days
    ]


def totals(rows: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    total: Dict[str, Any] = {
        "conversations": 0,
        "red_flags": 0,
        "questions": 0,
        "outcomes": Counter(),
        "not_answered": Counter(),
    }
    for row in rows:
        for key in ("conversations", "red_flags", "questions"):
            total[key] += row[key]
        total["outcomes"].update(row["outcomes"])
        total["not_answered"].update(row["not_answered"])
    return total
