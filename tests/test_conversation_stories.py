"""Conversation tests: the test stories in tests/conversations/, with user text.

`rasa test` parses each user message with the trained model and checks every
predicted intent and action against the story; any mismatch fails.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import BIN, QUIET_ENV
from tests.conftest import require_model


def test_every_conversation_story_passes(tmp_path: Path) -> None:
    model = require_model()
    result = subprocess.run(
        [
            str(BIN / "rasa"),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            str(PROJECT_ROOT / "tests" / "conversations"),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],  # fmt: skip
        cwd=PROJECT_ROOT,
        env={**os.environ, **QUIET_ENV},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = (
        failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert result.returncode == 0, details
