"""Operations endpoints on the Rasa server: liveness, readiness, metrics.

GET /webhooks/ops/live     200 while the process serves HTTP
GET /webhooks/ops/ready    200 once the model is loaded (503 before); also
                           reports whether the action server answers
GET /webhooks/ops/metrics  Prometheus text format (counts and timings only)
"""

from __future__ import annotations

import os
from typing import Any, Awaitable, Callable

import aiohttp
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


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

        return ops


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
