"""The teaching writer: data/nlu/staff_taught.yml, validated before it is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from clinic_assistant.console.teaching import TAUGHT_FILE, Teacher, TeachingError


def read(project: Path):
    return RasaYAMLReader().read(project / TAUGHT_FILE)


def test_the_shipped_file_is_valid_nlu_data() -> None:
    from clinic_assistant import PROJECT_ROOT

    data = read(PROJECT_ROOT)
    assert data.intent_examples is not None  # it parses (and may be empty)


@pytest.mark.slow
def test_examples_and_a_new_answer_are_written_in_rasa_format(project: Path) -> None:
    teacher = Teacher(project)
    change = teacher.add_examples("faq/cost", ["what do I pay for one session of needles"])
    assert change.added == ("what do I pay for one session of needles",)
    assert "+    - what do I pay for one session of needles" in change.diff
    change = teacher.add_answer(
        "lockers",
        "Yes: there are lockers for your bag at {clinic_name}.",
        [
            "do you have lockers for my bag?",
            "Are there lockers <name>?",
            "Do you have  lockers for my bag?",
        ],
    )
    assert change.new_answer and len(change.added) == 2  # the same wording once
    data = read(project)
    by_intent = {}
    for example in data.intent_examples:
        by_intent.setdefault(
            example.get("intent_response_key") or example.get("intent"), []
        ).append(example.get("text"))
    assert by_intent["faq/cost"] == ["what do I pay for one session of needles"]
    assert by_intent["faq/lockers"] == [
        "do you have lockers for my bag?",
        "Are there lockers <name>?",
    ]
    assert data.responses["utter_faq/lockers"] == [
        {"text": "Yes: there are lockers for your bag at {clinic_name}."}
    ]
    assert [intent for intent, _, _ in teacher.taught()] == ["faq/cost", "faq/lockers"]
    # the new answer can now be chosen for later examples
    assert "faq/lockers" in dict(teacher.choices())


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.add_examples("red_flag", ["my calf is hot"]), "no answer called red_flag"),
        (lambda t: t.add_examples("faq/nope", ["what is this"]), "no answer called faq/nope"),
        (lambda t: t.add_examples("faq/cost", []), "at least one wording"),
        (
            lambda t: t.add_examples("greet", ["what is dry needling"]),
            "already an example of faq/what_is_dry_needling",
        ),
        (lambda t: t.add_answer("cost", "It costs a lot.", ["how expensive"]), "exists already"),
        (lambda t: t.add_answer("Bad key!", "Yes.", ["a wording"]), "key"),
        (lambda t: t.add_answer("bikes", "", ["bike rack?"]), "Write the answer"),
        (lambda t: t.add_answer("bikes", "Call {phone}.", ["bike rack?"]), "Unknown placeholder"),
        (lambda t: t.add_answer("bikes", "Call {clinic_phone.", ["bike rack?"]), "Curly brackets"),
        (lambda t: t.add_examples("faq/cost", ["[price](thing) please"]), "entity"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(project: Path, change, message) -> None:
    before = (project / TAUGHT_FILE).read_bytes()
    with pytest.raises(TeachingError, match=message):
        change(Teacher(project))
    assert (project / TAUGHT_FILE).read_bytes() == before


@pytest.mark.slow
def test_rasa_data_validate_checks_the_whole_project_before_writing(project: Path) -> None:
    teacher = Teacher(project)
    teacher.validate(teacher.render({"nlu": [{"intent": "faq/cost", "examples": "- how much\n"}]}))
    # an example that another file teaches for another intent: Rasa's check refuses it
    clash = {"nlu": [{"intent": "greet", "examples": "- What is dry needling?\n"}]}
    with pytest.raises(TeachingError, match="Rasa's check"):
        teacher.validate(teacher.render(clash))
    # a new retrieval intent without its response
    orphan = {"nlu": [{"intent": "faq/orphan", "examples": "- an orphan question\n"}]}
    with pytest.raises(TeachingError):
        teacher.validate(teacher.render(orphan))
