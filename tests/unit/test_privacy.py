"""Erasure and retention on a real SQLite tracker store (no server)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.privacy import main as privacy_main
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore, erasure_requested

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def rows(db: Path, sender: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "select count(*) from events where sender_id = ?", (sender,)
        ).fetchone()[0]


def conversation(
    sender: str, *texts: str, at: float | None = None, erase: bool = False
) -> DialogueStateTracker:
    events = []
    for text in texts:
        events += [UserUttered(text, timestamp=at), BotUttered("ok", timestamp=at)]
    if erase:
        events += [ActionExecuted("action_delete_my_data", timestamp=at)]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def store_at(db: Path) -> PrivacySQLTrackerStore:
    return PrivacySQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))


async def test_delete_my_data_erases_the_stored_conversation(tmp_path: Path) -> None:
    store = store_at(tmp_path / "c.db")
    await store.save(conversation("runner", "I'm pregnant"))
    await store.save(conversation("other", "hi"))
    assert rows(tmp_path / "c.db", "runner") > 0
    await store.save(conversation("runner", "I'm pregnant", "delete my data", erase=True))
    assert rows(tmp_path / "c.db", "runner") == 0
    assert rows(tmp_path / "c.db", "other") > 0  # nobody else's data goes


def test_erasure_only_for_the_latest_turn() -> None:
    earlier = conversation("x", "delete my data", erase=True)
    earlier.update(UserUttered("hi again"))
    assert not erasure_requested(earlier)
    assert erasure_requested(conversation("x", "delete my data", erase=True))


async def test_staff_commands_erase_and_apply_retention(tmp_path: Path, capsys) -> None:
    db = tmp_path / "c.db"
    store = store_at(db)
    now = time.time()
    await store.save(conversation("old", "hello", at=now - 40 * 86400))
    await store.save(conversation("recent", "hello", at=now - 2 * 86400))
    await store.save(conversation("asked", "hello", at=now))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "clinic_assistant.rasa.tracker_store.PrivacySQLTrackerStore",
                    "dialect": "sqlite",
                    "db": str(db),
                }
            }
        )
    )
    assert privacy_main(["--endpoints", str(endpoints), "erase", "--sender", "asked"]) == 0
    assert rows(db, "asked") == 0 and rows(db, "old") > 0
    assert privacy_main(["--endpoints", str(endpoints), "retention", "--days", "30"]) == 0
    assert rows(db, "old") == 0 and rows(db, "recent") > 0
    assert "Removed" in capsys.readouterr().out
