"""The console on the scaled profile's conversation store (PostgreSQL).

Starts only the profile's PostgreSQL (scripts/run_scaled.py, a few seconds);
skips like tests/scaled when PostgreSQL is not installed.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator

import pytest

from clinic_assistant.launcher import free_port
from clinic_assistant.privacy import open_store
from clinic_assistant.questions import left_questions
from tests.console.conftest import Conversation, console_app, csrf_token, logged_in_client, save
from tests.support.scaled import scaled_profile, write_postgres_endpoints

pytestmark = pytest.mark.scaled


@pytest.fixture(scope="module")
def postgres_endpoints() -> Iterator[Path]:
    with scaled_profile(
        "clinic-console-pg-", needs_model=False, postgres_port=free_port()
    ) as profile:
        profile._start_postgres()  # PostgreSQL alone: the console needs nothing else
        yield write_postgres_endpoints(profile)


def test_the_console_reads_and_deletes_on_postgresql(postgres_endpoints: Path, tmp_path) -> None:
    store = open_store(postgres_endpoints)
    now = time.time() - 60
    save(
        store,
        Conversation("pg-1", now).not_answered("Do you have lockers? I'm Siobhan"),
        Conversation("pg-2", now).screening(["no", "I take warfarin"], "ruled_out"),
        Conversation("pg-3", now).leaves_question("can I bring my dog?", "pg3@example.com"),
    )
    app = console_app(postgres_endpoints, tmp_path / "console.sqlite", run_rasa_validate=False)
    client = logged_in_client(app)
    overview = client.get("/").text
    assert re.search(r'id="total-conversations">3<', overview)
    assert re.search(r'data-outcome="ruled_out">1<', overview)
    review = client.get("/review").text
    assert "Do you have lockers? I&#39;m &lt;name&gt;" in review and "warfarin" not in review
    question = left_questions(store)[0]
    assert "can I bring my dog?" in client.get("/questions").text
    token = csrf_token(client, "/questions")
    client.post(f"/questions/{question.id}/delete", data={"csrf_token": token})
    assert left_questions(store) == []
    # erasure on PostgreSQL: gone from the console too
    store.delete_conversation("pg-1")
    assert "lockers" not in client.get("/review").text
