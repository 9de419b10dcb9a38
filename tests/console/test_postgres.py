"""The console on the scaled profile's conversation store (PostgreSQL).

Starts only the profile's PostgreSQL (scripts/run_scaled.py, a few seconds);
skips like tests/scaled when PostgreSQL is not installed.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.console.app import ConsoleConfig, create_app
from clinic_assistant.launcher import free_port
from clinic_assistant.privacy import open_store
from clinic_assistant.questions import left_questions
from tests.console.conftest import PASSWORD, Conversation, csrf_token, log_in, save

pytestmark = pytest.mark.scaled


def _run_scaled() -> Any:
    spec = importlib.util.spec_from_file_location(
        "run_scaled", PROJECT_ROOT / "scripts" / "run_scaled.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_scaled"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def postgres_endpoints() -> Iterator[Path]:
    run_scaled = _run_scaled()
    try:
        binaries = run_scaled.find_binaries()
    except run_scaled.MissingBinary as missing:
        pytest.skip(str(missing))
    # not under pytest's tmp dir: that is 0700, and PostgreSQL runs as `postgres`
    run_dir = Path(tempfile.mkdtemp(prefix="clinic-console-pg-"))
    run_dir.chmod(0o711)
    profile = run_scaled.ScaledProfile(
        run_dir=run_dir, binaries=binaries, postgres_port=free_port()
    )
    try:
        profile._start_postgres()  # PostgreSQL alone: the console needs nothing else
        store = {
            "type": "clinic_assistant.rasa.tracker_store.PrivacySQLTrackerStore",
            "dialect": "postgresql",
            "url": run_scaled.HOST,
            "port": profile.postgres_port,
            "db": run_scaled.DB_NAME,
            "username": run_scaled.DB_USER,
            "password": profile.db_password,
        }
        endpoints = run_dir / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump({"tracker_store": store}), encoding="utf-8")
        yield endpoints
    finally:
        profile.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def test_the_console_reads_and_deletes_on_postgresql(postgres_endpoints: Path, tmp_path) -> None:
    store = open_store(postgres_endpoints)
    now = time.time() - 60
    save(
        store,
        Conversation("pg-1", now).not_answered("Do you have lockers? I'm Siobhan"),
        Conversation("pg-2", now).screening(["no", "I take warfarin"], "ruled_out"),
        Conversation("pg-3", now).leaves_question("can I bring my dog?", "pg3@example.com"),
    )
    app = create_app(
        ConsoleConfig(
            endpoints=postgres_endpoints,
            db_path=tmp_path / "console.sqlite",
            run_rasa_validate=False,
        )
    )
    app.extensions["clinic_console_db"].set_password("anna", PASSWORD)
    client = app.test_client()
    assert log_in(client).status_code == 302
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
