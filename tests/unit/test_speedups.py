"""The patched Rasa hot paths answer exactly like Rasa's own code."""

from __future__ import annotations

from typing import Any, Callable, Dict

import numpy as np
import pytest
import scipy.sparse
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.common import all_subclasses
from rasa.utils.tensorflow import model_data_utils

from clinic_assistant.rasa import speedups
from tests.conftest import require_model

ACTION = RemoteAction.__new__(RemoteAction)  # the validation reads no instance state

VALID_REPLIES = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "name": "pregnant", "value": "no"}]},
    {"responses": [{"text": "Are you pregnant?", "buttons": [{"title": "No", "payload": "No"}]}]},
    {"events": [{"event": "action_execution_rejected", "name": "screening_form"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
]
INVALID_REPLIES = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": ["just a string"]},
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
    ):
        monkeypatch.setattr(owner, name, vars(owner)[name])  # remembered, restored on exit
    speedups.install()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    install_until_the_test_ends(monkeypatch)


def test_install_routes_rasa_through_the_fast_paths(installed: None) -> None:
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert model_data_utils._create_fake_features is speedups.create_fake_features
    event = Event.from_parameters({"event": "slot", "name": "pregnant", "value": "no"})
    assert event == SlotSet("pregnant", "no")
    with pytest.raises(ValidationError):
        ACTION._validate_action_result({"events": "not a list"})


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
