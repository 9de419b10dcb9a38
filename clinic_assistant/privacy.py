"""Staff commands for stored conversations (health data): erase, retention, export.

    python -m clinic_assistant.privacy erase --sender <id>
    python -m clinic_assistant.privacy retention [--days N]   (default RETENTION_DAYS or 30)
    python -m clinic_assistant.privacy export --sender <id> [--out FILE]

They read the tracker store from endpoints.yml (or --endpoints), so they work
on the SQLite default and on the scaled PostgreSQL store alike. The Rasa
server also applies the retention by itself (clinic_assistant.channels.ops,
every RETENTION_INTERVAL_SECONDS). `export` is the runner's right of access:
a readable copy of everything stored for that one conversation.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, List

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore

DEFAULT_RETENTION_DAYS = 30
DEFAULT_RETENTION_INTERVAL_SECONDS = 3600


def retention_days() -> float:
    """How long conversations are kept: RETENTION_DAYS, else 30 (what the runner is told)."""
    return float(os.environ.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def retention_interval() -> float:
    """Seconds between the Rasa server's own retention runs; 0 turns them off."""
    return float(os.environ.get("RETENTION_INTERVAL_SECONDS", DEFAULT_RETENTION_INTERVAL_SECONDS))


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


def _utc(timestamp: float | None) -> str:
    if timestamp is None:
        return "(no time)"
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _slot_value(value: Any) -> str:
    if value is None:
        return "(cleared)"
    return value if isinstance(value, str) else json.dumps(value)


def conversation_summary(
    store: PrivacySQLTrackerStore, sender_id: str, now: float | None = None
) -> str | None:
    """A readable copy of everything stored for `sender_id`, and nothing else;
    None when nothing is stored for it."""
    from clinic_assistant.questions import left_questions

    events = store.stored_events(sender_id)
    if not events:
        return None
    days = retention_days()
    times = [e["timestamp"] for e in events if e.get("timestamp") is not None]
    sessions = max(1, sum(e.get("event") == "session_started" for e in events))
    channels = sorted({e["input_channel"] for e in events if e.get("input_channel")})
    lines = [
        f"What the assistant stores about conversation {sender_id}",
        f"(exported {_utc(now or datetime.now(timezone.utc).timestamp())} UTC; "
        "only this conversation's data)",
        "",
        f"Stored: {len(events)} events in {sessions} session(s), "
        f"{_utc(min(times))} to {_utc(max(times))} UTC.",
        f"Kept until {_utc(max(times) + days * 86400)} UTC ({days:g} days after the last "
        'message), unless erased earlier ("delete my data" or the clinic).',
        f"Channel: {', '.join(channels) or '(none recorded)'}",
        "",
        "Messages, as stored:",
    ]
    for e in events:
        if e.get("event") == "user":
            lines.append(f"  {_utc(e.get('timestamp'))}  runner:    {e.get('text') or ''}")
        elif e.get("event") == "bot" and e.get("text"):
            lines.append(f"  {_utc(e.get('timestamp'))}  assistant: {e['text']}")
    slots = [e for e in events if e.get("event") == "slot"]
    lines += ["", "Answers and other values recorded, in order (a later value replaces it):"]
    lines += [f"  {_utc(e.get('timestamp'))}  {e.get('name')}: {_slot_value(e.get('value'))}"
              for e in slots] or ["  (none)"]  # fmt: skip
    questions = [q for q in left_questions(store) if q.sender_id == sender_id]
    lines += ["", "Questions left for the clinic:"]
    lines += [f"  {_utc(q.timestamp)}  {q.question} (contact: {q.contact or 'none given'})"
              for q in questions] or ["  (none)"]  # fmt: skip
    lines += [
        "",
        "Also stored with each message: its time, the channel, the assistant's reading of "
        "it (intent, confidence, entities) and the steps the assistant took. Nothing else "
        "is stored about this conversation.",
    ]
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    """A file only its owner can read: it holds health data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


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
    export = commands.add_parser(
        "export", help="a readable copy of what is stored for one conversation"
    )
    export.add_argument("--sender", required=True)
    export.add_argument("--out", type=Path, help="write it to this file (mode 0600)")
    args = parser.parse_args(argv)
    store = open_store(args.endpoints)
    if args.command == "erase":
        removed = store.delete_conversation(args.sender)
        print(f"Erased {removed} stored events for that sender.")
    elif args.command == "export":
        summary = conversation_summary(store, args.sender)
        if summary is None:
            print("Nothing is stored for that conversation id.")
            return 1
        if args.out:
            _write_private(args.out, summary)
            print(f"Wrote the summary to {args.out}.")
        else:
            print(summary, end="")
    else:
        removed = store.delete_older_than(args.days)
        print(f"Removed {removed} stored events from conversations older than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
