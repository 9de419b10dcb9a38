"""Staff command for the questions runners left for the clinic.

    python -m clinic_assistant.questions list
    python -m clinic_assistant.questions delete --id <number>

A question is kept only after the runner agreed (question_form), as slot events
in the conversation store, so "delete my data" and retention remove it with the
conversation. `delete` removes one question and its contact details.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import List

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.privacy import open_store
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore

QUESTION_SLOT, CONTACT_SLOT = "question_for_clinic", "question_contact"


@dataclass(frozen=True)
class LeftQuestion:
    id: int  # the row of the question's event
    sender_id: str
    timestamp: float
    question: str
    contact: str | None
    row_ids: tuple  # the question's rows and its contact's


def left_questions(store: PrivacySQLTrackerStore) -> List[LeftQuestion]:
    """Every question kept, oldest first, each with the contact given after it."""
    event = store.SQLEvent
    with store.session_scope() as session:
        rows = (
            session.query(event.id, event.sender_id, event.timestamp, event.data)
            .filter(event.type_name == "slot")
            .order_by(event.sender_id, event.timestamp, event.id)
            .all()
        )
    found: List[LeftQuestion] = []
    current = None
    for row_id, sender_id, timestamp, data in rows:
        slot = json.loads(data)
        if slot.get("name") == QUESTION_SLOT and slot.get("value"):
            current = LeftQuestion(row_id, sender_id, timestamp, slot["value"], None, (row_id,))
            found.append(current)
        elif (
            slot.get("name") == CONTACT_SLOT
            and slot.get("value")
            and current is not None
            and current.sender_id == sender_id
            and current.contact is None
        ):
            contact = None if slot["value"] == "none" else slot["value"]
            current = LeftQuestion(
                current.id, sender_id, current.timestamp, current.question, contact,
                (*current.row_ids, row_id),
            )  # fmt: skip
            found[-1] = current
    return sorted(found, key=lambda q: q.timestamp)


def delete_question(store: PrivacySQLTrackerStore, question_id: int) -> int:
    match = [q for q in left_questions(store) if q.id == question_id]
    if not match:
        return 0
    with store.session_scope() as session:
        removed = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.id.in_(match[0].row_ids))
            .delete(synchronize_session=False)
        )
        session.commit()
    if removed:
        store.leave_no_trace()
    return removed


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoints", type=Path, default=PROJECT_ROOT / "endpoints.yml")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the questions left for the clinic")
    delete = commands.add_parser("delete", help="delete one question and its contact")
    delete.add_argument("--id", type=int, required=True)
    args = parser.parse_args(argv)
    store = open_store(args.endpoints)
    if args.command == "delete":
        removed = delete_question(store, args.id)
        print(f"Deleted question {args.id}." if removed else f"No question {args.id}.")
        return 0 if removed else 1
    questions = left_questions(store)
    if not questions:
        print("No questions left for the clinic.")
    for q in questions:
        when = datetime.fromtimestamp(q.timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")
        print(f"[{q.id}] {when} UTC  conversation {q.sender_id}")
        print(f"    question: {q.question}")
        print(f"    contact:  {q.contact or '(none given)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
