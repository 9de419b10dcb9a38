"""REST and socket.io channels that never fail silently.

On top of Rasa's channels: malformed requests get a 4xx with a reason (REST)
or a polite reply (socket.io); text is cleaned of control characters and
capped in length; if handling a message fails or produces no reply at all
(for example, the action server is down), the runner gets an apology with the
clinic's contact details. Nothing here logs message text.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import re
import time
import unicodedata
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_assistant.channels.messages import channel_message
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


# Punctuation a voice keyboard wrote out as words ("no comma I'm not pregnant full
# stop"): the reading needs the real marks to see where an answer ends.
_SPOKEN_PUNCTUATION = [
    (re.compile(r"\s*\b(?:full stop|fullstop)\b", re.IGNORECASE), "."),
    (re.compile(r"\s*\bcomma\b", re.IGNORECASE), ","),
    (re.compile(r"\s*\bquestion mark\b", re.IGNORECASE), "?"),
    (re.compile(r"\s*\bexclamation (?:mark|point)\b", re.IGNORECASE), "!"),
    (re.compile(r"\s*\bnew (?:line|paragraph)\b\s*", re.IGNORECASE), "\n"),
]


def spoken_punctuation_as_marks(text: str) -> str:
    for spoken, mark in _SPOKEN_PUNCTUATION:
        text = spoken.sub(mark, text)
    return text


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
    return spoken_punctuation_as_marks(text)


def clean_sender(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise BadMessage("'sender' must be a non-empty string")
    if len(raw) > MAX_SENDER_CHARS:
        raise BadMessage(f"'sender' is longer than {MAX_SENDER_CHARS} characters")
    return raw.strip()


def apology_text() -> str:
    return channel_message("apology")


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
        # "Start over" is answered by the widget's own greeting; Rasa rightly says nothing
        if output.replies == 0 and message.text != RESTART_COMMAND:
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


MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RESTART_COMMAND = "/restart"  # the widget's "Start over": Rasa restarts and says nothing
# The reply that confirms "delete my data" (domain.yml): the cached replies go with it.
ERASED_RESPONSE = "utter_delete_done"


@dataclass
class Delivery:
    """What the channel remembers about one received message id (never its text)."""

    received_at: float
    handled: bool = False
    replies_sent: int = 0
    # The bot's replies to it, kept briefly so that a client whose connection died
    # before they arrived gets them again; None once forgotten.
    replies: list[dict[str, Any]] | None = field(default_factory=list)


class DeliveryLog:
    """Recently received message ids per sender: a bounded, in-memory cache.

    Makes the socket.io channel idempotent: a client that did not get the
    acknowledgement sends the message again with the same id, and the assistant
    handles it only once (the client gets the replies it missed instead). Holds
    no message text; the bot replies only of each sender's latest few messages,
    and only for `replies_ttl` seconds.
    """

    def __init__(
        self,
        max_senders: int = 5000,
        ids_per_sender: int = 64,
        replies_per_sender: int = 3,
        replies_ttl: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_senders = max_senders
        self.ids_per_sender = ids_per_sender
        self.replies_per_sender = replies_per_sender
        self.replies_ttl = replies_ttl
        self.clock = clock
        self._senders: OrderedDict[str, OrderedDict[str, Delivery]] = OrderedDict()

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._senders.values())

    def receive(self, sender: str, message_id: str) -> tuple[bool, Delivery]:
        """Records a message id: (True, new record) the first time, else (False, the record)."""
        ids = self._senders.get(sender)
        if ids is None:
            ids = self._senders[sender] = OrderedDict()
            while len(self._senders) > self.max_senders:
                self._senders.popitem(last=False)
        self._senders.move_to_end(sender)
        record = ids.get(message_id)
        if record is not None:
            self._expire(record)
            return False, record
        record = ids[message_id] = Delivery(received_at=self.clock())
        while len(ids) > self.ids_per_sender:
            ids.popitem(last=False)
        for old in list(ids.values())[: -self.replies_per_sender]:
            old.replies = None
        return True, record

    def forget_replies(self, sender: str, keep: str | None = None) -> None:
        """Drops the kept replies of a sender (after "delete my data"); ids stay."""
        for message_id, record in self._senders.get(sender, {}).items():
            if message_id != keep:
                record.replies = None

    def get(self, sender: str, message_id: str) -> Delivery | None:
        record = self._senders.get(sender, {}).get(message_id)
        if record is not None:
            self._expire(record)
        return record

    def _expire(self, record: Delivery) -> None:
        if self.clock() - record.received_at > self.replies_ttl:
            record.replies = None


class DeliveryOutput(SocketIOOutput):
    """Tags each reply with the message id it answers (`reply_to`, `reply_index`)
    and keeps it in the delivery record until the record forgets its replies."""

    def __init__(
        self,
        sio: Any,
        bot_message_evt: str,
        message_id: str,
        record: Delivery,
        on_erased: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self.message_id = message_id
        self.record = record
        self.on_erased = on_erased

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if message.get("utter_action") == ERASED_RESPONSE and self.on_erased:
            self.on_erased()  # the conversation was erased: so are the replies kept here
        await super().send_response(recipient_id, message)

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if isinstance(response, dict):
            response = dict(
                response, reply_to=self.message_id, reply_index=self.record.replies_sent
            )
            self.record.replies_sent += 1
            if self.record.replies is not None:
                self.record.replies.append(response)
        await self.sio.emit(self.bot_message_evt, response, room=socket_id)


class SafeSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the same checks and the silence guard, plus
    delivery the widget can trust:

    * `user_uttered` may carry a `message_id` (1-64 of A-Z a-z 0-9 _ -). The event
      is acknowledged (socket.io ack: {"message_id", "status": "accepted" |
      "duplicate" | "rejected"}) as soon as it is taken, and handled once per
      sender and id: a repeat gets the replies sent so far again, not a second
      handling. Replies carry `reply_to`/`reply_index`; `message_handled`
      {"message_id", "replies"} follows the last one.
    * `replay_request` {"session_id", "message_id"} sends the replies to a recent
      message again (a reloaded page shows the last question without the device
      keeping the transcript).
    * `heartbeat` is acknowledged at once, so the client sees a dead connection
      within seconds; engine.io's own ping is shortened as a backstop.
    """

    PING_INTERVAL = 10  # seconds; python-engineio's default is 25 (+20 timeout)
    PING_TIMEOUT = 10

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handler = never_silent(on_new_message, "socketio")
        webhook = super().blueprint(handler)
        sio = self.sio
        sio.eio.ping_interval = self.PING_INTERVAL
        sio.eio.ping_timeout = self.PING_TIMEOUT
        deliveries = self.deliveries = DeliveryLog()
        tasks: set[asyncio.Task] = set()

        async def handle_and_report(message: UserMessage, room: str, message_id: str) -> None:
            record = message.output_channel.record
            try:
                await handler(message)
            finally:
                record.handled = True
                await sio.emit(
                    "message_handled",
                    {"message_id": message_id, "replies": record.replies_sent},
                    room=room,
                    namespace=self.namespace,
                )

        async def resend(sid: str, message_id: str, record: Delivery) -> None:
            for reply in list(record.replies or []):
                await sio.emit(self.bot_message_evt, reply, room=sid, namespace=self.namespace)
            if record.handled:
                await sio.emit(
                    "message_handled",
                    {"message_id": message_id, "replies": record.replies_sent},
                    room=sid,
                    namespace=self.namespace,
                )

        async def user_message(sid: str, data: Any) -> Dict[str, Any] | None:
            room = sid
            message_id = data.get("message_id") if isinstance(data, dict) else None
            try:
                if not isinstance(data, dict):
                    raise BadMessage("messages must be objects")
                if self.session_persistence:
                    sender = clean_sender(data.get("session_id"))
                    room = sender
                else:
                    sender = sid
                if message_id is not None and not (
                    isinstance(message_id, str) and MESSAGE_ID.match(message_id)
                ):
                    message_id = None
                    raise BadMessage("'message_id' must be 1-64 letters, digits, _ or -")
                text = clean_text(data.get("message"))
            except BadMessage as bad:
                REJECTED_REQUESTS.labels(channel="socketio").inc()
                await sio.emit(
                    self.bot_message_evt,
                    {"text": channel_message("unreadable", reason=bad.reason)},
                    room=room,
                )
                if isinstance(message_id, str):
                    return {"message_id": message_id, "status": "rejected"}
                return None
            metadata = data.get(self.metadata_key)
            metadata = metadata if isinstance(metadata, dict) else None
            if message_id is None:  # a client without delivery receipts: as before
                output = SocketIOOutput(sio, self.bot_message_evt)
                await handler(
                    UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
                )
                return None
            new, record = deliveries.receive(sender, message_id)
            if not new:
                logger.debug("A socketio message was received again; not handled twice.")
                await resend(sid, message_id, record)
                return {"message_id": message_id, "status": "duplicate"}
            output = DeliveryOutput(
                sio,
                self.bot_message_evt,
                message_id,
                record,
                on_erased=lambda: deliveries.forget_replies(sender, keep=message_id),
            )
            message = UserMessage(
                text, output, sender, input_channel=self.name(), metadata=metadata
            )
            # Acknowledge now, answer in the background: the ack must not wait for the model.
            task = asyncio.ensure_future(handle_and_report(message, room, message_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            return {"message_id": message_id, "status": "accepted"}

        async def replay_request(sid: str, data: Any) -> Dict[str, bool]:
            if not isinstance(data, dict):
                return {"found": False}
            sender = data.get("session_id") if self.session_persistence else sid
            message_id = data.get("message_id")
            if not (isinstance(sender, str) and isinstance(message_id, str)):
                return {"found": False}
            record = deliveries.get(sender, message_id)
            if record is None or record.replies is None:
                return {"found": False}
            await resend(sid, message_id, record)
            return {"found": True}

        async def heartbeat(sid: str, data: Any = None) -> Dict[str, bool]:
            return {"ok": True}

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
        sio.on("replay_request", replay_request, namespace=self.namespace)
        sio.on("heartbeat", heartbeat, namespace=self.namespace)
        sio.on("connect", connect, namespace=self.namespace)
        return webhook


def origin_allowed(origin: str) -> bool:
    """CORS_ORIGINS (space-separated, as given to `rasa run --cors`); "*" allows all."""
    allowed = os.environ.get("CORS_ORIGINS", "*").split()
    return "*" in allowed or origin in allowed
