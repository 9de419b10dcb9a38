"""The forms' interruptions come from the rules, their one home (data/rules/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import questionnaire_form
from actions.questionnaire_form import rule_interruptions
from actions.validate_question_form import ValidateQuestionForm
from actions.validate_screening_form import ValidateScreeningForm


def test_the_screening_always_stops_for_safety_and_privacy() -> None:
    stops = ValidateScreeningForm().stop_intents
    assert {"red_flag", "delete_my_data", "stop_screening", "other_language"} <= stops
    assert {"red_flag", "delete_my_data", "stop_screening"} <= ValidateQuestionForm().stop_intents


def test_questions_in_the_middle_interrupt_but_do_not_stop() -> None:
    form = ValidateScreeningForm()
    for intent in ("faq", "ask_indication", "ask_why_screening", "unanswerable_question"):
        assert intent in form.interruption_intents and intent not in form.stop_intents
    # an answer is never an interruption
    assert not {"affirm", "deny", "inform", "inform_condition"} & form.interruption_intents


def test_a_new_rule_changes_the_form_without_touching_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "extra.yml").write_text(
        """version: "3.1"
rules:
  - rule: cancel
    condition:
      - active_loop: some_form
    steps:
      - intent: goodbye
      - action: action_deactivate_loop
      - active_loop: null
  - rule: a joke in the middle
    condition:
      - active_loop: some_form
    steps:
      - intent: chitchat
      - action: utter_joke
      - action: some_form
      - active_loop: some_form
  - rule: not while the form runs
    steps:
      - intent: greet
      - action: utter_greet
"""
    )
    monkeypatch.setattr(questionnaire_form, "RULES_DIR", tmp_path)
    rule_interruptions.cache_clear()
    try:
        assert rule_interruptions("some_form") == (
            frozenset({"goodbye", "chitchat"}),
            frozenset({"goodbye"}),
        )
    finally:
        rule_interruptions.cache_clear()


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        # (thalassaemia and transfusions are read since session 21; a low haemoglobin
        # told as a number is not)
        ("blood_disorder", "my hb runs at about 80 on a good day"),
        ("current_infection", "lol my laptop has a virus and so do I 🤒"),
    ],
)
async def test_a_statement_taken_for_a_question_no_answer_covers_is_an_unread_answer(
    slot: str, text: str
) -> None:
    """The classifier took it for an unanswerable question; it is an answer the form
    cannot read: "sorry?", and a "No" after it is checked, not taken."""
    from tests.support.form_chat import Chat

    chat = await Chat.booked_until(slot)
    await chat.say(text, "unanswerable_question")
    assert not chat.gave_way and chat.asked == slot
    await chat.say("No", "deny")
    assert chat.slots.get(slot) != "no"


async def test_a_question_no_answer_covers_still_interrupts() -> None:
    from tests.support.form_chat import Chat

    chat = await Chat.booked_until("blood_disorder")
    await chat.say("is there parking near the clinic?", "unanswerable_question")
    assert chat.gave_way and chat.asked == "blood_disorder"
