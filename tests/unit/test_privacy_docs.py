"""docs/privacy.md says what the code does: the retention period, the stored
fields, the metrics and the retention's log line."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List, Set

import pytest
from prometheus_client import REGISTRY
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.channels.ops import run_retention
from clinic_assistant.privacy import (
    DEFAULT_RETENTION_DAYS,
    DEFAULT_RETENTION_INTERVAL_SECONDS,
)
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore, Removed

DOC = (PROJECT_ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
# one event of each kind the doc describes, as Rasa stores it (the integration
# test tests/integration/test_privacy_erasure.py checks a real store holds no other)
MODEL = {"model_id": "m1", "assistant_id": "a1"}  # Rasa adds these to every event
EVENTS = {
    "user": UserUttered("hi", {"name": "greet"}, input_channel="rest", message_id="1",
                        metadata=MODEL),
    "bot": BotUttered("hello", {"buttons": []}, metadata=MODEL),
    "slot": SlotSet("pregnant", "no", metadata=MODEL),
    "action": ActionExecuted("utter_greet", metadata=MODEL),
    "session_started": SessionStarted(metadata=MODEL),
    "active_loop": ActiveLoop("screening_form", metadata=MODEL),
    "loop_interrupted": LoopInterrupted(True, metadata=MODEL),
    "action_execution_rejected": ActionExecutionRejected("screening_form", metadata=MODEL),
    "user_featurization": DefinePrevUserUtteredFeaturization(False, metadata=MODEL),
    "followup": FollowupAction("screening_form", metadata=MODEL),
    "rewind": UserUtteranceReverted(metadata=MODEL),
    "restart": Restarted(metadata=MODEL),
    "reset_slots": AllSlotsReset(metadata=MODEL),
}  # fmt: skip


def section(heading: str) -> str:
    """The text under a markdown heading, up to the next heading."""
    start = DOC.index(heading + "\n") + len(heading)
    following = re.search(r"^#{1,4} ", DOC[start:], flags=re.M)
    return DOC[start : start + following.start()] if following else DOC[start:]


def table_rows(text: str) -> List[List[str]]:
    """The cells of the markdown table rows in `text`, header and rule left out."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]
    return rows[2:]


def code_names(cell: str) -> Set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def test_the_retention_period_in_the_doc_is_the_default() -> None:
    stated = {int(days) for days in re.findall(r"\b(\d+) days\b", DOC)}
    assert stated == {DEFAULT_RETENTION_DAYS}
    settings = {row[0]: row[1] for row in table_rows(section("## How long"))}
    assert settings["`RETENTION_DAYS`"] == f"{DEFAULT_RETENTION_DAYS:g}"
    assert settings["`RETENTION_INTERVAL_SECONDS`"] == f"{DEFAULT_RETENTION_INTERVAL_SECONDS:g}"
    assert DEFAULT_RETENTION_INTERVAL_SECONDS == 3600  # "every hour" in the doc and the notice
    assert "every hour" in section("## How long")
    readme = {row[0]: row[1] for row in table_rows(README) if len(row) > 1}
    assert readme["`RETENTION_DAYS`"] == f"{DEFAULT_RETENTION_DAYS:g}"
    assert readme["`RETENTION_INTERVAL_SECONDS`"] == f"{DEFAULT_RETENTION_INTERVAL_SECONDS:g}"


def test_responses_take_the_period_from_the_setting() -> None:
    domain = (PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")
    assert "{retention_days} days" in domain
    assert not re.search(r"\b\d+ days\b", domain)


def test_the_doc_lists_every_column_of_the_events_table() -> None:
    listed = {name for row in table_rows(section("### The `events` table")) for name in
              code_names(row[0])}  # fmt: skip
    assert listed == set(PrivacySQLTrackerStore.SQLEvent.__table__.columns.keys())


def test_the_doc_lists_what_each_stored_event_holds() -> None:
    documented: Dict[str, Set[str]] = {
        next(iter(code_names(row[0]))): code_names(row[1])
        for row in table_rows(section("### What the events hold (`data`)"))
    }
    assert set(documented) == set(EVENTS)
    for kind, event in EVENTS.items():
        assert event.type_name == kind
        assert documented[kind] == set(event.as_dict()), kind


def test_the_doc_lists_every_slot() -> None:
    listed = {
        name
        for row in table_rows(section("### The values the assistant records (slots)"))
        for name in code_names(row[0])
    }
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    assert listed == {slot.name for slot in domain.slots}


def test_the_metrics_named_in_the_doc_exist() -> None:
    exposed = set()
    for metric in REGISTRY.collect():
        exposed.add(metric.name + ("_total" if metric.type == "counter" else ""))
    named = set(re.findall(r"\b(clinic_[a-z_]+)\b(?![/.])", DOC)) - {"clinic_assistant"}
    assert {"clinic_retention_last_run_timestamp_seconds", "clinic_erasures_total"} <= named
    assert named <= exposed


class OneRunStore:
    def __init__(self) -> None:
        self.days: float | None = None

    def apply_retention(self, days: float) -> Removed:
        self.days = days
        return Removed(conversations=2, events=95)


async def test_the_retention_logs_what_the_doc_says_and_only_counts(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    store = OneRunStore()
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    started = time.time()
    with caplog.at_level(logging.INFO, logger="clinic_assistant.channels.ops"):
        await run_retention(app)
    assert store.days == DEFAULT_RETENTION_DAYS
    (logged,) = (r.getMessage() for r in caplog.records if "Retention" in r.getMessage())
    (quoted,) = re.findall(r"`(Retention \(.*?)`", DOC)
    assert logged == quoted
    assert REGISTRY.get_sample_value("clinic_retention_last_run_timestamp_seconds") >= started
    assert REGISTRY.get_sample_value("clinic_retention_last_run_removed", {"kind": "events"}) == 95


def test_the_doc_names_the_tests_it_cites() -> None:
    for path in re.findall(r"`(tests/[\w/]+\.py)`", DOC):
        assert Path(PROJECT_ROOT, path).is_file(), path
