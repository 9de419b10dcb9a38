"""Phase timings: each wrapped call is observed once, under its phase, and still works."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor

from clinic_assistant.rasa import phase_timing
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore


def observed(phase: str) -> float:
    return REGISTRY.get_sample_value("clinic_phase_seconds_sum", {"phase": phase}) or 0


def count(phase: str) -> float:
    return REGISTRY.get_sample_value("clinic_phase_seconds_count", {"phase": phase}) or 0


async def test_coroutines_and_functions_are_timed_and_keep_their_results() -> None:
    async def parse(text: str) -> str:
        return text.upper()

    def predict(number: int) -> int:
        if number < 0:
            raise ValueError("negative")
        return number + 1

    before = count("nlu"), count("policies")
    assert await phase_timing.timed(parse, "nlu")("hi") == "HI"
    assert phase_timing.timed(predict, "policies")(1) == 2
    with pytest.raises(ValueError):
        phase_timing.timed(predict, "policies")(-1)  # a failure is timed too
    assert (count("nlu"), count("policies")) == (before[0] + 1, before[1] + 2)
    assert observed("nlu") > 0


def test_install_wraps_each_phase_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for owner, name, _ in phase_timing.TIMED:
        monkeypatch.setattr(owner, name, vars(owner).get(name, getattr(owner, name)))
    phase_timing.install()
    phase_timing.install()  # idempotent: a second call does not wrap twice
    assert MessageProcessor.parse_message.clinic_phase == "nlu"
    assert MessageProcessor.parse_message.__wrapped__.__name__ == "parse_message"
    assert not hasattr(MessageProcessor.parse_message.__wrapped__, "clinic_phase")
    assert RemoteAction.run.clinic_phase == "custom_action"
    assert PrivacySQLTrackerStore.save.clinic_phase == "tracker_save"
    assert PrivacySQLTrackerStore.retrieve.clinic_phase == "tracker_load"


def test_on_another_rasa_version_no_phase_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    for owner, name, _ in phase_timing.TIMED:
        monkeypatch.setattr(owner, name, vars(owner).get(name, getattr(owner, name)))
    assert phase_timing.install(rasa_version="3.7.0") is False
    for owner, name, _ in phase_timing.TIMED:
        assert not hasattr(getattr(owner, name), "clinic_phase")
