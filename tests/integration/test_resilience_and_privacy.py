"""Faults, bad input, restarts, erasure and what reaches the logs, against a
dedicated running assistant (its processes are stopped and started here)."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from clinic_assistant.config import load_clinic_facts
from clinic_assistant.launcher import AssistantProcesses
from tests.conftest import start_assistant
from tests.support.chat import Chat, booking_link_shown, post, text_of

pytestmark = pytest.mark.server

ALLOWED_ORIGIN = "http://clinic-site.example"
# a sentence nobody else sends, to look for in the logs afterwards
SECRET = "I take warfarin since my operation in Zorbaville"


@pytest.fixture(scope="module")
def own_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantProcesses]:
    processes = start_assistant(
        tmp_path_factory.mktemp("resilience"), cors_origins=[ALLOWED_ORIGIN]
    )
    try:
        yield processes
    finally:
        processes.stop()


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "JSON object"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"message": "hi"}', 400, "sender"),
        (b'{"sender": "a"}', 400, "message"),
        (b'{"sender": "a", "message": ""}', 400, "empty"),
        (b'{"sender": "a", "message": "\\u0000\\u0007  "}', 400, "empty"),
        (b'{"sender": "a", "message": 42}', 400, "string"),
        (b'{"sender": "a", "message": "\xff\xfe"}', 400, "UTF-8"),
        (json.dumps({"sender": "a", "message": "x" * 100_000}).encode(), 413, "too large"),
        (json.dumps({"sender": "a", "message": "y" * 3000}).encode(), 413, "longer than"),
    ],
)
def test_malformed_requests_get_a_clear_4xx(
    own_assistant, body: bytes, status: int, reason: str
) -> None:
    code, reply = post(own_assistant.url, body)
    assert code == status and reason in reply["error"]


@pytest.mark.parametrize("odd", ["🏃‍♀️💨🔥", "?!?!", "asdfghjkl", "hi\u0007 there\u200b", "ñ" * 50])
def test_odd_messages_get_a_polite_reply(own_assistant, odd: str) -> None:
    replies = Chat(own_assistant.url).say(odd)
    assert text_of(replies).strip()


def test_server_keeps_serving_after_bad_input(own_assistant) -> None:
    post(own_assistant.url, b"{broken")
    post(own_assistant.url, b'{"sender": "a", "message": "' + b"z" * 100_000 + b'"}')
    chat = Chat(own_assistant.url)
    chat.say_all("book", "no", "no", "no", "no", "Hip")
    assert booking_link_shown(chat.say("Yes, that's right"))


def test_action_server_down_gives_an_apology_then_recovers(own_assistant) -> None:
    chat = Chat(own_assistant.url)
    chat.say("I'd like to book")
    own_assistant.stop_process(own_assistant.action_process)
    try:
        replies = chat.say("no")
        text = text_of(replies)
        assert "Sorry" in text and load_clinic_facts().phone in text
        assert "Traceback" not in text
        assert "Sorry" in text_of(Chat(own_assistant.url).say("can dry needling help my knee?"))
    finally:
        own_assistant.start_action_server()
    fresh = Chat(own_assistant.url)
    assert "knee" in text_of(fresh.say("can dry needling help my knee?"))
    fresh.say_all("book", "no", "no", "no", "no", "Calf")
    assert booking_link_shown(fresh.say("Yes, that's right"))


def test_restart_mid_screening_loses_nothing(own_assistant) -> None:
    chat = Chat(own_assistant.url)
    chat.say_all("book", "no", "no")
    own_assistant.stop_process(own_assistant.rasa_process)
    own_assistant.start_rasa_server()
    replies = chat.say("no")  # the answer to the infection question asked before the restart
    assert "raises your risk of infection" in text_of(replies)
    chat.say_all("no", "Foot")
    assert booking_link_shown(chat.say("Yes, that's right"))


def stored_rows(assistant: AssistantProcesses, sender: str) -> int:
    db = assistant.run_dir / "data" / "conversations.db"
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "select count(*) from events where sender_id = ?", (sender,)
        ).fetchone()[0]


def test_delete_my_data_removes_the_stored_conversation(own_assistant) -> None:
    chat = Chat(own_assistant.url)
    chat.say_all("I'd like to book", "no", SECRET)
    other = Chat(own_assistant.url)
    other.say("hello")
    assert stored_rows(own_assistant, chat.sender) > 0
    replies = chat.say("please delete my data")
    assert "deleted" in text_of(replies)
    assert stored_rows(own_assistant, chat.sender) == 0
    assert stored_rows(own_assistant, other.sender) > 0
    assert "Are you pregnant" in text_of(chat.say("book"))  # a fresh start


def test_http_api_is_off_and_cors_only_for_configured_origins(own_assistant) -> None:
    assert get(f"{own_assistant.url}/status")[0] == 404
    assert get(f"{own_assistant.url}/conversations/x/tracker")[0] == 404
    _, allowed, _ = get(f"{own_assistant.url}/webhooks/rest/", {"Origin": ALLOWED_ORIGIN})
    assert allowed.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    _, other, _ = get(f"{own_assistant.url}/webhooks/rest/", {"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other


def test_health_and_metrics(own_assistant) -> None:
    status, _, body = get(f"{own_assistant.url}/webhooks/ops/ready")
    assert status == 200 and json.loads(body) == {"model_loaded": True, "action_server": "ok"}
    assert get(f"{own_assistant.url}/webhooks/ops/live")[0] == 200
    assert get(f"{own_assistant.action_url}/health")[0] == 200
    Chat(own_assistant.url).say("what's the weather tomorrow?")
    _, _, metrics = get(f"{own_assistant.url}/webhooks/ops/metrics")
    text = metrics.decode()
    assert 'clinic_messages_total{channel="rest"}' in text
    assert "clinic_reply_latency_seconds_bucket" in text
    assert 'clinic_fallbacks_total{kind="out_of_scope"}' in text
    _, _, action_metrics = get(f"http://127.0.0.1:{own_assistant.action_metrics_port}/metrics")
    assert 'clinic_screening_outcomes_total{outcome="clear"}' in action_metrics.decode()
    assert SECRET not in text and "warfarin" not in action_metrics.decode()


def test_no_message_text_or_health_answer_in_the_logs(own_assistant) -> None:
    chat = Chat(own_assistant.url)
    chat.say_all("I'd like to book", "no", SECRET)
    logs = "".join(
        Path(own_assistant.run_dir, name).read_text(errors="replace")
        for name in ("rasa.log", "actions.log")
    )
    for private in (SECRET, "Zorbaville", "warfarin", chat.sender):
        assert private not in logs


async def test_socketio_accepts_only_configured_origins(own_assistant) -> None:
    import socketio

    async def connects(origin: str) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(
                own_assistant.url, headers={"Origin": origin}, transports=["polling"]
            )
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True

    assert await connects(ALLOWED_ORIGIN)
    assert not await connects("http://evil.example")


async def test_socketio_conversation_and_bad_events(own_assistant) -> None:
    import asyncio

    import socketio

    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", replies.put)
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", confirmed.put)
    await client.connect(
        own_assistant.url, headers={"Origin": ALLOWED_ORIGIN}, transports=["polling"]
    )
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(confirmed.get(), 10)
        await client.emit("user_uttered", "not an object")
        assert "couldn't read" in (await asyncio.wait_for(replies.get(), 30))["text"]
        await client.emit("user_uttered", {"session_id": session_id, "message": ""})
        assert "empty" in (await asyncio.wait_for(replies.get(), 30))["text"]
        await client.emit("user_uttered", {"session_id": session_id, "message": "does it hurt?"})
        assert "twitch" in (await asyncio.wait_for(replies.get(), 30))["text"]
    finally:
        await client.disconnect()
