"""REST and socket.io channels that never fail silently.

On top of Rasa's channels: malformed requests get a 4xx with a reason (REST)
or a polite reply (socket.io); text is cleaned of control characters and
capped in length; if handling a message fails or produces no reply at all
(for example, the action server is down), the runner gets an apology with the
clinic's contact details. Nothing here logs message text.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import time
import unicodedata
import uuid
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_assistant.config import load_clinic_facts
from clinic_assistant.metrics import APOLOGIES, MESSAGES, REJECTED_REQUESTS, REPLY_LATENCY

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
Handler = Callable[[UserMessage], Awaitable[Any]]


class BadMessage(ValueError):
    """A request the assistant cannot take, with a reason for the client."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def clean_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise BadMessage("'message' must be a string")
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" else c for c in raw
    ).strip()
    if not text:
        raise BadMessage("'message' is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadMessage(f"'message' is longer than {MAX_MESSAGE_CHARS} characters", status=413)
    return text


def clean_sender(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise BadMessage("'sender' must be a non-empty string")
    if len(raw) > MAX_SENDER_CHARS:
        raise BadMessage(f"'sender' is longer than {MAX_SENDER_CHARS} characters")
    return raw.strip()


def apology_text() -> str:
    facts = load_clinic_facts()
    return (
        "Sorry, something went wrong on my side and I can't answer right now. Please try "
        f"again in a moment, or contact {facts.name} on {facts.contact_line()}."
    )


class _CountingOutput(OutputChannel):
    """Passes everything to the real output channel and counts the replies."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.replies = 0

    @classmethod
    def name(cls) -> str:
        return "counting"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.replies += 1
        await self.inner.send_response(recipient_id, message)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def never_silent(on_new_message: Handler, channel: str) -> Handler:
    async def handle(message: UserMessage) -> None:
        output = _CountingOutput(message.output_channel)
        message.output_channel = output
        started = time.perf_counter()
        try:
            await on_new_message(message)
        except Exception as error:  # the runner still gets an answer; no text in the log
            logger.error("Handling a %s message failed: %s", channel, type(error).__name__)
        if output.replies == 0:
            APOLOGIES.labels(channel=channel).inc()
            await output.inner.send_text_message(message.sender_id, apology_text())
        MESSAGES.labels(channel=channel).inc()
        REPLY_LATENCY.labels(channel=channel).observe(time.perf_counter() - started)

    return handle


class SafeRestInput(RestInput):
    """POST /webhooks/rest/webhook {"sender": "...", "message": "..."}."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        webhook = Blueprint("safe_rest_webhook", __name__)
        handler = never_silent(on_new_message, "rest")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = _json_body(request)
                sender = clean_sender(body.get("sender"))
                text = clean_text(body.get("message"))
            except BadMessage as bad:
                REJECTED_REQUESTS.labels(channel="rest").inc()
                return response.json({"error": bad.reason}, status=bad.status)
            collector = CollectingOutputChannel()
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            await handler(
                UserMessage(text, collector, sender, input_channel="rest", metadata=metadata)
            )
            return response.json(collector.messages)

        return webhook


def _json_body(request: Request) -> Dict[str, Any]:
    try:
        raw = request.body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadMessage("the body is not valid UTF-8") from error
    if len(raw) > 4 * MAX_MESSAGE_CHARS + 1024:
        raise BadMessage("the body is too large", status=413)
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError as error:
        raise BadMessage("the body is not valid JSON") from error
    if not isinstance(body, dict):
        raise BadMessage('the body must be a JSON object like {"sender": "...", "message": "..."}')
    return body


class SafeSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the same checks and the silence guard."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handler = never_silent(on_new_message, "socketio")
        webhook = super().blueprint(handler)
        sio = self.sio

        async def user_message(sid: str, data: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            room = sid
            try:
                if not isinstance(data, dict):
                    raise BadMessage("messages must be objects")
                if self.session_persistence:
                    sender = clean_sender(data.get("session_id"))
                    room = sender
                else:
                    sender = sid
                text = clean_text(data.get("message"))
            except BadMessage as bad:
                REJECTED_REQUESTS.labels(channel="socketio").inc()
                await sio.emit(
                    self.bot_message_evt,
                    {"text": f"Sorry, I couldn't read that message ({bad.reason})."},
                    room=room,
                )
                return
            metadata = data.get(self.metadata_key)
            await handler(
                UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=self.name(),
                    metadata=metadata if isinstance(metadata, dict) else None,
                )
            )

        async def session_request(sid: str, data: Any) -> None:
            # Rasa 3.6 calls the coroutine sio.enter_room() without awaiting it, so
            # with python-socketio >= 5.10 browsers never joined their session room
            # and got no replies. This replaces that handler.
            requested = data.get("session_id") if isinstance(data, dict) else None
            try:
                session_id = clean_sender(requested) if requested else uuid.uuid4().hex
            except BadMessage:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def connect(sid: str, environ: Dict, auth: Any = None) -> bool:
            # Rasa turns python-socketio's own origin check off; browsers send an
            # Origin header, so only the configured site(s) may open the socket.
            origin = environ.get("HTTP_ORIGIN")
            return origin is None or origin_allowed(origin)

        sio.on(self.user_message_evt, user_message, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on("connect", connect, namespace=self.namespace)
        return webhook


def origin_allowed(origin: str) -> bool:
    """CORS_ORIGINS (space-separated, as given to `rasa run --cors`); "*" allows all."""
    allowed = os.environ.get("CORS_ORIGINS", "*").split()
    return "*" in allowed or origin in allowed
