"""Delivery receipts on the socket.io channel: acknowledged, handled once per id."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Tuple

import pytest

from clinic_assistant.channels.safe import DeliveryLog, SafeSocketIOInput


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- DeliveryLog


def test_an_id_is_new_once_per_sender() -> None:
    log = DeliveryLog()
    assert log.receive("anna", "m1")[0] is True
    assert log.receive("anna", "m1")[0] is False
    assert log.receive("ben", "m1")[0] is True  # ids are per sender


def test_the_cache_is_bounded_per_sender_and_in_senders() -> None:
    log = DeliveryLog(max_senders=3, ids_per_sender=4)
    for i in range(10):
        log.receive("anna", f"m{i}")
    assert len(log) == 4
    assert log.get("anna", "m9") is not None and log.get("anna", "m5") is None
    for sender in ("ben", "cem", "dan"):
        log.receive(sender, "x")
    assert log.get("anna", "m9") is None  # the least recently active sender went first
    assert len(log) == 3


def test_replies_are_kept_only_for_the_latest_messages_and_not_for_long() -> None:
    clock = Clock()
    log = DeliveryLog(replies_per_sender=2, replies_ttl=60, clock=clock)
    records = [log.receive("anna", f"m{i}")[1] for i in range(3)]
    assert records[0].replies is None  # older than the latest two
    assert records[1].replies == [] and records[2].replies == []
    clock.now += 61
    assert log.get("anna", "m2").replies is None
    assert log.receive("anna", "m2")[0] is False  # the id itself is still known


# ---------------------------------------------------------------- the channel


class Recorder:
    """Stands in for sio.emit; the channel's handlers are called directly."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Any, str | None]] = []

    async def emit(self, event: str, data: Any = None, room: str | None = None, **_: Any) -> None:
        self.emitted.append((event, data, room))

    def events(self, name: str) -> List[Tuple[Any, str | None]]:
        return [(data, room) for event, data, room in self.emitted if event == name]


@pytest.fixture
def channel(monkeypatch: pytest.MonkeyPatch):
    handled: List[str] = []
    gate = asyncio.Event()
    gate.set()

    async def on_new_message(message) -> None:
        handled.append(message.text)
        await gate.wait()
        if message.text == "delete my data":
            await message.output_channel.send_response(
                message.sender_id, {"text": "Done.", "utter_action": "utter_delete_done"}
            )
        elif message.text != "/restart":  # Rasa says nothing to a restart
            # as Rasa's processor does: one send_response per bot message
            await message.output_channel.send_response(
                message.sender_id, {"text": "first\n\nsecond"}
            )

    channel = SafeSocketIOInput(session_persistence=True)
    channel.blueprint(on_new_message)
    recorder = Recorder()
    monkeypatch.setattr(channel.sio, "emit", recorder.emit)
    handlers: Dict[str, Any] = channel.sio.handlers["/"]
    return handlers, recorder, handled, gate


async def settle(recorder: Recorder, message_id: str) -> None:
    for _ in range(200):
        if any(d["message_id"] == message_id for d, _ in recorder.events("message_handled")):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{message_id} was never reported handled")


def user_uttered(text: str, message_id: str | None = "m1", session: str = "s1") -> dict:
    data = {"message": text, "session_id": session}
    if message_id is not None:
        data["message_id"] = message_id
    return data


async def test_a_message_is_acknowledged_and_its_replies_refer_to_it(channel) -> None:
    handlers, recorder, handled, _ = channel
    ack = await handlers["user_uttered"]("sid-1", user_uttered("hello"))
    assert ack == {"message_id": "m1", "status": "accepted"}
    await settle(recorder, "m1")
    assert handled == ["hello"]
    replies = recorder.events("bot_uttered")
    assert [(d["text"], d["reply_to"], d["reply_index"], room) for d, room in replies] == [
        ("first", "m1", 0, "s1"),
        ("second", "m1", 1, "s1"),
    ]
    assert recorder.events("message_handled") == [({"message_id": "m1", "replies": 2}, "s1")]


async def test_the_ack_does_not_wait_for_the_answer(channel) -> None:
    handlers, recorder, handled, gate = channel
    gate.clear()  # the model is slow
    ack = await asyncio.wait_for(handlers["user_uttered"]("sid-1", user_uttered("hi")), 1)
    assert ack["status"] == "accepted"
    assert recorder.events("bot_uttered") == []
    gate.set()
    await settle(recorder, "m1")


async def test_a_repeated_id_is_not_handled_twice_and_gets_the_replies_again(channel) -> None:
    handlers, recorder, handled, _ = channel
    await handlers["user_uttered"]("sid-1", user_uttered("No"))
    await settle(recorder, "m1")
    recorder.emitted.clear()

    # the connection died before the replies arrived; the client retries on a new socket
    ack = await handlers["user_uttered"]("sid-2", user_uttered("No"))
    assert ack == {"message_id": "m1", "status": "duplicate"}
    await asyncio.sleep(0.05)
    assert handled == ["No"]
    resent = recorder.events("bot_uttered")
    assert [(d["text"], d["reply_index"], room) for d, room in resent] == [
        ("first", 0, "sid-2"),
        ("second", 1, "sid-2"),
    ]
    assert recorder.events("message_handled") == [({"message_id": "m1", "replies": 2}, "sid-2")]


async def test_a_repeat_while_the_first_is_still_handled_is_not_handled_again(channel) -> None:
    handlers, recorder, handled, gate = channel
    gate.clear()
    await handlers["user_uttered"]("sid-1", user_uttered("No"))
    ack = await handlers["user_uttered"]("sid-2", user_uttered("No"))
    assert ack["status"] == "duplicate"
    assert recorder.events("message_handled") == []  # not finished yet: no false "done"
    gate.set()
    await settle(recorder, "m1")
    assert handled == ["No"]
    assert len(recorder.events("message_handled")) == 1


async def test_other_ids_and_other_senders_are_handled(channel) -> None:
    handlers, recorder, handled, _ = channel
    await handlers["user_uttered"]("sid-1", user_uttered("No", "m1"))
    await handlers["user_uttered"]("sid-1", user_uttered("Yes", "m2"))
    await handlers["user_uttered"]("sid-9", user_uttered("Hi", "m1", session="s2"))
    for message_id in ("m1", "m2"):
        await settle(recorder, message_id)
    await asyncio.sleep(0.05)
    assert sorted(handled) == ["Hi", "No", "Yes"]


async def test_replay_request_sends_a_recent_answer_again(channel) -> None:
    handlers, recorder, _, _ = channel
    await handlers["user_uttered"]("sid-1", user_uttered("hello"))
    await settle(recorder, "m1")
    recorder.emitted.clear()
    found = await handlers["replay_request"]("sid-3", {"session_id": "s1", "message_id": "m1"})
    assert found == {"found": True}
    assert [d["text"] for d, room in recorder.events("bot_uttered") if room == "sid-3"] == [
        "first",
        "second",
    ]
    other = await handlers["replay_request"]("sid-3", {"session_id": "s2", "message_id": "m1"})
    assert other == {"found": False}
    assert await handlers["replay_request"]("sid-3", "nonsense") == {"found": False}


async def test_delete_my_data_also_drops_the_replies_kept_in_memory(channel) -> None:
    handlers, recorder, _, _ = channel
    await handlers["user_uttered"]("sid-1", user_uttered("my answers", "m1"))
    await settle(recorder, "m1")
    await handlers["user_uttered"]("sid-1", user_uttered("delete my data", "m2"))
    await settle(recorder, "m2")
    recorder.emitted.clear()
    gone = await handlers["replay_request"]("sid-2", {"session_id": "s1", "message_id": "m1"})
    assert gone == {"found": False}
    assert recorder.events("bot_uttered") == []
    kept = await handlers["replay_request"]("sid-2", {"session_id": "s1", "message_id": "m2"})
    assert kept == {"found": True}
    assert [d["text"] for d, _ in recorder.events("bot_uttered")] == ["Done."]
    assert all("utter_action" not in d for d, _ in recorder.events("bot_uttered"))


async def test_restart_gets_no_apology_but_is_reported_handled(channel) -> None:
    handlers, recorder, handled, _ = channel
    ack = await handlers["user_uttered"]("sid-1", user_uttered("/restart", "r1"))
    assert ack["status"] == "accepted"
    await settle(recorder, "r1")
    assert handled == ["/restart"]
    assert recorder.events("bot_uttered") == []


async def test_silence_still_gets_the_apology_with_the_message_id(channel, monkeypatch) -> None:
    handlers, recorder, handled, gate = channel

    async def silent(message) -> None:
        handled.append(message.text)

    # a fresh channel whose assistant says nothing
    quiet = SafeSocketIOInput(session_persistence=True)
    quiet.blueprint(silent)
    monkeypatch.setattr(quiet.sio, "emit", recorder.emit)
    await quiet.sio.handlers["/"]["user_uttered"]("sid-1", user_uttered("hello", "q1"))
    await settle(recorder, "q1")
    (reply, _), *rest = recorder.events("bot_uttered")
    assert not rest
    assert reply["reply_to"] == "q1" and reply["text"].startswith("Sorry")


async def test_bad_message_ids_are_rejected_and_nothing_is_handled(channel) -> None:
    handlers, recorder, handled, _ = channel
    for bad in ("", "x" * 65, "a b", "<script>", 7):
        ack = await handlers["user_uttered"]("sid-1", user_uttered("hello", bad))
        assert ack is None or ack["status"] == "rejected"
    await asyncio.sleep(0.05)
    assert handled == []
    assert len(recorder.events("bot_uttered")) == 5  # each got a polite reason


async def test_a_client_without_ids_works_as_before(channel) -> None:
    handlers, recorder, handled, _ = channel
    ack = await handlers["user_uttered"]("sid-1", user_uttered("hello", None))
    assert ack is None
    assert handled == ["hello"]
    assert all("reply_to" not in d for d, _ in recorder.events("bot_uttered"))


async def test_heartbeat_is_acknowledged(channel) -> None:
    handlers, _, _, _ = channel
    assert await handlers["heartbeat"]("sid-1", None) == {"ok": True}


def test_engineio_pings_are_short_enough_to_notice_a_dead_connection() -> None:
    channel_obj = SafeSocketIOInput(session_persistence=True)

    async def nothing(_message) -> None:
        return None

    channel_obj.blueprint(nothing)
    assert channel_obj.sio.eio.ping_interval + channel_obj.sio.eio.ping_timeout <= 20
