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

Erased means erased (docs/privacy.md): SQLite overwrites deleted rows with
zeros (secure_delete, set on every connection: not every SQLite build has it
on by default). That is not enough on its own: when SQLite moves rows between
pages it can leave stale copies in a page's unused space, which no later
delete overwrites. So after an erasure or a retention run that removed
something, the store rebuilds the database file (VACUUM) and then
checkpoints the write-ahead log into it and truncates the log, and no file
under the data directory still holds the erased conversation (tested on the
raw bytes). Only erasures pay for that (about 0.4 s for a 94 MB store), not
messages. On PostgreSQL the store rewrites the table after an erasure
(VACUUM FULL) and vacuums it after retention; the rest (write-ahead log,
backups, the server's own logs) is the clinic's, see docs/privacy.md.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Iterator, List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session

from clinic_assistant.metrics import ERASURES
from clinic_assistant.rasa.rasa_version import patches_allowed

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
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten with zeros
    cursor.close()


@dataclass(frozen=True)
class Removed:
    """What an erasure or a retention run removed: counts only, never ids."""

    conversations: int
    events: int


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
        # The fast paths below replace private parts of Rasa's SQLTrackerStore; on
        # another Rasa version Rasa's own are used. Erasure and the pragmas stay.
        self._fast_paths = patches_allowed("the tracker store's fast paths")
        if self.engine.dialect.name == "sqlite" and not self._fast_paths:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        elif self.engine.dialect.name == "sqlite":
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
        self._trace_left = False  # an erasure's clean-up did not finish (leave_no_trace)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if not self._fast_paths:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
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

    def stored_events(self, sender_id: str) -> List[dict[str, Any]]:
        """Every stored event of one conversation (all sessions), oldest first."""
        with self.session_scope() as session:
            query = self._event_data_queries[True]
            rows = session.execute(query, {"sender_id": sender_id}).scalars().all()
        return [json.loads(data) for data in rows]

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        # no count (a tracker this store did not load or save, or no fast paths:
        # only they keep it, and they are on or off for the whole process)
        stored = getattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
        if stored is None:  # count the stored rows
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_requested(tracker):
            removed = self.delete_conversation(tracker.sender_id)
            ERASURES.inc()
            logger.info("Erased a conversation on the runner's request (%d events).", removed)
            setattr(tracker, STORED_EVENTS_ATTRIBUTE, None)
            return
        if not self._fast_paths:
            await super().save(tracker)
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
        """Erase one conversation; returns the number of events removed."""
        return self._delete_senders([sender_id], rewrite=True).events

    def delete_older_than(self, days: float, now: float | None = None) -> int:
        """Delete whole conversations whose latest event is older than `days`."""
        return self.apply_retention(days, now).events

    def apply_retention(self, days: float, now: float | None = None) -> Removed:
        """Delete whole conversations whose latest event is older than `days`."""
        cutoff = (now or time.time()) - days * 86400
        with self.session_scope() as session:
            stale = [
                row[0]
                for row in session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(sa.func.max(self.SQLEvent.timestamp) < cutoff)
            ]
        removed = self._delete_senders(stale, rewrite=False)
        if not removed.events and self._trace_left:
            self.leave_no_trace(rewrite=False)  # an earlier clean-up was kept from finishing
        return removed

    def _delete_senders(self, sender_ids: List[str], rewrite: bool) -> Removed:
        removed = Removed(0, 0)
        if not sender_ids:
            return removed
        with self.session_scope() as session:
            for sender_id in sender_ids:
                events = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id)
                    .delete(synchronize_session=False)
                )
                removed = Removed(removed.conversations + bool(events), removed.events + events)
            session.commit()
        if removed.events:
            self.leave_no_trace(rewrite)
        return removed

    def leave_no_trace(self, rewrite: bool = True) -> None:
        """After deleting rows: no copy of them left in the database files.

        SQLite: always a fresh file and an empty log. PostgreSQL: `rewrite`
        (a runner's or staff erasure) rewrites the table into new files
        (VACUUM FULL, which locks it for that moment); otherwise (retention,
        hourly) a plain VACUUM removes the dead rows without a lock, but their
        bytes may stay in a page's free space until reused (docs/privacy.md:
        the clinic's weekly VACUUM FULL, WAL, backups). If another connection
        keeps it from finishing, the next retention run tries again."""
        started = time.perf_counter()
        dialect = self.engine.dialect.name
        table = self.SQLEvent.__tablename__
        self._trace_left = True
        try:
            if dialect == "sqlite":
                connection = self.engine.raw_connection()  # the pooled one, with its pragmas
                try:
                    cursor = connection.cursor()
                    # a fresh file: no stale copy of a deleted row in any page's free space
                    cursor.execute("VACUUM")
                    busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                    cursor.close()
                finally:
                    connection.close()
                self._trace_left = bool(busy)
            elif dialect == "postgresql":
                with self.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        f'VACUUM {"FULL " if rewrite else ""}"{table}"'
                    )
                self._trace_left = False
            else:
                self._trace_left = False  # nothing known to do for other databases
        except (sa.exc.SQLAlchemyError, sqlite3.Error) as error:  # not its text: it may quote data
            failed = type(getattr(error, "orig", None) or error).__name__
            logger.warning("Clean-up after an erasure failed (%s).", failed)
        if self._trace_left:
            logger.warning("An erasure's clean-up could not finish; the next retention retries.")
        logger.debug("Erasure clean-up took %.3f s.", time.perf_counter() - started)
