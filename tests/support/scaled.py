"""scripts/run_scaled.py's ScaledProfile (PostgreSQL, Redis, nginx, Rasa replicas)
for the tests that start it, or part of it."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import DEFAULT_MODEL
from tests.support.endpoints import write_endpoints


def load_run_scaled() -> ModuleType:
    """scripts/run_scaled.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "run_scaled", PROJECT_ROOT / "scripts" / "run_scaled.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_scaled"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


@contextmanager
def scaled_profile(prefix: str, needs_model: bool = True, **options: Any) -> Iterator[Any]:
    """A ScaledProfile (not started) in a new directory; on the way out its processes
    are stopped and the directory removed. Skips the test when PostgreSQL, Redis or
    nginx is not installed, or (needs_model) there is no trained model."""
    run_scaled = load_run_scaled()
    try:
        binaries = run_scaled.find_binaries()
    except run_scaled.MissingBinary as missing:
        pytest.skip(str(missing))
    if needs_model and not DEFAULT_MODEL.is_file():
        pytest.skip(f"no trained model at {DEFAULT_MODEL} (make setup trains it)")
    # not under pytest's tmp dir: that is 0700, and PostgreSQL runs as `postgres`
    run_dir = Path(tempfile.mkdtemp(prefix=prefix))
    run_dir.chmod(0o711)  # start() does the same; a test may start PostgreSQL alone
    profile = run_scaled.ScaledProfile(run_dir=run_dir, binaries=binaries, **options)
    try:
        yield profile
    finally:
        profile.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def write_postgres_endpoints(profile: Any) -> Path:
    """endpoints.yml, in the profile's run directory, for its PostgreSQL store as the
    assistant's database user: what the console and the staff commands are given."""
    db = profile.db_connect_kwargs()
    return write_endpoints(
        profile.run_dir,
        dialect="postgresql",
        url=db["host"],
        port=db["port"],
        db=db["dbname"],
        username=db["user"],
        password=db["password"],
    )
