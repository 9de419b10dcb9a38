"""Staff commands for stored conversations (health data): erase and retention.

    python -m clinic_assistant.privacy erase --sender <id>
    python -m clinic_assistant.privacy retention [--days N]   (default RETENTION_DAYS or 30)

Both read the tracker store from endpoints.yml (or --endpoints), so they work
on the SQLite default and on the scaled PostgreSQL store alike.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import List

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore

DEFAULT_RETENTION_DAYS = 30


def retention_days() -> float:
    """How long conversations are kept: RETENTION_DAYS, else 30 (what the runner is told)."""
    return float(os.environ.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def open_store(endpoints: Path) -> PrivacySQLTrackerStore:
    config = dict(yaml.safe_load(endpoints.read_text(encoding="utf-8"))["tracker_store"])
    store_type = config.pop("type", "")
    if not store_type.endswith("PrivacySQLTrackerStore"):
        raise SystemExit(
            f"{endpoints}: tracker_store is {store_type!r}, not PrivacySQLTrackerStore"
        )
    if config.get("dialect") == "sqlite" and not Path(config["db"]).is_absolute():
        config["db"] = str(PROJECT_ROOT / config["db"])
    return PrivacySQLTrackerStore(host=config.pop("url", None), **config)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoints", type=Path, default=PROJECT_ROOT / "endpoints.yml")
    commands = parser.add_subparsers(dest="command", required=True)
    erase = commands.add_parser("erase", help="delete one conversation by sender id")
    erase.add_argument("--sender", required=True)
    retention = commands.add_parser("retention", help="delete conversations older than N days")
    retention.add_argument(
        "--days",
        type=float,
        default=retention_days(),
    )
    args = parser.parse_args(argv)
    store = open_store(args.endpoints)
    if args.command == "erase":
        removed = store.delete_conversation(args.sender)
        print(f"Erased {removed} stored events for that sender.")
    else:
        removed = store.delete_older_than(args.days)
        print(f"Removed {removed} stored events from conversations older than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
