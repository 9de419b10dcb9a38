"""Fixtures shared by the unit tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from clinic_assistant import PROJECT_ROOT, indications, red_flags
from clinic_assistant.red_flags import load_red_flags
from clinic_assistant.screening import rules

CACHED_LOADERS = (
    indications._load_file,
    load_red_flags,
    red_flags._load_file,
    rules._load_screening,
)


@pytest.fixture
def clinic_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of clinic/ that CLINIC_DATA_DIR points at, with the loader caches cleared."""
    folder = tmp_path / "clinic"
    shutil.copytree(PROJECT_ROOT / "clinic", folder)
    monkeypatch.setenv("CLINIC_DATA_DIR", str(folder))
    for loader in CACHED_LOADERS:
        loader.cache_clear()
    yield folder
    for loader in CACHED_LOADERS:
        loader.cache_clear()
