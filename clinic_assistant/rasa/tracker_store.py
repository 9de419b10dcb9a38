"""SQL tracker store (SQLite by default, PostgreSQL when scaled) with erasure.

When a runner says "delete my data", the conversation must not merely be
reset: its stored events must go. Rasa saves the tracker after the reply, so
the erasure happens here, at save time, instead of in the action server.
Staff erasure by sender id and the retention clean-up use the same methods.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_my_data"


def erasure_requested(tracker: DialogueStateTracker) -> bool:
    """True when the erase action ran after the latest user message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return True
    return False


class PrivacySQLTrackerStore(SQLTrackerStore):
    def __init__(self, host: str | None = None, **kwargs: Any) -> None:
        super().__init__(host=host, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erasure_requested(tracker):
            removed = self.delete_conversation(tracker.sender_id)
            logger.info("Erased a conversation on the runner's request (%d events).", removed)
            return
        await super().save(tracker)

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
