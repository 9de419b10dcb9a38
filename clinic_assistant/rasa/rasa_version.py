"""The one Rasa version the clinic's patches to Rasa's internals were written for.

speedups.py, phase_timing.py and the tracker store's fast paths replace or wrap
private Rasa functions. On any other Rasa version those internals may have
changed, and a patch that still imports would fail on every message. So each
patch asks `patches_allowed()` first: on another version it is not installed,
the log says so once, and the assistant runs on plain Rasa (slower, same
answers). Moving to a new Rasa means re-running the equivalence tests
(tests/unit/test_speedups.py, test_tracker_store.py) and then changing
`WRITTEN_FOR`.
"""

from __future__ import annotations

import logging

import rasa

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6.21"


def patches_allowed(patch: str, running: str | None = None) -> bool:
    """True on the Rasa version the patch was written for; else logs why not."""
    running = running or rasa.__version__
    if running == WRITTEN_FOR:
        return True
    logger.warning(
        "%s was written for Rasa %s and this is Rasa %s: not installed, running on plain Rasa.",
        patch,
        WRITTEN_FOR,
        running,
    )
    return False
