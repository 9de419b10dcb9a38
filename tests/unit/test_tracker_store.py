"""The tracker store's cheaper paths keep exactly what Rasa's store would keep."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.rasa import rasa_version
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def turn(text: str, answer: str) -> List[Event]:
    return [
        UserUttered(text, {"name": "deny", "confidence": 0.9}),
        ActionExecuted("screening_form"),
        SlotSet("pregnant", "no"),
        BotUttered(answer),
        ActionExecuted("action_listen"),
    ]


def stored_events(db: Path, sender: str) -> List[Dict[str, Any]]:
    """The stored rows in order, all columns but the id, without the timestamps
    (two runs never share those; each row's column must equal its event's)."""
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute(
            "select * from events where sender_id = ? order by id", (sender,)
        ).fetchall()
    events = []
    for row in rows:
        event = {**dict(row), "data": json.loads(row["data"])}
        assert event.pop("timestamp") == event["data"].pop("timestamp")
        del event["id"]
        events.append(event)
    return events


async def conversation_in(store: SQLTrackerStore, sender: str, turns: int) -> None:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    for number in range(turns):
        tracker = await store.retrieve(sender)
        tracker.update_with_events(turn(f"no {number}", f"question {number}"), DOMAIN)
        await store.save(tracker)


async def test_stores_the_same_rows_as_rasas_store(tmp_path: Path) -> None:
    ours = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    rasas = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    await conversation_in(ours, "runner", 5)
    await conversation_in(rasas, "runner", 5)
    assert len(stored_events(tmp_path / "ours.db", "runner")) == 3 + 5 * 5
    assert stored_events(tmp_path / "ours.db", "runner") == stored_events(
        tmp_path / "rasa.db", "runner"
    )
    ours_tracker = await ours.retrieve("runner")
    rasas_tracker = await rasas.retrieve("runner")
    assert ours_tracker.events == rasas_tracker.events
    assert ours_tracker.current_slot_values() == rasas_tracker.current_slot_values()


async def test_saving_a_tracker_twice_stores_its_events_once(tmp_path: Path) -> None:
    store = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    await conversation_in(store, "runner", 1)
    tracker = await store.retrieve("runner")
    tracker.update_with_events(turn("no", "next question"), DOMAIN)
    await store.save(tracker)
    await store.save(tracker)
    assert len(stored_events(tmp_path / "c.db", "runner")) == 3 + 2 * 5
    assert (await store.retrieve("runner")).events == tracker.events


async def test_a_new_session_keeps_only_its_events_in_the_tracker(tmp_path: Path) -> None:
    store = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    await conversation_in(store, "runner", 2)
    tracker = await store.retrieve("runner")
    tracker.update_with_events(
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        DOMAIN,
    )
    tracker.update_with_events(turn("hello again", "hi"), DOMAIN)
    await store.save(tracker)
    assert len(stored_events(tmp_path / "c.db", "runner")) == 3 + 2 * 5 + 3 + 5
    latest = await store.retrieve("runner")
    assert [e for e in latest.events if isinstance(e, UserUttered)][0].text == "hello again"


async def test_rows_erased_meanwhile_are_not_written_back(tmp_path: Path) -> None:
    """Staff erase a conversation while its message is being handled."""
    store = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    await conversation_in(store, "runner", 2)
    tracker = await store.retrieve("runner")
    PrivacySQLTrackerStore(
        domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db")
    ).delete_conversation("runner")
    tracker.update_with_events(turn("no", "next"), DOMAIN)
    await store.save(tracker)
    assert len(stored_events(tmp_path / "c.db", "runner")) == 5  # only the new turn


async def test_sqlite_runs_in_wal_mode_without_waiting_for_the_disk(tmp_path: Path) -> None:
    store = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    await conversation_in(store, "runner", 1)
    with sqlite3.connect(tmp_path / "c.db") as connection:
        assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL


async def test_loads_the_same_trackers_as_rasas_store_across_sessions(tmp_path: Path) -> None:
    ours = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "ours.db"))
    rasas = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for store in (ours, rasas):
        await conversation_in(store, "runner", 2)
        await conversation_in(store, "other runner", 1)
        tracker = await store.retrieve("runner")
        tracker.update_with_events(
            [ActionExecuted("action_session_start"), SessionStarted()], DOMAIN
        )
        tracker.update_with_events(turn("hello again", "hi"), DOMAIN)
        await store.save(tracker)
    for sender in ("runner", "other runner"):
        latest, full = await ours.retrieve(sender), await ours.retrieve_full_tracker(sender)
        assert latest.events == (await rasas.retrieve(sender)).events
        assert full.events == (await rasas.retrieve_full_tracker(sender)).events
    runner_latest, runner_full = (
        await ours.retrieve("runner"),
        await ours.retrieve_full_tracker("runner"),
    )
    assert len(runner_latest.events) < len(runner_full.events)  # the two queries differ here
    assert await ours.retrieve("nobody") is None and await rasas.retrieve("nobody") is None


async def test_on_another_rasa_version_rasas_own_paths_are_used_and_erasure_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rasa_version, "WRITTEN_FOR", "0.0.0")  # "this is another Rasa"
    plain = PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "plain.db"))
    rasas = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    assert plain._fast_paths is False
    await conversation_in(plain, "runner", 3)
    await conversation_in(rasas, "runner", 3)
    assert stored_events(tmp_path / "plain.db", "runner") == stored_events(
        tmp_path / "rasa.db", "runner"
    )
    assert plain.delete_conversation("runner") == 3 + 5 * 3
    assert stored_events(tmp_path / "plain.db", "runner") == []
    with sqlite3.connect(tmp_path / "plain.db") as connection:
        assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
