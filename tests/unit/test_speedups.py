"""The patched Rasa hot paths answer exactly like Rasa's own code."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List

import aiohttp
import dask
import numpy as np
import pytest
import rasa
import scipy.sparse
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.engine.runner import dask as rasa_dask_runner
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow import model_data_utils

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.rasa import rasa_version, speedups
from tests.conftest import require_model

ACTION = RemoteAction.__new__(RemoteAction)  # the validation reads no instance state

VALID_REPLIES = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "name": "pregnant", "value": "no"}]},
    {"responses": [{"text": "Are you pregnant?", "buttons": [{"title": "No", "payload": "No"}]}]},
    {"events": [{"event": "action_execution_rejected", "name": "screening_form"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
    {"events": [{"event": "bot", "text": "Hello", "timestamp": 1.5, "metadata": {"a": 1}}]},
    {"events": [{"event": "action", "name": "utter_x", "policy": None, "confidence": 1}]},
    {
        "events": [
            {
                "event": "user",
                "text": "I'm pregnant",
                "parse_data": {
                    "intent": {"name": "inform_condition", "confidence": 0.9},
                    "entities": [{"entity": "condition", "value": "pregnancy", "start": 4}],
                },
            }
        ]
    },
    {"events": [{"event": "slot", "name": "complaint", "value": None, "timestamp": None}]},
    {"other_key": "allowed", "events": [{"event": "reset_slots"}]},
]
INVALID_REPLIES = [
    {"events": "not a list"},
    {"events": None},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"events": [{"event": "slot", "name": "pregnant"}]},  # no value
    {"events": [{"event": 7}]},
    {"events": [{"event": ["slot"]}]},
    {"events": ["slot"]},
    {"events": [{"event": "bot", "timestamp": "yesterday"}]},
    {"events": [{"event": "bot", "metadata": ["not", "an", "object"]}]},
    {"events": [{"event": "action", "confidence": "high"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "condition"}]}}]},
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "nope"}]},
    {"responses": ["just a string"]},
    {"responses": {"text": "not a list"}},
    {"events": [{"name": "missing the event key"}]},
]


def verdict(validate: Callable[[RemoteAction, Dict[str, Any]], bool], reply: Dict[str, Any]) -> str:
    try:
        validate(ACTION, reply)
        return "valid"
    except ValidationError as error:
        return error.message


def rasas_verdict(reply: Dict[str, Any]) -> str:
    return verdict(speedups.ORIGINAL_VALIDATE_ACTION_RESULT, reply)


def our_verdict(reply: Dict[str, Any]) -> str:
    return verdict(speedups.validate_action_result, reply)


@pytest.mark.parametrize("reply", VALID_REPLIES + INVALID_REPLIES)
def test_action_replies_are_judged_like_rasa_does(reply: Dict[str, Any]) -> None:
    assert our_verdict(reply) == rasas_verdict(reply)


def test_invalid_replies_are_rejected_with_a_reason() -> None:
    for reply in INVALID_REPLIES:
        assert "Failed to validate Action server response" in our_verdict(reply)


def test_the_quick_check_accepts_valid_replies_and_nothing_else() -> None:
    # Valid replies must not need the full check (that is the speed-up) and an
    # invalid one must never pass the quick check (the full check decides it).
    assert all(speedups.quickly_accepted(reply) for reply in VALID_REPLIES)
    assert not any(speedups.quickly_accepted(reply) for reply in INVALID_REPLIES)
    assert not speedups.quickly_accepted(["not", "a", "reply"])


def test_every_event_type_of_the_schema_has_its_own_quick_validator() -> None:
    event_schema = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]
    names = [branch["properties"]["event"]["const"] for branch in event_schema["oneOf"]]
    assert sorted(speedups.event_validators()) == sorted(names)
    assert len(names) == 23


@pytest.mark.parametrize("event_class", all_subclasses(Event), ids=lambda c: c.__name__)
def test_every_event_type_resolves_to_rasas_class(event_class: type) -> None:
    name = event_class.type_name
    assert speedups.resolve_event_type(name) is speedups.ORIGINAL_RESOLVE_BY_TYPE(name)
    assert speedups.resolve_event_type(name) is speedups.ORIGINAL_RESOLVE_BY_TYPE(name)


def test_unknown_event_types_behave_like_rasa() -> None:
    assert speedups.resolve_event_type("topic") is None
    assert speedups.resolve_event_type("no_such_event", UserUttered) is UserUttered
    assert speedups.resolve_event_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        speedups.resolve_event_type("no_such_event")


def install_until_the_test_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """speedups.install() for one test; Rasa's own functions come back afterwards."""
    for owner, name in (
        (RemoteAction, "_validate_action_result"),
        (Event, "resolve_by_type"),
        (model_data_utils, "_create_fake_features"),
        (EndpointConfig, "session"),
        (rasa_dask_runner, "dask"),
    ):
        monkeypatch.setattr(owner, name, vars(owner)[name])  # remembered, restored on exit
    speedups.install()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    install_until_the_test_ends(monkeypatch)


def test_install_routes_rasa_through_the_fast_paths(installed: None) -> None:
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert model_data_utils._create_fake_features is speedups.create_fake_features
    assert EndpointConfig.session is speedups.shared_session
    assert rasa_dask_runner.dask.get is speedups.run_tasks_in_order
    event = Event.from_parameters({"event": "slot", "name": "pregnant", "value": "no"})
    assert event == SlotSet("pregnant", "no")
    with pytest.raises(ValidationError):
        ACTION._validate_action_result({"events": "not a list"})


def test_on_another_rasa_version_nothing_is_patched_and_the_log_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rasas_own = {
        "validate": vars(RemoteAction)["_validate_action_result"],
        "dask": vars(rasa_dask_runner)["dask"],
        "session": vars(EndpointConfig)["session"],
    }
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasas_own["validate"])
    monkeypatch.setattr(rasa_dask_runner, "dask", rasas_own["dask"])
    with caplog.at_level("WARNING"):
        assert speedups.install(rasa_version="3.7.0") is False
    assert vars(RemoteAction)["_validate_action_result"] is rasas_own["validate"]
    assert rasa_dask_runner.dask is rasas_own["dask"]
    assert vars(EndpointConfig)["session"] is rasas_own["session"]
    assert "written for Rasa 3.6.21 and this is Rasa 3.7.0" in caplog.text


def test_the_installed_rasa_is_the_one_the_patches_were_written_for() -> None:
    # Upgrading Rasa must be a decision: re-run these equivalence tests, then
    # change rasa_version.WRITTEN_FOR (and requirements.txt) together.
    assert rasa.__version__ == rasa_version.WRITTEN_FOR


def test_fake_features_match_rasas() -> None:
    sparse = Features(scipy.sparse.coo_matrix(np.ones((3, 7))), "sequence", "text", ["cvf"])
    dense = Features(np.ones((1, 5), dtype=np.float32), "sentence", "text", "lexical")
    all_features = [[None, [sparse, dense]], [[sparse, dense]]]
    ours = speedups.create_fake_features(all_features)
    rasas = speedups.ORIGINAL_CREATE_FAKE_FEATURES(all_features)
    assert len(ours) == len(rasas) == 2
    for mine, theirs in zip(ours, rasas, strict=False):
        assert (mine.type, mine.attribute, mine.origin) == (
            theirs.type,
            theirs.attribute,
            theirs.origin,
        )
        assert type(mine.features) is type(theirs.features)
        assert mine.features.shape == theirs.features.shape == (0, theirs.features.shape[-1])
        assert mine.features.dtype == theirs.features.dtype
    assert ours[0].origin is not sparse.origin  # the copy's list is its own
    assert sparse.features.shape == (3, 7) and dense.features.shape == (1, 5)  # inputs untouched
    assert model_data_utils._create_fake_features is speedups.ORIGINAL_CREATE_FAKE_FEATURES


@pytest.mark.slow
async def test_the_trained_model_parses_the_same_with_the_fast_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent = Agent.load(str(require_model()))
    texts = ["hi", "what is dry needling", "does it hurt", "I'm pregnant", "No", "Knee", "asdf"]
    before = [await agent.parse_message(text) for text in texts]
    install_until_the_test_ends(monkeypatch)
    assert model_data_utils._create_fake_features is speedups.create_fake_features
    after = [await agent.parse_message(text) for text in texts]
    for old, new in zip(before, after, strict=False):
        for key in ("intent", "intent_ranking", "response_selector", "entities"):
            assert new[key] == old[key]


def decisions(tracker: Any) -> List[tuple]:
    """What the dialogue policies decided at each step, and with what confidence."""
    return [
        (event.action_name, event.policy, event.confidence)
        for event in tracker.events
        if isinstance(event, ActionExecuted)
    ]


@pytest.mark.slow
async def test_the_trained_model_decides_the_same_with_the_fast_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent = Agent.load(str(require_model()))  # no action server: article answers only
    texts = ["hi", "what is dry needling", "does it hurt", "how long does it take", "thanks", "bye"]
    for text in texts:
        await agent.handle_text(text, sender_id="before")
    install_until_the_test_ends(monkeypatch)
    for text in texts:
        await agent.handle_text(text, sender_id="after")
    before = await agent.tracker_store.retrieve("before")
    after = await agent.tracker_store.retrieve("after")
    assert len(decisions(before)) >= 2 * len(texts)
    assert decisions(after) == decisions(before)
    assert [e.text for e in after.events if isinstance(e, BotUttered)] == [
        e.text for e in before.events if isinstance(e, BotUttered)
    ]


class Counted:
    """A task function that records its calls."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.calls = function, 0

    def __call__(self, *arguments: Any) -> Any:
        self.calls += 1
        return self.function(*arguments)


def test_graph_tasks_give_what_dask_gives() -> None:
    # The shape Rasa builds: node -> (callable, *names it needs); inputs are
    # (name, value) tuples; a node's result is a (name, value) tuple too.
    shared = Counted(lambda given: ("shared", given[1] * 2))
    graph = {
        "input": ("input", 21),
        "shared": (shared, "input"),
        "left": (lambda s, i: ("left", s[1] + i[1]), "shared", "input"),
        "right": (lambda s, word: ("right", (s[1], word)), "shared", "not a node name"),
    }
    expected = dask.get(graph, ["left", "right"])
    shared.calls = 0
    assert speedups.run_tasks_in_order(graph, ["left", "right"]) == expected
    assert expected == (("left", 63), ("right", (42, "not a node name")))
    assert shared.calls == 1  # computed once for both
    assert speedups.run_tasks_in_order(graph, ["input"]) == dask.get(graph, ["input"])


async def test_an_endpoint_reuses_one_connection_with_rasas_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client_ports: List[int] = []

    async def webhook(request: web.Request) -> web.Response:
        client_ports.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(
        f"http://127.0.0.1:{port}/webhook",
        headers={"X-Clinic": "1"},
        basic_auth={"username": "staff", "password": "secret"},
    )
    try:
        rasas_session = speedups.ORIGINAL_ENDPOINT_SESSION(endpoint)
        monkeypatch.setattr(EndpointConfig, "session", speedups.shared_session)
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "x"}) == {
                "events": [],
                "responses": [],
            }
        assert len(client_ports) == 3 and len(set(client_ports)) == 1  # one connection
        ours = endpoint.session().session
        assert not ours.closed
        assert ours.timeout == rasas_session.timeout
        assert ours._default_headers == rasas_session._default_headers
        assert ours._default_auth == rasas_session._default_auth
        assert ours._json_serialize is speedups.request_json
        await rasas_session.close()
        await ours.close()  # a closed session is replaced, not reused
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        assert len(set(client_ports)) == 2
        await endpoint.session().session.close()
    finally:
        await runner.cleanup()


def test_outside_an_event_loop_the_endpoint_gets_rasas_own_session() -> None:
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")
    session = speedups.shared_session(endpoint)
    assert isinstance(session, aiohttp.ClientSession)
    assert getattr(endpoint, "_clinic_session", None) is None
    asyncio.run(session.close())


def test_action_server_requests_carry_the_same_json() -> None:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    parse_data = {
        "text": "Knie tut weh / knee hurts ✓ “quoted”",
        "intent": {"name": "inform_complaint", "confidence": 0.9731234567891234},
        "intent_ranking": [
            {"name": "inform_complaint", "confidence": 0.9731234567891234},
            {"name": "faq", "confidence": 1.5e-07},
        ],
        "entities": [{"entity": "body_part", "value": "knee", "start": 0, "end": 4}],
    }
    tracker = DialogueStateTracker.from_events(
        "runner",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                parse_data["text"], parse_data["intent"], parse_data["entities"], parse_data
            ),
            SlotSet("pregnant", "no"),
            BotUttered("Is that right?", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ],
        domain.slots,
    )
    action = RemoteAction("validate_screening_form", EndpointConfig("http://127.0.0.1:9"))
    payload = action._action_call_format(tracker, domain)
    assert json.loads(speedups.request_json(payload)) == json.loads(json.dumps(payload))
    assert "✓" in json.loads(speedups.request_json(payload))["tracker"]["latest_message"]["text"]
    for odd in (float("nan"), {1: "integer_key"}, 2**70):
        assert speedups.request_json(odd) == json.dumps(odd, separators=(",", ":"))
    with pytest.raises(TypeError):
        speedups.request_json({"confidence": np.float32(0.5)})  # as json.dumps would
