"""Shared fixtures. Tests marked `server` talk to the real Rasa and action servers."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from clinic_assistant.launcher import DEFAULT_MODEL, AssistantProcesses


def require_model() -> Path:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run the tests with `make test`.")
    return DEFAULT_MODEL


def start_assistant(run_dir: Path, **options: object) -> AssistantProcesses:
    require_model()
    return AssistantProcesses.on_free_ports(run_dir, **options).start()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantProcesses]:
    """The whole assistant (action server + Rasa server, SQLite store), shared by tests."""
    processes = start_assistant(tmp_path_factory.mktemp("assistant"))
    try:
        yield processes
    finally:
        processes.stop()
