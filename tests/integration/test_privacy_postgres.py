"""Erasure and retention on PostgreSQL, in the scaled profile: a conversation
with a marker sentence goes in through nginx and a Rasa replica, is erased,
and no row of the `events` table holds the marker or the conversation id;
the store rewrites the table right after (VACUUM FULL; after retention a
plain VACUUM).

Starts scripts/run_scaled.py's ScaledProfile with one replica (about a
minute); skips like tests/scaled when PostgreSQL, Redis or nginx is missing.
What PostgreSQL keeps outside the table (WAL, backups, logs) is the clinic's
to manage: docs/privacy.md.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Iterator

import pytest
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_assistant.privacy import open_store, retention_days
from tests.support.chat import Chat, text_of
from tests.support.scaled import scaled_profile, write_postgres_endpoints

pytestmark = [pytest.mark.server, pytest.mark.scaled]


@pytest.fixture(scope="module")
def profile() -> Iterator[Any]:
    with scaled_profile("clinic-privacy-pg-", replicas=1) as scaled:
        yield scaled.start()


def query_one(profile: Any, sql: str, params: tuple | None = None) -> Any:
    """The first value of the first row `sql` returns, as the assistant's database user."""
    import psycopg2

    connection = psycopg2.connect(**profile.db_connect_kwargs())
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
    finally:
        connection.close()


def rows_with(profile: Any, text: str) -> int:
    """Rows of the events table whose sender id or stored event holds `text`."""
    return query_one(
        profile,
        "SELECT count(*) FROM events WHERE strpos(data, %s) > 0 OR sender_id = %s",
        (text, text),
    )


def table_file(profile: Any) -> str:
    """Where the events table's data lives: a new file after VACUUM FULL rewrote it."""
    return query_one(profile, "SELECT pg_relation_filepath('events')")


def last_vacuum(profile: Any) -> float:
    """When the events table was last vacuumed by hand (0: never), as PostgreSQL reports it."""
    return float(
        query_one(
            profile,
            "SELECT coalesce(extract(epoch FROM last_vacuum), 0) FROM pg_stat_user_tables "
            "WHERE relname = 'events'",
        )
    )


def vacuumed_since(profile: Any, started: float) -> bool:
    deadline = time.monotonic() + 10  # the statistics may lag a moment
    while last_vacuum(profile) < started and time.monotonic() < deadline:
        time.sleep(0.2)
    return last_vacuum(profile) >= started


def test_delete_my_data_leaves_no_row_in_postgres(profile) -> None:
    secret = f"My name is Tamsin Quell-{uuid.uuid4().hex[:10]} and I have diabetes"
    chat = Chat(profile.url)
    chat.say_all("I'd like to book", "no", secret)
    other = Chat(profile.url)
    other.say("does dry needling hurt?")
    assert rows_with(profile, secret) > 0 and rows_with(profile, chat.sender) > 0  # control
    before = table_file(profile)
    assert "deleted" in text_of(chat.say("please delete my data"))
    assert rows_with(profile, secret) == 0
    assert rows_with(profile, chat.sender) == 0
    assert rows_with(profile, other.sender) > 0
    assert table_file(profile) != before  # rewritten (VACUUM FULL): the old file is gone


async def test_staff_erasure_and_retention_on_postgres(profile) -> None:
    store = open_store(write_postgres_endpoints(profile))  # as the staff commands open it
    secret = f"I take warfarin, says Odile Brack-{uuid.uuid4().hex[:10]}"
    chat = Chat(profile.url)
    chat.say_all("I'd like to book", "no", secret)
    assert rows_with(profile, secret) > 0
    assert store.delete_conversation(chat.sender) > 0
    assert rows_with(profile, secret) == 0 and rows_with(profile, chat.sender) == 0

    old_secret = f"old note {uuid.uuid4().hex}"
    at = time.time() - (retention_days() + 1) * 86400
    old = DialogueStateTracker.from_events(
        "old-" + uuid.uuid4().hex[:8],
        [UserUttered(old_secret, timestamp=at), BotUttered("ok", timestamp=at + 1)],
    )
    await store.save(old)
    assert rows_with(profile, old_secret) == 1  # the message; the reply does not hold it
    # the replica's own retention runs at its start and then hourly: run it here
    started = time.time()
    removed = store.apply_retention(retention_days())
    assert removed.conversations >= 1
    assert rows_with(profile, old_secret) == 0
    assert vacuumed_since(profile, started)  # a plain VACUUM: no lock on the table
