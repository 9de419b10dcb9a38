"""One home for every fact and sentence: nothing dangling, nothing defined twice.

Staff edit the content files (clinic/*.yml, domain.yml, data/). These tests fail
when a file refers to something that does not exist (a message key, a response,
a placeholder, a slot) or when something is defined in two places.
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.rasa.nlg import response_values
from clinic_assistant.screening.rules import load_screening

CLINIC = PROJECT_ROOT / "clinic"
CODE_DIRS = (PROJECT_ROOT / "actions", PROJECT_ROOT / "clinic_assistant")
# The form's own steps after the screening questions (not health answers).
FORM_STEPS = ["answers_confirmed", "answer_to_change"]
# Functions that take a message key of a content file as their first argument.
MESSAGE_FUNCTIONS = {
    "screening_message": CLINIC / "screening.yml",
    "indication_message": CLINIC / "indications.yml",
    "channel_message": CLINIC / "channels.yml",
}
# Values the code fills in besides the clinic's facts, per content file.
EXTRA_VALUES = {
    "screening.yml": {
        "question", "answer", "answers", "contraindications", "injury_note",
        "cautions", "conditions", "reasons", "questions", "confirm_yes", "confirm_change",
        "pregnancy_limit", "count", "contact",
    },
    "indications.yml": {"injuries", "injury", "Injury"},
    "channels.yml": {"reason"},
    "red_flags.yml": {"names", "advice", "next_step", "doctor", "emergency_number"},
}  # fmt: skip


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def placeholders(template: str) -> Set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def message_calls() -> List[Tuple[str, str, Path]]:
    """(function, key, file) for every literal call like screening_message("check")."""
    found = []
    for folder in CODE_DIRS:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Subscript)
                    and _is_messages(node.value)
                    and isinstance(node.slice, ast.Constant)
                ):  # screening.messages["general_answer"]
                    found.append(("screening_message", node.slice.value, path))
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in MESSAGE_FUNCTIONS
                    and node.args
                ):
                    continue
                key = node.args[0]
                # a literal, or `"a" if condition else "b"`
                options = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
                for option in options:
                    assert isinstance(option, ast.Constant), f"{path.name}: key not a literal"
                    found.append((node.func.id, option.value, path))
    return found


def _is_messages(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "messages"


def response_files() -> List[Path]:
    return [PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "data").rglob("*.yml"))]


def test_every_message_the_code_asks_for_exists() -> None:
    calls = message_calls()
    assert calls, "no message calls found: the scan is broken"
    for function, key, path in calls:
        messages = load(MESSAGE_FUNCTIONS[function])["messages"]
        assert key in messages, f"{path.name}: {function}({key!r}) is not in the content file"


@pytest.mark.parametrize("function", sorted(MESSAGE_FUNCTIONS))
def test_every_message_is_used(function: str) -> None:
    """A message nobody says is a stale copy waiting to confuse staff."""
    content = load(MESSAGE_FUNCTIONS[function])["messages"]
    used = {key for name, key, _ in message_calls() if name == function}
    # the confirmation buttons are also named inside other messages
    used |= {name for template in content.values() for name in placeholders(template)}
    assert set(content) - used == set()


@pytest.mark.parametrize("name", sorted(EXTRA_VALUES))
def test_placeholders_in_content_files_are_filled_in(name: str) -> None:
    known = set(load_clinic_facts().as_template_values()) | EXTRA_VALUES[name]
    content = load(CLINIC / name)
    if name == "red_flags.yml":  # the flags' patterns are regular expressions
        content = {key: value for key, value in content.items() if key != "flags"}
    for template in strings_in(content):
        unknown = placeholders(template) - known
        assert not unknown, f"{name}: {sorted(unknown)} in {template[:60]!r}"


def test_placeholders_in_responses_are_filled_in() -> None:
    slots = set(load(PROJECT_ROOT / "domain.yml")["slots"])
    known = set(response_values()) | slots
    for path in response_files():
        for key, variations in (load(path).get("responses") or {}).items():
            for template in strings_in(variations):
                unknown = placeholders(template) - known
                assert not unknown, f"{path.name} {key}: {sorted(unknown)}"


def test_no_response_is_defined_twice() -> None:
    defined = Counter(
        key for path in response_files() for key in (load(path).get("responses") or {})
    )
    assert [key for key, count in defined.items() if count > 1] == []


def test_every_response_the_code_or_the_rules_use_exists() -> None:
    defined = {key for path in response_files() for key in (load(path).get("responses") or {})}
    defined |= {f"utter_ask_{q.slot}" for q in load_screening().questions}  # ClinicNLG
    if any(key.startswith("utter_faq/") for key in defined):
        defined.add("utter_faq")  # Rasa's action for the retrieval intent's answers
    used: Dict[str, str] = {}
    for folder in CODE_DIRS:
        for path in folder.rglob("*.py"):
            for name in re.findall(r"response=\"(utter_\w+)\"", path.read_text()):
                used[name] = path.name
            for name in re.findall(r"\"(utter_\w+)\" if", path.read_text()):
                used[name] = path.name
    for path in (PROJECT_ROOT / "data").rglob("*.yml"):
        for name in re.findall(r"action: (utter_\w+)\b", path.read_text()):
            used[name] = path.name
    missing = {name: where for name, where in used.items() if name not in defined}
    assert missing == {}


def test_screening_slots_come_from_screening_yml_and_domain_agrees() -> None:
    """screening.yml defines the questions; domain.yml must list the same slots,
    in the same order, as the form's required slots, and nothing else."""
    domain = load(PROJECT_ROOT / "domain.yml")
    questions = [q.slot for q in load_screening().questions]
    assert domain["forms"]["screening_form"]["required_slots"] == questions + FORM_STEPS
    for slot in questions + FORM_STEPS:
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}], slot
        assert domain["slots"][slot]["influence_conversation"] is False, slot
    for slot in questions:
        # the question itself is a content-file sentence, never a domain response
        assert f"utter_ask_{slot}" not in (domain.get("responses") or {}) or (
            domain["responses"][f"utter_ask_{slot}"] == [{"text": "(clinic/screening.yml)"}]
        ), slot


def test_no_training_example_belongs_to_two_intents() -> None:
    seen: Dict[str, str] = {}
    twice = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in load(path).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip().removeprefix("- "))
                text = " ".join(text.lower().split())
                if not text:
                    continue
                if text in seen and seen[text] != block["intent"]:
                    twice.append((text, seen[text], block["intent"]))
                seen.setdefault(text, block["intent"])
    assert twice == []


def test_the_confirmation_buttons_are_understood_when_typed() -> None:
    """Staff may rename the buttons; the form reads them by their titles (a tap
    sends the title), which must differ (else "yes" could never be tapped)."""
    from clinic_assistant.screening.answers import parse_confirmation

    messages = load(CLINIC / "screening.yml")["messages"]
    titles = {"yes_title": messages["confirm_yes"], "change_title": messages["confirm_change"]}
    assert parse_confirmation(messages["confirm_yes"], **titles) == "yes"
    assert parse_confirmation(messages["confirm_change"], **titles) == "no"


def test_every_faq_answer_has_a_title_that_is_one_of_its_own_questions() -> None:
    """The honest "I can't answer that" offers answers by their titles
    (actions/dont_know.py); a tapped title must be read as its own question."""
    from clinic_assistant.rasa.content_answers import DONT_KNOW_RESPONSES
    from tests.support.answers import faq_titles

    defined = {key for path in response_files() for key in (load(path).get("responses") or {})}
    assert defined >= DONT_KNOW_RESPONSES
    titles = faq_titles()
    assert titles, "no FAQ answers found: the scan is broken"
    assert [key for key, title in titles.items() if not title] == [], "answers without a title"
    assert len(set(titles.values())) == len(titles), "two answers share a title"

    def words(text: str) -> str:  # the classifiers ignore case and most punctuation
        return " ".join(re.findall(r"[a-z0-9']+", text.lower()))

    examples: Dict[str, Set[str]] = {}
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in load(path).get("nlu") or []:
            if block.get("intent", "").startswith("faq/"):
                lines = block["examples"].splitlines()
                examples[block["intent"]] = {words(line.removeprefix("- ")) for line in lines}
    for key, title in titles.items():
        assert words(title) in examples.get(key, set()), f"{title!r} is not an example of {key}"
