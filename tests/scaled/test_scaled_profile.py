"""The scaled profile end to end: PostgreSQL, Redis, nginx and 2 Rasa replicas.

Starts scripts/run_scaled.py's ScaledProfile on free loopback ports in a
temporary directory (about a minute: both replicas load the model in
parallel), then:

- socket.io sessions work through nginx, both with long polling only (which
  needs the sticky upstream) and with the upgrade to a websocket;
- 41 screening conversations run at the same time over REST through nginx's
  round-robin, so consecutive messages of one conversation are answered by
  different replicas; after the third message one replica is killed, and the
  conversations finish on the other one without losing anything;
- every conversation's replies are its own (its complaint, its decision);
- the conversations are in PostgreSQL's events table, and Redis saw the locks.

Needs PostgreSQL, redis-server and nginx installed (not running); skips if one
is absent. Run alone with `pytest -m scaled tests/scaled`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml

from clinic_assistant.config import load_clinic_facts
from clinic_assistant.launcher import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.scaled

BOOKING_COMPLAINTS = {  # what the runner says -> what the summary must name
    "Knee": "runner's knee",
    "Achilles": "achilles",
    "Calf": "calf",
    "Shin": "shin",
    "Hip": "hip",
    "Foot": "foot",
}
BOOKERS = 30  # all answers "no": the last reply has the booking link
BLEEDERS = 11  # "yes" to the blood question: no booking link
STAGGER = 0.025  # s between the messages of one round, so nginx sees them in order
KILL_AFTER_STEP = 3
APOLOGY = "something went wrong on my side"


def _load_run_scaled() -> Any:
    path = ROOT / "scripts" / "run_scaled.py"
    spec = importlib.util.spec_from_file_location("run_scaled", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_scaled"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


run_scaled = _load_run_scaled()


@pytest.fixture(scope="module")
def profile() -> Iterator[Any]:
    try:
        binaries = run_scaled.find_binaries()
    except run_scaled.MissingBinary as missing:
        pytest.skip(str(missing))
    if not DEFAULT_MODEL.is_file():
        pytest.skip(f"no trained model at {DEFAULT_MODEL} (make setup trains it)")
    # not under pytest's tmp dir: that is 0700, and PostgreSQL runs as `postgres`
    run_dir = Path(tempfile.mkdtemp(prefix="clinic-scaled-"))
    started = time.monotonic()
    scaled = run_scaled.ScaledProfile(run_dir=run_dir, replicas=2, binaries=binaries)
    try:
        scaled.start()
        print(f"\nscaled profile up in {time.monotonic() - started:.0f} s at {scaled.url}")
        yield scaled
    except BaseException:
        _print_logs(run_dir)
        raise
    finally:
        scaled.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def _print_logs(run_dir: Path) -> None:
    for log in sorted(run_dir.glob("**/*.log")) + sorted(run_dir.glob("nginx/nginx.out")):
        lines = log.read_text(errors="replace").splitlines()
        interesting = [line for line in lines if "Warning" not in line][-40:]
        print(f"--- {log.relative_to(run_dir)}\n" + "\n".join(interesting))


def _questions() -> Dict[str, str]:
    """slot -> the question the assistant asks (clinic/screening.yml)."""
    with open(ROOT / "clinic" / "screening.yml", encoding="utf-8") as handle:
        return {q["slot"]: q["ask"] for q in yaml.safe_load(handle)["questions"]}


# ------------------------------------------------------------------ socket.io
async def _polling_session(url: str, first_message: str = "") -> List[str]:
    """A socket.io session over long polling only (python-socketio's client).

    Returns the bot's replies to `first_message`.
    """
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    confirmed = asyncio.Event()
    session_id = f"sio-{uuid.uuid4().hex[:12]}"
    client.on("bot_uttered", replies.put_nowait)
    client.on("session_confirm", lambda *_: confirmed.set())
    await client.connect(url, transports=["polling"], socketio_path="socket.io", wait_timeout=30)
    texts: List[str] = []
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), timeout=30)
        if first_message:
            await client.emit("user_uttered", {"session_id": session_id, "message": first_message})
            pregnant = _questions()["pregnant"]
            while not any(pregnant in text for text in texts):
                reply = await asyncio.wait_for(replies.get(), timeout=60)
                texts.append(str(reply.get("text", "")))
        assert client.transport() == "polling"
        return texts
    finally:
        await client.disconnect()


async def _upgraded_session(url: str) -> None:
    """Engine.io by hand: a long-polling handshake, then the upgrade to a websocket.

    (python-socketio's own websocket client needs a newer aiohttp than the
    pinned one.) The handshake and the websocket are separate requests, so
    they only meet the same session if nginx sends both to the same replica.
    """
    import websockets

    base = f"{url}/socket.io/?EIO=4&transport=polling"
    with urllib.request.urlopen(base, timeout=30) as response:
        handshake = response.read().decode()
    assert handshake.startswith("0"), handshake
    sid = json.loads(handshake[1:])["sid"]
    ws_url = url.replace("http://", "ws://") + f"/socket.io/?EIO=4&transport=websocket&sid={sid}"
    async with websockets.connect(ws_url, open_timeout=30) as ws:
        await ws.send("2probe")
        assert await asyncio.wait_for(ws.recv(), 30) == "3probe"
        await ws.send("5")  # upgrade done: polling is over
        await ws.send("40")  # connect to the default namespace
        session_id = f"sio-{uuid.uuid4().hex[:12]}"
        packets: List[str] = []
        while not any(packet.startswith("40") for packet in packets):
            packets.append(str(await asyncio.wait_for(ws.recv(), 30)))
        await ws.send(json.dumps(["session_request", {"session_id": session_id}]).join(["42", ""]))
        expected = "42" + json.dumps(["session_confirm", session_id], separators=(",", ":"))
        while expected not in packets:
            packet = str(await asyncio.wait_for(ws.recv(), 30))
            if packet == "2":  # engine.io ping
                await ws.send("3")
            packets.append(packet)


async def test_socketio_sessions_through_nginx(profile: Any) -> None:
    # long polling only: every poll must reach the replica that holds the
    # session, which the sticky upstream ensures (round-robin would break it)
    for _ in range(3):
        await _polling_session(profile.url)
    # the upgrade to a websocket passes nginx (Upgrade/Connection headers)
    await _upgraded_session(profile.url)


@pytest.mark.xfail(
    reason="Rasa 3.6's socket.io channel calls python-socketio 5.18's coroutine "
    "AsyncServer.enter_room without await, so with session_persistence the client "
    "never joins its session's room and replies are lost (not a scaling issue)",
    raises=asyncio.TimeoutError,
    strict=False,
)
async def test_socketio_reply_through_nginx(profile: Any) -> None:
    assert await _polling_session(profile.url, "I'd like to book")


# ------------------------------------------------------------------ REST
@dataclass
class Turn:
    text: str
    status: int = 0
    upstream: str = ""  # nginx's $upstream_addr: "a" or "a, b" when it retried
    messages: List[Dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def answered_by(self) -> str:
        return self.upstream.split(",")[-1].strip()

    @property
    def reply(self) -> str:
        return "\n".join(str(message.get("text", "")) for message in self.messages)


@dataclass
class Conversation:
    sender: str
    script: List[str]
    complaint: Optional[str]  # None: the blood answer rules dry needling out
    turns: List[Turn] = field(default_factory=list)


def _post(url: str, sender: str, text: str) -> Turn:
    turn = Turn(text)
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            turn.status = response.status
            turn.upstream = response.headers.get("X-Upstream", "")
            turn.messages = json.load(response)
    except urllib.error.HTTPError as error:
        turn.status = error.code
        turn.upstream = error.headers.get("X-Upstream", "")
        turn.error = error.read().decode(errors="replace")[:300]
    except OSError as error:
        turn.error = repr(error)
    return turn


def _conversations() -> List[Conversation]:
    run = uuid.uuid4().hex[:8]
    complaints = list(BOOKING_COMPLAINTS)
    conversations = [
        Conversation(
            f"scaled-{run}-book-{i:02d}",
            ["I'd like to book", "No", "No", "No", "No", complaints[i % 6], "Yes, that's right"],
            complaints[i % 6],
        )
        for i in range(BOOKERS)
    ]
    conversations += [
        Conversation(
            f"scaled-{run}-blood-{i:02d}",
            ["I'd like to book", "No", "Yes", "Yes, that's right"],
            None,
        )
        for i in range(BLEEDERS)
    ]
    # interleave the two kinds; an odd number per round makes nginx's
    # round-robin give each conversation the other replica in the next round
    conversations.sort(key=lambda c: c.sender.rsplit("-", 1)[1] + c.sender)
    assert len(conversations) % 2 == 1
    return conversations


def _run_round(pool: ThreadPoolExecutor, url: str, conversations: List[Conversation], step: int) -> None:
    active = [c for c in conversations if step < len(c.script)]
    futures = []
    for conversation in active:
        futures.append(pool.submit(_post, url, conversation.sender, conversation.script[step]))
        time.sleep(STAGGER)
    for conversation, future in zip(active, futures):
        conversation.turns.append(future.result())


def test_conversations_survive_round_robin_and_a_dead_replica(profile: Any) -> None:
    replicas = [url.split("//")[1] for url in profile.replica_urls]
    survivor, victim = replicas
    conversations = _conversations()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(conversations)) as pool:
        for step in range(max(len(c.script) for c in conversations)):
            _run_round(pool, profile.url, conversations, step)
            if step + 1 == KILL_AFTER_STEP:
                profile.stop_replica(1)  # SIGKILL: the replica crashes mid-conversation
    elapsed = time.monotonic() - started
    turns = [turn for c in conversations for turn in c.turns]
    print(f"\n{len(turns)} messages in {len(conversations)} conversations: {elapsed:.1f} s")

    # every message got a reply of its own conversation, not an apology
    failed = [(c.sender, i + 1, t.status, t.error) for c in conversations for i, t in enumerate(c.turns) if t.status != 200 or not t.messages]  # fmt: skip
    assert not failed, f"messages without a reply: {failed[:10]}"
    for conversation in conversations:
        assert len(conversation.turns) == len(conversation.script)
        for turn in conversation.turns:
            assert APOLOGY not in turn.reply, (conversation.sender, turn.text, turn.reply)
            assert {m.get("recipient_id") for m in turn.messages} == {conversation.sender}

    # before the kill, each conversation was answered by both replicas
    for conversation in conversations:
        seen = {turn.answered_by for turn in conversation.turns[:KILL_AFTER_STEP]}
        assert seen == set(replicas), (conversation.sender, [t.upstream for t in conversation.turns])
    # after it, the survivor answered everything; nginx retried what it sent to the dead one
    after = [turn for c in conversations for turn in c.turns[KILL_AFTER_STEP:]]
    assert {turn.answered_by for turn in after} == {survivor}
    assert any(victim in turn.upstream for turn in after), "nginx never tried the dead replica"

    # each conversation went its own way
    questions = _questions()
    booking_url = load_clinic_facts().booking_url
    for conversation in conversations:
        replies = [turn.reply for turn in conversation.turns]
        assert questions["pregnant"] in replies[0]
        assert questions["blood_disorder"] in replies[1]
        if conversation.complaint is None:
            assert "Blood disease, bleeding disorder or blood thinners: yes" in replies[2]
            assert booking_url not in replies[3], conversation.sender
            assert "not recommended" in replies[3], replies[3]
            continue
        assert questions["current_infection"] in replies[2]
        assert questions["infection_risk"] in replies[3]
        assert questions["complaint"] in replies[4]
        summary = replies[5].lower()
        assert BOOKING_COMPLAINTS[conversation.complaint] in summary, (conversation.sender, summary)
        others = set(BOOKING_COMPLAINTS.values()) - {BOOKING_COMPLAINTS[conversation.complaint]}
        assert not [other for other in others if f"complaint: {other}" in summary]
        assert booking_url in replies[6], (conversation.sender, replies[6])

    _assert_stored_in_postgres(profile, conversations)
    _assert_locked_in_redis(profile, len(turns))


def _assert_stored_in_postgres(profile: Any, conversations: List[Conversation]) -> None:
    import psycopg2

    with psycopg2.connect(**profile.db_connect_kwargs()) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' "
            "AND sender_id = ANY(%s) GROUP BY sender_id",
            ([c.sender for c in conversations],),
        )
        user_events = dict(cursor.fetchall())
    connection.close()
    assert user_events == {c.sender: len(c.script) for c in conversations}


def _assert_locked_in_redis(profile: Any, messages: int) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=profile.redis_port)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    # RedisLockStore writes the conversation's lock at least once per message
    assert stats.get("cmdstat_set", {}).get("calls", 0) >= messages, stats
