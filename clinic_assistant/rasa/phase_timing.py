"""Time each phase of handling a message, into the `clinic_phase_seconds` metric.

Rasa 3.6 reports no timings of its own. Wrapping the five calls that make up a
turn shows where a reply's time goes, on /webhooks/ops/metrics in production
and in reports/BENCHMARK.md: NLU parse, each next-action prediction, each
action server call, loading and saving the tracker. A timer costs about a
microsecond; nothing about the message is recorded.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor

from clinic_assistant.metrics import PHASE_SECONDS
from clinic_assistant.rasa.rasa_version import patches_allowed
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore

TIMED = (
    (MessageProcessor, "parse_message", "nlu"),
    (MessageProcessor, "_predict_next_with_tracker", "policies"),
    (RemoteAction, "run", "custom_action"),
    (PrivacySQLTrackerStore, "retrieve", "tracker_load"),  # the store of both profiles
    (PrivacySQLTrackerStore, "save", "tracker_save"),
)


def timed(function: Callable[..., Any], phase: str) -> Callable[..., Any]:
    histogram = PHASE_SECONDS.labels(phase=phase)
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            with histogram.time():  # prometheus_client's own timer, exceptions included
                return await function(*args, **kwargs)

        wrapper: Callable[..., Any] = timed_coroutine
    else:

        @functools.wraps(function)
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            with histogram.time():
                return function(*args, **kwargs)

        wrapper = timed_call
    wrapper.clinic_phase = phase  # type: ignore[attr-defined]
    return wrapper


def install(rasa_version: str | None = None) -> bool:
    """Wrap the phases (only on the Rasa version written for; returns whether it did)."""
    if not patches_allowed("clinic_assistant.rasa.phase_timing", rasa_version):
        return False
    for owner, name, phase in TIMED:
        method = getattr(owner, name)
        if getattr(method, "clinic_phase", None) is None:  # once, however often called
            setattr(owner, name, timed(method, phase))
    return True
