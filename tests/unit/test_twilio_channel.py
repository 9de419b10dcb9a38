"""SignedTwilioInput: signature checks, button replies, outgoing messages.

The channel runs on a real Sanic server on 127.0.0.1 (sanic-testing is not
installed), wired with Rasa's own `register`; Twilio's REST API is intercepted
with `responses`, so nothing leaves the machine.
"""

from __future__ import annotations

import logging
import socket
import uuid
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List
from urllib.parse import parse_qs, urlencode

import aiohttp
import pytest
import responses
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from twilio.request_validator import RequestValidator

from clinic_assistant.channels.messages import channel_message
from clinic_assistant.channels.twilio_signed import (
    MESSAGE_LIMIT,
    SignedTwilioInput,
    SignedTwilioOutput,
    match_button,
    split_message,
)

SID = "AC" + "0" * 32
TOKEN = "test-auth-token"
NUMBER = "whatsapp:+14155238886"
PATIENT = "whatsapp:+15005550006"
PATH = "/webhooks/twilio_signed/webhook"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "Not sure", "payload": '/inform{"answer":"unsure"}'},
]


class FakeAgent:
    """What the channel needs from `app.ctx.agent`: a tracker store and a handler."""

    def __init__(self) -> None:
        self.tracker_store: Any = InMemoryTrackerStore(Domain.empty())
        self.received: List[UserMessage] = []
        self.reply: Callable[[UserMessage], Awaitable[None]] | None = None

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.reply:
            await self.reply(message)


class Server:
    def __init__(self, base: str, agent: FakeAgent, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.agent = agent
        self.session = session

    async def post(
        self,
        form: Dict[str, str],
        *,
        signature: str | None = "sign",
        signed_url: str | None = None,
        headers: Dict[str, str] | None = None,
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature == "sign":
            url = signed_url or self.base + PATH
            signature = RequestValidator(TOKEN).compute_signature(url, form)
        if signature is not None:
            all_headers["X-Twilio-Signature"] = signature
        all_headers.update(headers or {})
        async with self.session.post(
            self.base + PATH, data=urlencode(form), headers=all_headers
        ) as resp:
            return resp.status, await resp.text()

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base + path) as resp:
            return resp.status, await resp.text()


def twilio_form(body: str | None = "Hello", sender: str = PATIENT) -> Dict[str, str]:
    """A WhatsApp webhook as Twilio posts it, including blank fields."""
    form = {
        "SmsMessageSid": "SM" + "a" * 32,
        "NumMedia": "0",
        "ProfileName": "Pat",
        "SmsStatus": "received",
        "To": NUMBER,
        "NumSegments": "1",
        "MessagingServiceSid": "",  # blank fields are signed too
        "MessageSid": "SM" + "a" * 32,
        "AccountSid": SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    if body is not None:
        form["Body"] = body
    return form


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_NUMBER", NUMBER)
    monkeypatch.delenv("TWILIO_WEBHOOK_URL", raising=False)


@pytest.fixture
async def serve(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Callable[[], Awaitable[Server]]]:
    """Starts the channel (built from the current env) the way `rasa run` does."""
    # Several apps per process: what sanic-testing does (unique names, re-runnable
    # start-up optimisations).
    monkeypatch.setattr(Sanic, "test_mode", True)
    running: List[Any] = []

    async def start() -> Server:
        channel = SignedTwilioInput.from_credentials({})
        agent = FakeAgent()
        app = Sanic(f"twilio_test_{uuid.uuid4().hex[:12]}", configure_logging=False)
        app.ctx.agent = agent
        register([channel], app, route="/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        # create_server already listens; startup() finalises the routes.
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        session = aiohttp.ClientSession()
        running.append((server, session))
        return Server(f"http://127.0.0.1:{sock.getsockname()[1]}", agent, session)

    yield start
    for server, session in running:
        await session.close()
        server.close()
        await server.wait_closed()


@pytest.fixture
def twilio_api() -> responses.RequestsMock:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(MESSAGES_URL, json={"sid": "SM" + "b" * 32, "status": "queued"}, status=201)
        yield mock


def sent(mock: responses.RequestsMock) -> List[Dict[str, str]]:
    """Form fields of every message the channel asked Twilio to send, in order."""
    calls = []
    for call in mock.calls:
        body = call.request.body
        text = body.decode() if isinstance(body, bytes) else body
        calls.append({k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()})
    return calls


async def remember_bot_message(agent: FakeAgent, *events: Any) -> None:
    tracker = DialogueStateTracker.from_events(
        PATIENT, [ActionExecuted("action_listen"), UserUttered("hi"), *events]
    )
    await agent.tracker_store.save(tracker)


# --- incoming webhook --------------------------------------------------------------


async def test_signed_message_reaches_the_assistant(
    twilio_env: None, serve: Any, twilio_api: responses.RequestsMock
) -> None:
    server = await serve()
    status, text = await server.post(twilio_form("My knee hurts"))
    assert status == 200
    assert "<Response>" in text
    [message] = server.agent.received
    assert message.text == "My knee hurts"
    assert message.sender_id == PATIENT
    assert message.input_channel == "twilio_signed"
    assert isinstance(message.output_channel.inner, SignedTwilioOutput)
    # the fake assistant said nothing: the runner gets an apology, never silence
    [apology] = sent(twilio_api)
    assert apology["Body"].startswith("Sorry, something went wrong") and apology["To"] == PATIENT


async def test_link_buttons_are_addresses_not_choices(twilio_api: responses.RequestsMock) -> None:
    output = SignedTwilioOutput(SID, TOKEN, NUMBER)
    url = "https://clinic.example/book"
    await output.send_text_with_buttons(
        PATIENT, f"Book here: {url}", [{"title": "Book an appointment", "payload": url}]
    )
    [message] = sent(twilio_api)
    assert message["Body"] == f"Book here: {url}"
    assert match_button("1", [{"title": "Book an appointment", "payload": url}]) is None


async def test_health_route(twilio_env: None, serve: Any) -> None:
    server = await serve()
    assert (await server.get("/webhooks/twilio_signed/"))[0] == 200


@pytest.mark.parametrize(
    "signature",
    [
        "forged",
        RequestValidator("another-token").compute_signature(
            "http://127.0.0.1/webhooks/twilio_signed/webhook", twilio_form()
        ),
    ],
)
async def test_forged_signature_is_rejected(twilio_env: None, serve: Any, signature: str) -> None:
    server = await serve()
    status, text = await server.post(twilio_form(), signature=signature)
    assert status == 403
    assert "invalid signature" in text
    assert server.agent.received == []


async def test_tampered_body_is_rejected(twilio_env: None, serve: Any) -> None:
    server = await serve()
    signature = RequestValidator(TOKEN).compute_signature(server.base + PATH, twilio_form("yes"))
    status, _ = await server.post(twilio_form("no"), signature=signature)
    assert status == 403
    assert server.agent.received == []


async def test_missing_signature_is_rejected(twilio_env: None, serve: Any) -> None:
    server = await serve()
    status, text = await server.post(twilio_form(), signature=None)
    assert status == 403
    assert "missing signature" in text
    assert server.agent.received == []


@pytest.mark.parametrize("unset", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"])
async def test_unconfigured_channel_is_off(
    twilio_env: None, serve: Any, monkeypatch: pytest.MonkeyPatch, unset: str
) -> None:
    monkeypatch.delenv(unset)
    server = await serve()
    status, text = await server.post(twilio_form())
    assert status == 404
    assert "not configured" in text
    assert (await server.get("/webhooks/twilio_signed/"))[0] == 404
    assert server.agent.received == []


@pytest.mark.parametrize("missing", ["Body", "From"])
async def test_malformed_request_is_400(twilio_env: None, serve: Any, missing: str) -> None:
    server = await serve()
    form = twilio_form()
    del form[missing]
    status, text = await server.post(form)
    assert status == 400
    assert "missing From or Body" in text
    assert server.agent.received == []


async def test_signature_uses_the_public_url_from_env(
    twilio_env: None, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = "https://bot.clinic.example/webhooks/twilio_signed/webhook"
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", public)
    server = await serve()
    assert (await server.post(twilio_form(), signed_url=public))[0] == 200
    assert (await server.post(twilio_form()))[0] == 403  # signed for the internal URL
    assert len(server.agent.received) == 1


async def test_signature_honours_forwarded_headers(twilio_env: None, serve: Any) -> None:
    server = await serve()
    public = "https://bot.clinic.example/webhooks/twilio_signed/webhook"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.clinic.example"}
    status, _ = await server.post(twilio_form(), signed_url=public, headers=forwarded)
    assert status == 200
    assert len(server.agent.received) == 1


# --- replies to buttons --------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("2", "/deny"),
        (" 3. ", '/inform{"answer":"unsure"}'),
        ("not sure", '/inform{"answer":"unsure"}'),
        ("  NOT   Sure ", '/inform{"answer":"unsure"}'),
        ("yes", "/affirm"),
    ],
)
async def test_reply_to_buttons_becomes_payload(
    twilio_env: None, serve: Any, reply: str, payload: str
) -> None:
    server = await serve()
    await remember_bot_message(server.agent, BotUttered("Any swelling?", {"buttons": BUTTONS}))
    assert (await server.post(twilio_form(reply)))[0] == 200
    assert server.agent.received[0].text == payload


@pytest.mark.parametrize("reply", ["4", "maybe", "yes please"])
async def test_non_matching_reply_is_unchanged(twilio_env: None, serve: Any, reply: str) -> None:
    server = await serve()
    await remember_bot_message(server.agent, BotUttered("Any swelling?", {"buttons": BUTTONS}))
    await server.post(twilio_form(reply))
    assert server.agent.received[0].text == reply


async def test_only_the_last_bot_message_counts(twilio_env: None, serve: Any) -> None:
    server = await serve()
    await remember_bot_message(
        server.agent,
        BotUttered("Any swelling?", {"buttons": BUTTONS}),
        BotUttered("How many runs a week?"),
    )
    await server.post(twilio_form("2"))
    assert server.agent.received[0].text == "2"


async def test_failed_lookup_passes_text_unchanged(twilio_env: None, serve: Any) -> None:
    server = await serve()
    server.agent.tracker_store = None  # e.g. agent not loaded yet / store unreachable
    assert (await server.post(twilio_form("2")))[0] == 200
    assert server.agent.received[0].text == "2"


# --- outgoing messages ---------------------------------------------------------------


async def test_buttons_are_one_numbered_message(twilio_api: responses.RequestsMock) -> None:
    out = SignedTwilioOutput(SID, TOKEN, NUMBER)
    await out.send_response(PATIENT, {"text": "Any swelling?", "buttons": list(BUTTONS)})
    [message] = sent(twilio_api)
    assert message["To"] == PATIENT
    assert message["From"] == NUMBER
    assert message["Body"] == (
        "Any swelling?\n\n1. Yes\n2. No\n3. Not sure\n\n" + channel_message("buttons_hint")
    )
    assert "/affirm" not in message["Body"]


async def test_quick_replies_images_and_sms(twilio_api: responses.RequestsMock) -> None:
    out = SignedTwilioOutput(SID, TOKEN, NUMBER)
    await out.send_response(
        "+15005550006",
        {"text": "Book now?", "quick_replies": BUTTONS[:2], "image": "https://x.example/a.png"},
    )
    first, second = sent(twilio_api)
    assert first["Body"].startswith("Book now?\n\n1. Yes\n2. No")
    assert second["Body"] == "Image: https://x.example/a.png"
    assert first["From"] == "+14155238886"  # SMS sender has no whatsapp: prefix


async def test_long_text_is_split_at_the_limit(twilio_api: responses.RequestsMock) -> None:
    sentence = "Keep your knee warm and rest for two days before the next session. "
    paragraph = sentence * 12
    text = "\n\n".join([paragraph] * 6)  # ~4900 characters
    out = SignedTwilioOutput(SID, TOKEN, NUMBER)
    await out.send_text_message(PATIENT, text)
    bodies = [m["Body"] for m in sent(twilio_api)]
    assert len(bodies) == len(split_message(text)) >= 4
    assert all(len(body) <= MESSAGE_LIMIT for body in bodies)
    assert " ".join(bodies).split() == text.split()
    assert all(body.endswith(".") for body in bodies)  # cut at sentence/paragraph ends


def test_split_never_cuts_words() -> None:
    text = " ".join(f"word{i}" for i in range(1000))
    chunks = split_message(text, limit=100)
    assert all(len(c) <= 100 for c in chunks)
    assert " ".join(chunks).split() == text.split()
    assert split_message("short") == ["short"]
    assert split_message("A b.\n\nC d.", limit=8) == ["A b.", "C d."]
    assert split_message("😀" * 10, limit=10) == ["😀" * 5, "😀" * 5]  # UTF-16 units


async def test_api_error_stops_the_message_and_logs_no_health_data(
    twilio_env: None, serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = await serve()

    async def reply(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "A. " * 700)

    server.agent.reply = reply
    with responses.RequestsMock() as mock:
        mock.post(MESSAGES_URL, json={"code": 21211, "message": f"bad {PATIENT}"}, status=400)
        assert (await server.post(twilio_form("My knee hurts")))[0] == 200
        assert len(mock.calls) == 1  # the remaining chunk is not sent
    # Ours: never, at any level. Everyone's (Rasa, Twilio, Sanic): never at INFO+.
    checked = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("clinic_assistant") or r.levelno >= logging.INFO
    ]
    assert "Twilio rejected a message (HTTP 400, code 21211)." in checked
    assert not [m for m in checked if "15005550006" in m or "knee" in m]
