"""Code behind the Running Solutions dry needling assistant.

Pure logic (screening rules, answer parsing, red flags, clinic facts) lives here
so it can be unit-tested without Rasa; `actions/` holds thin Rasa SDK actions.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def clinic_data_dir() -> Path:
    """Folder of the clinic-editable YAML files (overridable for tests)."""
    return Path(os.environ.get("CLINIC_DATA_DIR", PROJECT_ROOT / "clinic"))
