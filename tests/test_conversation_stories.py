"""Conversation tests: the test stories in tests/conversations/, with user text.

`rasa test` parses each user message with the trained model and checks every
predicted intent and action against the story; any mismatch fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_assistant import PROJECT_ROOT
from tests.support.rasa_cli import rasa_test


@pytest.mark.slow
def test_every_conversation_story_passes(tmp_path: Path) -> None:
    result = rasa_test(
        "core",
        "--stories", str(PROJECT_ROOT / "tests" / "conversations"),
        "--out", str(tmp_path),
        "--fail-on-prediction-errors",
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = (
        failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert result.returncode == 0, details
