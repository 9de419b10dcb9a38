"""WhatsApp/SMS channel through Twilio that verifies `X-Twilio-Signature`.

Configured only from the environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
TWILIO_NUMBER, optional TWILIO_WEBHOOK_URL); without the first three the routes
answer 404 and nothing reaches the assistant. Message bodies and phone numbers are
health data: they are never logged (debug logs carry a hash of the sender at most).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, List, Mapping
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from requests import RequestException
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from clinic_assistant.channels.messages import channel_message
from clinic_assistant.channels.safe import BadMessage, clean_text, never_silent

logger = logging.getLogger(__name__)

# Twilio accepts at most 1600 characters per message body (SMS and WhatsApp).
MESSAGE_LIMIT = 1600
REQUIRED_ENV = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

# Preferred places to split a long text, best first.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),  # paragraph
    re.compile(r"\n\s*"),  # line
    re.compile(r"(?<=[.!?])\s+"),  # sentence
    re.compile(r"\s+"),  # word
)


def sender_hash(sender: str) -> str:
    """Short, non-reversible tag for a phone number, for debug logs only."""
    return hashlib.sha256(sender.encode("utf-8")).hexdigest()[:12]


def _units(char: str) -> int:
    """Length in UTF-16 code units (how Twilio counts; emoji count as two)."""
    return 2 if ord(char) > 0xFFFF else 1


def _fitting_prefix(text: str, limit: int) -> int:
    used = 0
    for index, char in enumerate(text):
        used += _units(char)
        if used > limit:
            return index
    return len(text)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> List[str]:
    """Splits `text` into chunks of at most `limit` units, never mid-word.

    Cuts at the last paragraph break that fits, else line break, sentence end, or
    space. Only a single "word" longer than `limit` (e.g. a huge URL) is cut hard.
    """
    chunks: List[str] = []
    rest = text.strip()
    while rest:
        end = _fitting_prefix(rest, limit)
        if end == len(rest):
            chunks.append(rest)
            break
        cut = end
        window = rest[: end + 1]  # a boundary right after the prefix still counts
        for pattern in _BOUNDARIES:
            starts = [m.start() for m in pattern.finditer(window) if m.start() > 0]
            if starts:
                cut = starts[-1]
                break
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return chunks


def is_link(button: Dict[str, Any]) -> bool:
    """A button whose payload is a web address opens it (e.g. the booking link)."""
    return str(button.get("payload", "")).startswith(("https://", "http://"))


def choices(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [button for button in buttons if not is_link(button)]


def format_buttons(text: str, buttons: List[Dict[str, Any]]) -> str:
    """One message: the text, a numbered list of the choices, and a hint.

    Link buttons become plain addresses (once), not numbered choices."""
    links = "\n".join(
        f"{b.get('title', '')}: {b['payload']}"
        for b in buttons
        if is_link(b) and b["payload"] not in text
    )
    options = "\n".join(
        f"{number}. {button.get('title', '')}" for number, button in enumerate(choices(buttons), 1)
    )
    hint = channel_message("buttons_hint") if options else ""
    return "\n\n".join(part for part in (text.strip(), links, options, hint) if part)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .!")


def match_button(reply: str, buttons: List[Dict[str, Any]]) -> str | None:
    """Payload of the button the reply picks (by title first, then by number)."""
    answer = _normalise(reply)
    buttons = choices(buttons)
    if not answer:
        return None
    chosen = next((b for b in buttons if _normalise(str(b.get("title", ""))) == answer), None)
    number = re.fullmatch(r"(\d{1,3})\)?", answer)
    if chosen is None and number and 1 <= int(number.group(1)) <= len(buttons):
        chosen = buttons[int(number.group(1)) - 1]
    if chosen is None:
        return None
    payload = chosen.get("payload") or chosen.get("title")
    return str(payload) if payload else None


class SignedTwilioOutput(OutputChannel):
    """Sends bot messages with Twilio's REST API (plain text, split at the limit)."""

    @classmethod
    def name(cls) -> str:
        return SignedTwilioInput.name()

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str) -> None:
        self.client = Client(account_sid, auth_token)
        self.twilio_number = twilio_number

    def _from_number(self, recipient_id: str) -> str:
        """The configured number, with the recipient's `whatsapp:` prefix or none."""
        number = self.twilio_number.removeprefix("whatsapp:")
        return f"whatsapp:{number}" if recipient_id.startswith("whatsapp:") else number

    async def _create(self, recipient_id: str, body: str) -> bool:
        try:
            # The Twilio client is blocking; keep the event loop free.
            await asyncio.to_thread(
                self.client.messages.create,
                to=recipient_id,
                from_=self._from_number(recipient_id),
                body=body,
            )
        except TwilioRestException as e:
            logger.error("Twilio rejected a message (HTTP %s, code %s).", e.status, e.code)
            return False
        except RequestException as e:
            logger.error("Could not reach Twilio (%s).", type(e).__name__)
            return False
        return True

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_message(text or ""):
            if not await self._create(recipient_id, chunk):
                break  # don't send the rest of a message out of context

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        await self.send_text_message(recipient_id, format_buttons(text or "", buttons))

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Sends a custom payload's `text`, if any; raw JSON never reaches patients."""
        text = json_message.get("text")
        if isinstance(text, str):
            await self.send_text_message(recipient_id, text)
        else:
            logger.debug("Dropped a custom payload without text.")


def _error(status: int, reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


class SignedTwilioInput(InputChannel):
    """Twilio webhook (WhatsApp/SMS) that rejects requests not signed by Twilio."""

    @classmethod
    def name(cls) -> str:
        return "twilio_signed"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        if credentials:
            logger.warning("twilio_signed ignores credentials.yml values; it reads env vars.")
        return cls.from_env()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SignedTwilioInput:
        return cls(
            environ.get("TWILIO_ACCOUNT_SID", "").strip(),
            environ.get("TWILIO_AUTH_TOKEN", "").strip(),
            environ.get("TWILIO_NUMBER", "").strip(),
            environ.get("TWILIO_WEBHOOK_URL", "").strip() or None,
        )

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        twilio_number: str,
        webhook_url: str | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.webhook_url = webhook_url
        values = (account_sid, auth_token, twilio_number)
        missing = [env for env, value in zip(REQUIRED_ENV, values, strict=False) if not value]
        self.enabled = not missing
        if missing:
            logger.warning("Twilio channel is OFF (not set: %s).", ", ".join(missing))

    def get_output_channel(self) -> OutputChannel | None:
        if not self.enabled:
            return None
        return SignedTwilioOutput(self.account_sid, self.auth_token, self.twilio_number)

    def public_url(self, request: Request) -> str:
        """The URL Twilio called, which is what it signed."""
        if self.webhook_url:
            return self.webhook_url
        headers = request.headers
        scheme = headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
        host = headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{scheme}://{host}{request.path}{query}"

    @staticmethod
    async def last_buttons(request: Request, sender_id: str) -> List[Dict[str, Any]]:
        """Buttons of the latest bot message in the stored conversation, if any."""
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
        except Exception as e:  # no agent yet, store down, ...: just don't map
            logger.debug("Button lookup failed (%s).", type(e).__name__)
            return []
        for event in reversed(tracker.events if tracker else []):
            if isinstance(event, BotUttered):
                return event.data.get("buttons") or event.data.get("quick_replies") or []
        return []

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint("twilio_signed_webhook", __name__)
        handler = never_silent(on_new_message, self.name())

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.enabled:
                return _error(404, "twilio channel not configured")
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.enabled:
                return _error(404, "twilio channel not configured")
            signature = request.headers.get("X-Twilio-Signature", "")
            if not signature:
                return _error(403, "missing signature")
            # Twilio signs every field, blank ones included; Sanic's request.form
            # drops blank values, so parse the body ourselves.
            body = request.body.decode("utf-8", errors="replace")
            params = RequestParameters(parse_qs(body, keep_blank_values=True))
            validator = RequestValidator(self.auth_token)
            if not validator.validate(self.public_url(request), params, signature):
                logger.warning("Rejected a Twilio webhook with an invalid signature.")
                return _error(403, "invalid signature")

            sender, text = params.get("From"), params.get("Body")
            if not sender or text is None:
                return _error(400, "missing From or Body")
            logger.debug("Twilio message from sender %s.", sender_hash(sender))
            if not text.strip():  # e.g. a photo without caption: nothing to understand
                return response.text(EMPTY_TWIML, content_type="text/xml")

            payload = match_button(text, await self.last_buttons(request, sender))
            if payload is not None:
                logger.debug("Reply mapped to a button payload.")
            try:
                text = clean_text(text)
            except BadMessage as bad:
                return _error(bad.status, bad.reason)
            user_message = UserMessage(
                payload if payload is not None else text,
                self.get_output_channel(),
                sender,
                input_channel=self.name(),
                message_id=params.get("MessageSid"),
            )
            await handler(user_message)  # replies (or an apology) go out through the API
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return twilio_webhook
