"""Operations endpoints on the Rasa server: liveness, readiness, metrics.

GET /webhooks/ops/live     200 while the process serves HTTP
GET /webhooks/ops/ready    200 once the model is loaded (503 before); also
                           reports whether the action server answers
GET /webhooks/ops/metrics  Prometheus text format (counts and timings only)

The blueprint also starts the automatic retention: once the server runs, it
deletes the conversations older than the retention period (RETENTION_DAYS,
clinic_assistant.privacy) right away and then every RETENTION_INTERVAL_SECONDS
(default 3600; 0 turns it off), logs how many it removed (counts only) and
shows the last run on the metrics (clinic_retention_*).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Awaitable, Callable

import aiohttp
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_assistant import metrics as clinic_metrics
from clinic_assistant.privacy import retention_days, retention_interval

logger = logging.getLogger(__name__)
RETENTION_TASK = "clinic_retention_task"


class OpsInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "ops"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        ops = Blueprint("clinic_ops", __name__)

        @ops.route("/live", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @ops.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            model_loaded = bool(agent and agent.is_ready())
            actions = await _action_server_status(agent)
            status = 200 if model_loaded else 503
            return response.json(
                {"model_loaded": model_loaded, "action_server": actions}, status=status
            )

        @ops.route("/metrics", methods=["GET"])
        async def metrics(_: Request) -> HTTPResponse:
            return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

        @ops.listener("after_server_start")
        async def start_retention(app: Any, _loop: Any) -> None:
            interval = retention_interval()
            clinic_metrics.RETENTION_DAYS.set(retention_days())
            if interval <= 0:
                logger.info("Automatic retention is off (RETENTION_INTERVAL_SECONDS=0).")
                return
            task = asyncio.get_running_loop().create_task(retention_loop(app, interval))
            setattr(app.ctx, RETENTION_TASK, task)

        @ops.listener("before_server_stop")
        async def stop_retention(app: Any, _loop: Any) -> None:
            task = getattr(app.ctx, RETENTION_TASK, None)
            if task is not None:
                task.cancel()

        return ops


def _privacy_store(agent: Any) -> Any:
    """The project's store inside the wrappers Rasa puts around it, or None."""
    store = getattr(agent, "tracker_store", None)
    while store is not None and not hasattr(store, "apply_retention"):
        store = getattr(store, "_tracker_store", None)
    return store


async def retention_loop(app: Any, interval: float) -> None:
    """Apply the retention now and then every `interval` seconds, until cancelled."""
    while True:
        await run_retention(app)
        await asyncio.sleep(interval)


async def run_retention(app: Any) -> None:
    store = _privacy_store(getattr(app.ctx, "agent", None))
    if store is None:
        logger.warning("Automatic retention skipped: the tracker store cannot delete old data.")
        clinic_metrics.RETENTION_RUNS.labels(outcome="error").inc()
        return
    days = retention_days()
    try:
        # in a thread: the event loop keeps serving while the store deletes
        removed = await asyncio.get_running_loop().run_in_executor(
            None, store.apply_retention, days
        )
    except Exception as error:  # noqa: BLE001 (logged without its text: it may quote data)
        logger.error("Automatic retention failed (%s); it runs again later.", type(error).__name__)
        clinic_metrics.RETENTION_RUNS.labels(outcome="error").inc()
        return
    clinic_metrics.RETENTION_RUNS.labels(outcome="ok").inc()
    clinic_metrics.RETENTION_LAST_RUN.set(time.time())
    clinic_metrics.RETENTION_LAST_REMOVED.labels(kind="conversations").set(removed.conversations)
    clinic_metrics.RETENTION_LAST_REMOVED.labels(kind="events").set(removed.events)
    logger.info(
        "Retention (%g days): removed %d conversations (%d events).",
        days,
        removed.conversations,
        removed.events,
    )


async def _action_server_status(agent: Any) -> str:
    endpoint = getattr(agent, "action_endpoint", None)
    if not endpoint or not endpoint.url:
        return "not configured"
    health = endpoint.url.rsplit("/webhook", 1)[0] + "/health"
    timeout = aiohttp.ClientTimeout(total=float(os.environ.get("ACTION_HEALTH_TIMEOUT", "2")))
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(health) as reply:
            return "ok" if reply.status == 200 else f"error {reply.status}"
    except (aiohttp.ClientError, TimeoutError):
        return "down"
