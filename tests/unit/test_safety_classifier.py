"""The safety classifier overrules the statistics for red flags, other languages,
the runner's own conditions and plain requests to book."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from clinic_assistant.rasa.safety_classifier import SafetyClassifier

CLASSIFIER = SafetyClassifier()


def intent_after(text: str, predicted: str) -> str:
    message = Message(
        data={
            "text": text,
            "intent": {"name": predicted, "confidence": 0.9},
            "intent_ranking": [{"name": predicted, "confidence": 0.9}],
        }
    )
    return CLASSIFIER.process([message])[0].get("intent")["name"]


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("I'd love to try dry needling for my plantar fasciitis, can I book?", "ask_indication"),
        ("can i get an appointment for needling on my calf pls", "unanswerable_question"),
        ("does it hurt? can I book anyway", "faq"),
        ("my wife is pregnant, can she book?", "nlu_fallback"),
        ("could my husband book a session", "out_of_scope"),
    ],
)
def test_a_plain_request_to_book_starts_the_screening(text: str, predicted: str) -> None:
    assert intent_after(text, predicted) == "request_booking"


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("how much does it cost to book a session", "faq"),
        ("what should I bring to my appointment", "faq"),
        ("can I run after dry needling", "faq"),
    ],
)
def test_questions_that_do_not_ask_to_book_keep_their_answer(text: str, predicted: str) -> None:
    assert intent_after(text, predicted) == predicted


def test_a_red_flag_wins_over_a_request_to_book() -> None:
    assert intent_after("can I book? I have chest pain", "request_booking") == "red_flag"


def test_a_request_to_book_never_overrides_stop_or_erasure() -> None:
    assert intent_after("cancel, I don't want to book", "stop_screening") == "stop_screening"
    assert intent_after("delete my data, I want to book elsewhere", "delete_my_data") == (
        "delete_my_data"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "thanks!! oh wait i forgot, i take asprin for my heart, does that matter?",
            ("inform_condition"),
        ),
        ("ok bye then", "nlu_fallback"),
        ("please forget everything I told you", "delete_my_data"),
        ("can you wipe my answers", "delete_my_data"),
        ("I don't want you to keep this", "delete_my_data"),
    ],
)
def test_a_deletion_needs_words_that_ask_for_it(text: str, expected: str) -> None:
    assert intent_after(text, "delete_my_data") == expected


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("is it ok if I am on warfarin?", "nlu_fallback"),
        ("what happens if im pregnant, does it still work", "faq"),
        ("does it work for diabetics?", "unanswerable_question"),
        ("is dry needling safe for people who take blood thinners", "out_of_scope"),
        ("can i have dry needling if im pregnant?", "ask_suitability"),
        ("can i have dry needling if im pregnant?", "inform_condition"),
        # the question after a statement, without a question mark
        (
            "my partner is in her first trimester, can she get needling for her calf",
            "unanswerable_question",
        ),
    ],
)
def test_a_question_naming_a_screening_condition_gets_that_conditions_answer(
    text: str, predicted: str
) -> None:
    assert intent_after(text, predicted) == "ask_contraindication"


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("does it work for shin splints?", "ask_indication"),
        ("is it bad that im not pregnant lol", "unanswerable_question"),
        ("my friend asked if it works for diabetics", "faq"),
        # the runner's own condition, stated: the screening reads it
        ("I'm pregnant, can I have dry needling?", "ask_suitability"),
        ("I'm pregnant, can I have dry needling?", "inform_condition"),
        ("I'm pregnant, what if I'm also diabetic?", "inform_condition"),
    ],
)
def test_questions_without_a_screening_condition_keep_their_intent(
    text: str, predicted: str
) -> None:
    assert intent_after(text, predicted) == predicted


def _with_answer(text: str, key: str) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": "faq", "confidence": 0.9},
            "intent_ranking": [{"name": "faq", "confidence": 0.9}],
            "response_selector": {"faq": {"response": {"intent_response_key": key}}},
        }
    )


def test_a_question_whether_a_referral_is_needed_to_book_keeps_the_referral_answer() -> None:
    asks = _with_answer("can i just book in or do i need my gp first", "faq/referral")
    assert CLASSIFIER.process([asks])[0].get("intent")["name"] == "faq"
    # a request to book that only mentions the GP is one
    told = _with_answer("my gp referred me, can i book for tuesday", "faq/referral")
    assert CLASSIFIER.process([told])[0].get("intent")["name"] == "request_booking"
    # the answer selector's pick counts only when the message is an article question
    listed = _with_answer("can i book for my knee? not pregnant, no diabetes", "faq/referral")
    listed.set("intent", {"name": "unanswerable_question", "confidence": 1.0})
    assert CLASSIFIER.process([listed])[0].get("intent")["name"] == "request_booking"
    # and another answer beside "can I book" still gives way to the request
    other = _with_answer("does it hurt? can I book anyway, no need to explain", "faq/how_it_feels")
    assert CLASSIFIER.process([other])[0].get("intent")["name"] == "request_booking"
