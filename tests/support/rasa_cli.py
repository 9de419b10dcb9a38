"""Running `rasa test ...` on the trained model from a test."""

from __future__ import annotations

import os
import subprocess
from typing import List

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import BIN, QUIET_ENV
from tests.conftest import require_model


def rasa_test(*args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
    command: List[str] = [str(BIN / "rasa"), "test", *args, "--model", str(require_model())]
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, **QUIET_ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
