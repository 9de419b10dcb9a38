"""ClinicNLG: clinic facts in every response, screening questions from clinic/screening.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.rasa.nlg import ClinicNLG
from clinic_assistant.screening.rules import load_screening

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


async def say(response: str) -> dict:
    tracker = DialogueStateTracker.from_events("runner", [], DOMAIN.slots)
    return await ClinicNLG(domain=DOMAIN).generate(response, tracker, "rest")


@pytest.mark.parametrize(
    ("slot", "expected_titles"),
    [
        ("pregnant", ["Yes", "No", "Not sure"]),
        ("pregnancy_stage", ["Up to 3 months", "More than 3 months", "Not sure"]),
        ("blood_disorder", ["Yes", "No", "Not sure"]),
        ("complaint", ["Achilles", "Calf", "Foot", "Shin", "Knee", "Hip", "Something else"]),
    ],
)
async def test_questions_come_from_screening_yml_with_buttons(slot, expected_titles) -> None:
    message = await say(f"utter_ask_{slot}")
    assert message["text"] == load_screening().question(slot).ask
    assert [b["title"] for b in message["buttons"]] == expected_titles
    assert "clinic/screening.yml" not in message["text"]  # never the domain's placeholder


async def test_staff_edit_a_question_in_one_place(clinic_copy: Path) -> None:
    path = clinic_copy / "screening.yml"
    data = yaml.safe_load(path.read_text())
    data["questions"][0]["ask"] = "Are you expecting a baby?"
    path.write_text(yaml.safe_dump(data))
    assert (await say("utter_ask_pregnant"))["text"] == "Are you expecting a baby?"


async def test_clinic_facts_are_filled_in() -> None:
    text = (await say("utter_greet"))["text"]
    assert load_clinic_facts().name in text and "{" not in text


def test_every_form_slot_has_a_way_to_be_asked() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    required = domain["forms"]["screening_form"]["required_slots"]
    for slot in required:
        asked_by_action = f"action_ask_{slot}" in domain["actions"]
        asked_by_response = f"utter_ask_{slot}" in domain["responses"]
        assert asked_by_action != asked_by_response, slot  # exactly one way
    for question in load_screening().questions:
        assert f"utter_ask_{question.slot}" in domain["responses"]


async def test_questions_survive_rasa_replacing_the_responses() -> None:
    """Rasa's Agent sets `nlg.responses = domain.responses` when it loads a model."""
    nlg = ClinicNLG(domain=None)
    nlg.responses = DOMAIN.responses
    tracker = DialogueStateTracker.from_events("runner", [], DOMAIN.slots)
    message = await nlg.generate("utter_ask_pregnant", tracker, "rest")
    assert message["text"] == load_screening().question("pregnant").ask
    assert (await nlg.generate("utter_greet", tracker, "rest"))["text"]
