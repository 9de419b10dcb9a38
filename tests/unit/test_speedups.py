"""The patched Rasa hot paths answer exactly like Rasa's own code."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from clinic_assistant.rasa import speedups

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


def rasas_verdict(reply: Dict[str, Any]) -> str:
    try:
        speedups.ORIGINAL_VALIDATE_ACTION_RESULT(ACTION, reply)
        return "valid"
    except ValidationError as error:
        return error.message


def our_verdict(reply: Dict[str, Any]) -> str:
    try:
        speedups.validate_action_result(ACTION, reply)
        return "valid"
    except ValidationError as error:
        return error.message


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


def test_install_routes_rasa_through_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    speedups.install()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    event = Event.from_parameters({"event": "slot", "name": "pregnant", "value": "no"})
    assert event == SlotSet("pregnant", "no")
    with pytest.raises(ValidationError):
        ACTION._validate_action_result({"events": "not a list"})
