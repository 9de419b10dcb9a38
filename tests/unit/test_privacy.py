"""Erasure and retention on a real SQLite tracker store (no server)."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import sqlite3
import time
import uuid
from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.privacy import conversation_summary, retention_days, retention_interval
from clinic_assistant.privacy import main as privacy_main
from clinic_assistant.questions import delete_question, left_questions
from clinic_assistant.rasa.tracker_store import (
    PrivacySQLTrackerStore,
    Removed,
    erasure_requested,
)
from tests.support.endpoints import sqlite_endpoints

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
    endpoints = sqlite_endpoints(tmp_path, db)
    assert privacy_main(["--endpoints", str(endpoints), "erase", "--sender", "asked"]) == 0
    assert rows(db, "asked") == 0 and rows(db, "old") > 0
    assert privacy_main(["--endpoints", str(endpoints), "retention", "--days", "30"]) == 0
    assert rows(db, "old") == 0 and rows(db, "recent") > 0
    assert "Removed" in capsys.readouterr().out


# ---------------------------------------------------------------- on the disk
def files_holding(folder: Path, needle: str) -> List[str]:
    """The files under `folder` (database, write-ahead log, shared memory) whose
    raw bytes contain `needle`, as the JSON in the store would spell it."""
    raw = json.dumps(needle)[1:-1].encode()
    return sorted(p.name for p in folder.iterdir() if p.is_file() and raw in p.read_bytes())


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, str, List[str]]:
    """A store that has seen what a real one sees: 300 conversations written turn
    by turn between each other, messages of every length (some longer than a
    page), and 100 of them deleted by the retention, after which the others
    carry on. The deletion moves rows between pages, which is what can leave
    stale copies of rows behind. Every message holds the marker and its sender.
    Returns (its folder, the marker, the conversations left); tests use a copy."""
    folder = tmp_path_factory.mktemp("crowded")
    marker = "Zorbaville diabetes note " + uuid.uuid4().hex
    store = store_at(folder / "c.db")
    lengths = random.Random(4)
    senders = [f"whatsapp:+44770090{number:04d}" for number in range(300)]
    stale, live = senders[::3], [s for s in senders if s not in senders[::3]]
    trackers = {sender: conversation(sender) for sender in senders}
    old = time.time() - (retention_days() + 5) * 86400
    for turn in range(11):
        if turn == 8:
            assert store.apply_retention(retention_days()).conversations == len(stale)
        for sender in live if turn >= 8 else senders:
            at = old + turn if sender in stale else None
            text = f"{marker} {sender} " + "knee pain " * lengths.randint(5, 450)
            for event in (UserUttered(text, timestamp=at), BotUttered("ok", timestamp=at)):
                trackers[sender].update(event)
            asyncio.run(store.save(trackers[sender]))
    store.engine.dispose()
    # the retention's own trace: none of the 100 it removed is left in the files
    assert [s for s in stale if files_holding(folder, f"{marker} {s}")] == []
    assert live and files_holding(folder, f"{marker} {live[0]}")  # the control
    return folder, marker, live


def copy_of(crowded: Tuple[Path, str, List[str]], folder: Path) -> PrivacySQLTrackerStore:
    for path in crowded[0].iterdir():
        shutil.copy(path, folder / path.name)
    return store_at(folder / "c.db")


def test_an_erased_conversation_leaves_no_trace_in_any_file(tmp_path: Path, crowded) -> None:
    store, (_, marker, live) = copy_of(crowded, tmp_path), crowded
    erased = live[::14]
    assert all(files_holding(tmp_path, f"{marker} {sender}") for sender in erased)  # control
    for sender in erased:
        assert store.delete_conversation(sender) == 2 * 11
    assert [s for s in erased if files_holding(tmp_path, f"{marker} {s}")] == []
    assert [s for s in erased if files_holding(tmp_path, s)] == []  # nor the ids
    assert (tmp_path / "c.db-wal").stat().st_size == 0  # checkpointed and truncated
    assert files_holding(tmp_path, f"{marker} {live[1]}")  # the others are still there


def test_retention_leaves_no_trace_and_counts_what_it_removed(tmp_path: Path, crowded) -> None:
    store, (_, marker, live) = copy_of(crowded, tmp_path), crowded
    assert files_holding(tmp_path, marker)
    removed = store.apply_retention(days=1, now=time.time() + 2 * 86400)
    assert removed == Removed(conversations=200, events=200 * 2 * 11)
    assert files_holding(tmp_path, marker) == [] and files_holding(tmp_path, live[0]) == []
    assert store.apply_retention(days=1) == Removed(0, 0)


def test_every_sqlite_connection_deletes_securely(tmp_path: Path) -> None:
    store = store_at(tmp_path / "c.db")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("pragma secure_delete").scalar() == 1


async def test_a_staff_question_deletion_leaves_no_trace(tmp_path: Path) -> None:
    store = store_at(tmp_path / "c.db")
    question = "is there parking near the clinic " + uuid.uuid4().hex
    tracker = conversation("asker", "hello")
    tracker.update(SlotSet("question_for_clinic", question))
    tracker.update(SlotSet("question_contact", "sam@example.org"))
    await store.save(tracker)
    (kept,) = left_questions(store)
    assert files_holding(tmp_path, question)
    assert delete_question(store, kept.id) == 2
    assert files_holding(tmp_path, question) == []
    assert files_holding(tmp_path, "sam@example.org") == []


# ---------------------------------------------------------------- right of access
async def test_the_export_shows_one_conversation_and_nothing_else(tmp_path: Path, capsys) -> None:
    store = store_at(tmp_path / "c.db")
    mine = conversation("runner-7", "I'm 20 weeks pregnant", "can I still book?")
    mine.update(SlotSet("pregnant", "yes"))
    mine.update(SlotSet("question_for_clinic", "is there parking"))
    mine.update(SlotSet("question_contact", "none"))
    await store.save(mine)
    theirs = conversation("runner-70", "I take warfarin")  # an id that starts like mine
    theirs.update(SlotSet("question_for_clinic", "do you do home visits"))
    await store.save(theirs)

    summary = conversation_summary(store, "runner-7")
    assert "conversation runner-7" in summary
    assert "runner:    I'm 20 weeks pregnant" in summary and "can I still book?" in summary
    assert "pregnant: yes" in summary
    assert "is there parking (contact: none given)" in summary
    assert f"({retention_days():g} days after the last message)" in summary
    for other in ("runner-70", "warfarin", "home visits"):
        assert other not in summary
    assert conversation_summary(store, "nobody") is None

    endpoints = sqlite_endpoints(tmp_path, tmp_path / "c.db")
    out = tmp_path / "export.txt"
    assert privacy_main(["--endpoints", str(endpoints), "export", "--sender", "runner-7",
                         "--out", str(out)]) == 0  # fmt: skip
    exported = out.read_text().splitlines()
    assert exported[2:] == summary.splitlines()[2:]  # all but the export time
    assert out.stat().st_mode & 0o777 == 0o600  # health data: the owner only
    assert privacy_main(["--endpoints", str(endpoints), "export", "--sender", "nobody"]) == 1
    assert "Nothing is stored" in capsys.readouterr().out


def test_retention_settings_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    monkeypatch.delenv("RETENTION_INTERVAL_SECONDS", raising=False)
    assert (retention_days(), retention_interval()) == (30, 3600)
    monkeypatch.setenv("RETENTION_DAYS", "14")
    monkeypatch.setenv("RETENTION_INTERVAL_SECONDS", "0.5")
    assert (retention_days(), retention_interval()) == (14, 0.5)


# ---------------------------------------------------------------- automatic retention
async def test_the_servers_retention_run_finds_the_store_and_records_the_run(
    tmp_path: Path,
) -> None:
    from types import SimpleNamespace

    from prometheus_client import REGISTRY
    from rasa.core.tracker_store import FailSafeTrackerStore

    from clinic_assistant.channels.ops import run_retention

    store = store_at(tmp_path / "c.db")
    now = time.time()
    await store.save(conversation("old", "hello", at=now - (retention_days() + 1) * 86400))
    await store.save(conversation("recent", "hello", at=now - 86400))
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
        tracker_store=FailSafeTrackerStore(store))))  # fmt: skip
    await run_retention(app)
    assert rows(tmp_path / "c.db", "old") == 0 and rows(tmp_path / "c.db", "recent") > 0
    sample = REGISTRY.get_sample_value
    assert sample("clinic_retention_last_run_removed", {"kind": "conversations"}) == 1
    assert sample("clinic_retention_last_run_removed", {"kind": "events"}) == 2
    assert now <= sample("clinic_retention_last_run_timestamp_seconds") <= time.time()


async def test_a_clean_up_kept_from_finishing_is_finished_by_the_next_retention(
    tmp_path: Path,
) -> None:
    """Staff read the store (`make export`) at the moment a runner erases: the
    log cannot be truncated under a reader, so the next retention run does it."""
    store = store_at(tmp_path / "c.db")
    with store.engine.connect() as connection:  # the pooled one: wait 0.2 s, not 5
        connection.exec_driver_sql("pragma busy_timeout=200")
    secret = "reader present " + uuid.uuid4().hex
    await store.save(conversation("runner", secret))
    await store.save(conversation("other", "hello"))
    reader = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    reader.execute("pragma busy_timeout=100")
    reader.execute("begin")
    reader.execute("select count(*) from events").fetchone()  # holds a snapshot
    try:
        assert store.delete_conversation("runner") == 2
        assert files_holding(tmp_path, secret)  # the reader's snapshot still needs the log
    finally:
        reader.execute("commit")
        reader.close()
    assert store.apply_retention(days=retention_days()) == Removed(0, 0)  # nothing is old
    assert files_holding(tmp_path, secret) == []
    assert (tmp_path / "c.db-wal").stat().st_size == 0
