"""Erased means erased, on the disk, with the real assistant: a conversation
with a marker sentence goes in over REST, is erased (by the runner, by staff,
by the retention the server runs on its own) and then no file under the data
directory (database, write-ahead log, shared memory) holds it, byte for byte.
Also the staff export (right of access) of a real conversation."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import AssistantProcesses
from clinic_assistant.privacy import open_store, retention_days
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore
from tests.conftest import start_assistant
from tests.support.chat import Chat, text_of

pytestmark = pytest.mark.server

RETENTION_EVERY = 1.0  # seconds: the test waits for the server's own run
PRIVATE: List[str] = []  # every marker and conversation id used here, for the log check


@pytest.fixture(scope="module")
def own_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantProcesses]:
    processes = start_assistant(
        tmp_path_factory.mktemp("privacy"),
        env={"RETENTION_INTERVAL_SECONDS": str(RETENTION_EVERY)},
    )
    try:
        yield processes
    finally:
        processes.stop()


def data_dir(assistant: AssistantProcesses) -> Path:
    return assistant.run_dir / "data"


def files_holding(folder: Path, needle: str) -> List[str]:
    """The files under `folder` whose raw bytes contain `needle` (as stored in JSON)."""
    raw = json.dumps(needle)[1:-1].encode()
    return sorted(p.name for p in folder.iterdir() if p.is_file() and raw in p.read_bytes())


def marker() -> str:
    made = f"My name is Tamsin Quell-{uuid.uuid4().hex[:10]} and I have diabetes"
    PRIVATE.append(made)
    return made


def talk_with_marker(assistant: AssistantProcesses, secret: str) -> Chat:
    """A conversation that puts `secret` in the store, in a short and in a long message."""
    chat = Chat(assistant.url)
    chat.say_all("I'd like to book", "no", secret)
    chat.say(f"{secret}. " + "My calf gets tight after long runs on the road. " * 35)
    PRIVATE.append(chat.sender)
    return chat


def run_module(*args: str) -> subprocess.CompletedProcess:
    """What `make erase` / `make export` run, against this assistant's store."""
    return subprocess.run(
        [sys.executable, "-m", "clinic_assistant.privacy", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_delete_my_data_leaves_nothing_on_disk(own_assistant) -> None:
    secret = marker()
    chat = talk_with_marker(own_assistant, secret)
    other = Chat(own_assistant.url)
    other.say("does dry needling hurt?")
    folder = data_dir(own_assistant)
    assert files_holding(folder, secret)  # the control: it is on the disk now
    assert files_holding(folder, chat.sender)
    assert "deleted" in text_of(chat.say("please delete my data"))
    assert files_holding(folder, secret) == []
    assert files_holding(folder, chat.sender) == []
    assert {p.name for p in folder.iterdir()} >= {"conversations.db"}
    assert files_holding(folder, other.sender)  # nobody else's conversation went


def test_staff_erasure_leaves_nothing_on_disk(own_assistant) -> None:
    secret = marker()
    chat = talk_with_marker(own_assistant, secret)
    folder = data_dir(own_assistant)
    assert files_holding(folder, secret)
    endpoints = str(own_assistant.run_dir / "endpoints.yml")
    erased = run_module("--endpoints", endpoints, "erase", "--sender", chat.sender)
    assert erased.returncode == 0 and "Erased" in erased.stdout, erased.stderr[-2000:]
    assert files_holding(folder, secret) == []
    assert files_holding(folder, chat.sender) == []
    # the server carries on with its connection to the rebuilt file
    assert "Are you pregnant" in text_of(Chat(own_assistant.url).say("I'd like to book"))


def old_conversation(sender: str, secret: str, days_ago: float) -> DialogueStateTracker:
    at = time.time() - days_ago * 86400
    events = [UserUttered(secret, timestamp=at), BotUttered("ok", timestamp=at + 1)]
    return DialogueStateTracker.from_events(sender, events)


def metric(assistant: AssistantProcesses, name: str) -> float | None:
    url = f"{assistant.url}/webhooks/ops/metrics"
    with urllib.request.urlopen(url, timeout=30) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return None


async def test_retention_runs_by_itself(own_assistant) -> None:
    folder = data_dir(own_assistant)
    store = open_store(own_assistant.run_dir / "endpoints.yml")
    secret = marker()
    sender = f"retention-{uuid.uuid4().hex[:8]}"
    # It comes of age a few seconds from now, so the control below cannot race the
    # server's run (every second); a conversation already too old could go first.
    inserted = time.time()
    seconds_left = 8
    days_ago = retention_days() - (seconds_left - 1) / 86400  # its last event is 1 s later
    await store.save(old_conversation(sender, secret, days_ago=days_ago))
    assert files_holding(folder, secret)  # the control
    recent = Chat(own_assistant.url)
    recent.say("can dry needling help my knee?")

    deadline = time.monotonic() + 30
    while files_holding(folder, secret) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert files_holding(folder, secret) == [] and files_holding(folder, sender) == []
    assert await store.retrieve(sender) is None
    assert await store.retrieve(recent.sender) is not None  # younger than the period

    assert metric(own_assistant, "clinic_retention_last_run_timestamp_seconds") >= inserted
    assert metric(own_assistant, "clinic_retention_days") == retention_days()
    assert metric(own_assistant, "clinic_retention_runs_total") >= 2
    log = (own_assistant.run_dir / "rasa.log").read_text(errors="replace")
    assert f"Retention ({retention_days():g} days): removed 1 conversations (2 events)." in log
    assert secret not in log and sender not in log  # counts only


def test_staff_export_shows_the_runners_own_data(own_assistant) -> None:
    secret = marker()
    chat = Chat(own_assistant.url)
    chat.say_all(
        "is there parking at the clinic",
        "Please pass my question on to the clinic",
        "Yes",
        "you can mail me at tamsin@example.org",
    )
    chat.say(secret)
    other_secret = marker()
    other = talk_with_marker(own_assistant, other_secret)
    endpoints = str(own_assistant.run_dir / "endpoints.yml")
    exported = run_module("--endpoints", endpoints, "export", "--sender", chat.sender)
    assert exported.returncode == 0, exported.stderr[-2000:]
    summary = exported.stdout
    assert f"conversation {chat.sender}" in summary
    assert f"runner:    {secret}" in summary
    assert "is there parking at the clinic (contact: tamsin@example.org)" in summary
    assert "assistant: " in summary
    assert "Channel: rest" in summary
    for foreign in (other.sender, other_secret):
        assert foreign not in summary
    nothing = run_module("--endpoints", endpoints, "export", "--sender", "nobody-here")
    assert nothing.returncode == 1 and "Nothing is stored" in nothing.stdout


def documented_events() -> dict:
    """docs/privacy.md's table of stored events: kind -> the keys it lists."""
    doc = (PROJECT_ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    table = doc.split("### What the events hold (`data`)", 1)[1].split("\n### ", 1)[0]
    rows = [line.split("|") for line in table.splitlines() if line.startswith("| `")]
    return {row[1].strip(" `"): set(re.findall(r"`(\w+)`", row[2])) for row in rows}


def test_what_the_assistant_stored_is_what_the_privacy_doc_lists(own_assistant) -> None:
    Chat(own_assistant.url).say_all("I'd like to book", "no", "no", "no", "no", "Knee", "yes")
    documented = documented_events()
    db = data_dir(own_assistant) / "conversations.db"
    with sqlite3.connect(db) as connection:
        columns = [row[1] for row in connection.execute("pragma table_info(events)")]
        stored = connection.execute("select type_name, data from events").fetchall()
    assert set(columns) == set(PrivacySQLTrackerStore.SQLEvent.__table__.columns.keys())
    assert len(stored) > 20
    for kind, data in stored:
        assert kind in documented, kind
        assert set(json.loads(data)) <= documented[kind], kind


def test_the_logs_hold_no_message_and_no_conversation_id(own_assistant) -> None:
    """After everything above (erasures, retention, export): counts only in the logs."""
    assert len(PRIVATE) >= 6, "run the whole module"
    logs = "".join(
        Path(own_assistant.run_dir, name).read_text(errors="replace")
        for name in ("rasa.log", "actions.log")
    )
    assert "Erased a conversation on the runner's request" in logs  # the log is written
    for private in PRIVATE:
        assert private not in logs
    assert "Tamsin" not in logs and "diabetes" not in logs
