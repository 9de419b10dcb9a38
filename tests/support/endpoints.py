"""endpoints.yml for the assistant's conversation store (PrivacySQLTrackerStore),
for tests that open a store the way the console and the staff commands do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PRIVACY_STORE = "clinic_assistant.rasa.tracker_store.PrivacySQLTrackerStore"


def write_endpoints(folder: Path, **tracker_store: Any) -> Path:
    """folder/endpoints.yml naming the PrivacySQLTrackerStore with these options."""
    endpoints = folder / "endpoints.yml"
    store = {"type": PRIVACY_STORE, **tracker_store}
    endpoints.write_text(yaml.safe_dump({"tracker_store": store}), encoding="utf-8")
    return endpoints


def sqlite_endpoints(folder: Path, db: Path) -> Path:
    """folder/endpoints.yml for a store on the SQLite file `db`."""
    return write_endpoints(folder, dialect="sqlite", db=str(db))
