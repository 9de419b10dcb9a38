"""SQL tracker store (SQLite by default, PostgreSQL when scaled) with erasure.

When a runner says "delete my data", the conversation must not merely be
reset: its stored events must go. Rasa saves the tracker after the reply, so
the erasure happens here, at save time, instead of in the action server.
Staff erasure by sender id and the retention clean-up use the same methods.

It is also cheaper per message than Rasa's SQLTrackerStore (measured in
reports/BENCHMARK.md): with SQLite it keeps its connection open instead of
opening the file for every query; it loads only the event data, with one
statement built once instead of an ORM query built per message; it writes a
turn's new events with one multi-row insert instead of an ORM flush row by row;
and it remembers how many events of a tracker are already stored, so saving
needs no count query. The rows and the trackers are the same as Rasa's.

SQLite runs in WAL mode with synchronous=NORMAL (readers do not wait for the
writer, a commit does not wait for the disk): the file cannot be corrupted and
a crash of the assistant loses nothing, but a power cut or an OS crash may lose
the last second of conversations, which a runner would simply be asked again.
PostgreSQL (the scaled profile) is unaffected.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from typing import Any, Iterator

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_my_data"
# Set on a tracker this store loaded or saved: how many of its events are stored.
STORED_EVENTS_ATTRIBUTE = "_clinic_stored_events"


def erasure_requested(tracker: DialogueStateTracker) -> bool:
    """True when the erase action ran after the latest user message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return True
    return False


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # `make erase` may write meanwhile
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _event_data_queries(events: sa.Table) -> dict[bool, sa.sql.Select]:
    """The stored event data of a sender in order: {False: its latest session
    (from its latest SessionStarted, or all if none), True: all sessions}; the
    same rows Rasa's `SQLTrackerStore._event_query` selects."""
    sender = sa.bindparam("sender_id")
    session_start = (
        sa.select(sa.func.max(events.c.timestamp))
        .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    all_sessions = sa.select(events.c.data).where(events.c.sender_id == sender)
    latest_session = all_sessions.where(
        sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
    )
    return {False: latest_session.order_by(events.c.id), True: all_sessions.order_by(events.c.id)}


def _event_row(sender_id: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The columns Rasa's `SQLTrackerStore.save` stores for an event."""
    return {
        "sender_id": sender_id,
        "type_name": type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class PrivacySQLTrackerStore(SQLTrackerStore):
    def __init__(self, host: str | None = None, **kwargs: Any) -> None:
        super().__init__(host=host, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool).
            url = self.engine.url
            self.engine.dispose()
            # One pooled connection, lent to one user at a time, so any thread may use it.
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=1,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self._event_data_queries = _event_data_queries(self.SQLEvent.__table__)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        query = self._event_data_queries[fetch_events_from_all_sessions]
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).scalars().all()
        if not (self.domain and rows):
            return None
        events = [json.loads(data) for data in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_EVENTS_ATTRIBUTE, len(events))
        return tracker

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
        if stored is None:  # a tracker this store did not load: count the stored rows
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_requested(tracker):
            removed = self.delete_conversation(tracker.sender_id)
            logger.info("Erased a conversation on the runner's request (%d events).", removed)
            setattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
            return
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [
                _event_row(tracker.sender_id, event.type_name, event.as_dict())
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
        setattr(tracker, STORED_EVENTS_ATTRIBUTE, len(tracker.events))

    def delete_conversation(self, sender_id: str) -> int:
        with self.session_scope() as session:
            removed = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return removed

    def delete_older_than(self, days: float, now: float | None = None) -> int:
        """Delete whole conversations whose latest event is older than `days`."""
        import sqlalchemy as sa

        cutoff = (now or time.time()) - days * 86400
        with self.session_scope() as session:
            latest = (
                session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(sa.func.max(self.SQLEvent.timestamp) < cutoff)
            )
            stale = [row[0] for row in latest]
            removed = 0
            for sender_id in stale:
                removed += (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id)
                    .delete(synchronize_session=False)
                )
            session.commit()
        return removed
