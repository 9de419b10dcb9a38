"""Whole screening conversations over the REST channel of the running assistant.

The booking link must appear exactly when nothing in the answers rules dry
needling out, and never otherwise.
"""

from __future__ import annotations

import pytest

from clinic_assistant.config import load_clinic_facts
from tests.support.chat import Chat, booking_link_shown, text_of

pytestmark = pytest.mark.server

CONFIRM = "Yes, that's right"


@pytest.fixture
def chat(assistant) -> Chat:
    return Chat(assistant.url)


def test_nothing_rules_it_out_gives_the_booking_link_and_no_clearance(chat: Chat) -> None:
    replies = chat.say("I'd like to book an appointment")
    assert "health questions" in text_of(replies)
    assert "pregnant" in text_of(replies).lower()
    assert not booking_link_shown(replies)
    for answer in ("No", "nope", "none of those", "n"):
        assert not booking_link_shown(chat.say(answer))
    summary = chat.say("Knee")
    assert "Is that right?" in text_of(summary)
    assert not booking_link_shown(summary)
    final = chat.say(CONFIRM)
    assert booking_link_shown(final)
    text = text_of(final)
    assert "Nothing in your answers rules dry needling out" in text
    assert "physiotherapist" in text
    assert "eligible" not in text.lower() and "you are cleared" not in text.lower()
    button = final[-1]["buttons"][0]
    assert button["payload"] == load_clinic_facts().booking_url


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["yes", "8 weeks"], "first 3 months of pregnancy"),
        (["I am", "2 months"], "first 3 months of pregnancy"),
        (["yes", "first trimester"], "first 3 months of pregnancy"),
        (["no", "yes, I have haemophilia"], "blood diseases"),
        (["no", "I'm on warfarin"], "blood diseases"),
        (["no", "no", "yes I've got the flu"], "infection"),
        (["no", "no", "no", "yes, type 1 diabetes"], "increased risk of infection"),
        (["no", "no", "no", "I have lymphoedema"], "increased risk of infection"),
    ],
)
def test_each_contraindication_withholds_the_link_and_explains(chat: Chat, answers, reason) -> None:
    chat.say("can I have dry needling?")
    for answer in answers:
        assert not booking_link_shown(chat.say(answer))
    summary = chat.transcript[-1][1]
    assert "Is that right?" in text_of(summary), chat.all_text
    final = chat.say(CONFIRM)
    text = text_of(final)
    assert reason in text
    assert not booking_link_shown(final)
    facts = load_clinic_facts()
    assert facts.phone in text and facts.email in text
    assert "other ways" in text
    assert load_clinic_facts().booking_url not in chat.all_text


@pytest.mark.parametrize(
    "stage", ["second trimester", "20 weeks", "More than 3 months", "5 months"]
)
def test_pregnancy_past_the_first_three_months_does_not_rule_it_out(chat: Chat, stage: str) -> None:
    chat.say_all("I want to book", "yes", stage, "no", "no", "no", "Calf")
    final = chat.say(CONFIRM)
    assert booking_link_shown(final), text_of(final)


@pytest.mark.parametrize(
    "answers",
    [["not sure"], ["no", "I don't know"], ["no", "no", "maybe"], ["yes", "not sure"]],
)
def test_not_sure_withholds_the_link(chat: Chat, answers) -> None:
    chat.say("book")
    for answer in answers:
        chat.say(answer)
    replies = chat.transcript[-1][1]
    while "Is that right?" not in text_of(replies):
        replies = (
            chat.say("no") if "What brings you in" not in text_of(replies) else chat.say("Hip")
        )
    final = chat.say(CONFIRM)
    assert not booking_link_shown(final)
    assert "weren't sure" in text_of(final) or "first 3 months" in text_of(final)


def test_volunteered_and_negated_answers_are_not_asked_again(chat: Chat) -> None:
    replies = chat.say("I'm not pregnant and I don't have diabetes, can I book?")
    assert "pregnant" not in text_of(replies).lower().split("health questions")[-1]
    assert "blood" in text_of(replies)
    replies = chat.say("no")
    assert "infection right now" in text_of(replies)
    replies = chat.say("no")
    # "I don't have diabetes" denies one of the four things this question covers
    assert "risk of infection" in text_of(replies)
    replies = chat.say("no")
    assert "What brings you in" in text_of(replies)
    summary = chat.say("my achilles")
    assert "Pregnant: no" in text_of(summary)
    assert "Higher risk of infection" in text_of(summary)
    assert booking_link_shown(chat.say(CONFIRM))


def test_volunteered_condition_rules_it_out_without_needless_questions(chat: Chat) -> None:
    replies = chat.say("I'm 10 weeks pregnant, can I still have dry needling?")
    assert "Is that right?" in text_of(replies)
    final = chat.say(CONFIRM)
    assert "first 3 months" in text_of(final) and not booking_link_shown(final)


def test_article_question_mid_screening_is_answered_then_screening_resumes(chat: Chat) -> None:
    chat.say_all("I'd like to book", "no")
    replies = chat.say("does dry needling hurt?")
    assert "twitch" in text_of(replies)
    assert "blood" in text_of(replies)  # the same question again
    chat.say_all("no", "no", "no", "Shin")
    assert booking_link_shown(chat.say(CONFIRM))


def test_why_do_you_ask_is_explained_then_the_question_repeats(chat: Chat) -> None:
    chat.say("book")
    replies = chat.say("why do you ask?")
    assert "pregnancy in the first 3 months" in text_of(replies)
    assert "pregnant" in text_of(replies).split("final decision.")[-1].lower()


def test_correction_of_an_earlier_answer(chat: Chat) -> None:
    chat.say_all("book", "no", "no")
    replies = chat.say("sorry, actually I do take blood thinners")
    assert "updated your answer" in text_of(replies)
    summary = chat.transcript[-1][1]
    assert "Is that right?" in text_of(summary)  # ruled out: straight to the summary
    final = chat.say(CONFIRM)
    assert "blood" in text_of(final) and not booking_link_shown(final)


def test_change_an_answer_at_the_summary(chat: Chat) -> None:
    summary = chat.say_all("book", "no", "yes")
    assert "Blood disease, bleeding disorder or blood thinners: yes" in text_of(summary)
    replies = chat.say("Change an answer")
    assert "Which answer" in text_of(replies)
    replies = chat.say("Blood disease, bleeding disorder or blood thinners")
    assert "blood disease" in text_of(replies).lower()
    replies = chat.say("no, I was wrong")
    # more than a plain no: confirmed with the buttons first
    assert "Just to be sure" in text_of(replies)
    replies = chat.say("No")
    # not ruled out any more, so the questions that were skipped are asked now
    assert "infection right now" in text_of(replies)
    chat.say_all("no", "no", "Foot")
    assert booking_link_shown(chat.say(CONFIRM))


def test_cancel_stops_and_forgets(chat: Chat) -> None:
    chat.say_all("book", "no")
    replies = chat.say("cancel")
    assert "stopped the questions" in text_of(replies)
    replies = chat.say("I'd like to book")
    assert "Are you pregnant" in text_of(replies)  # starts again from the first question


def test_unclear_answers_are_explained_then_handed_to_the_clinic(chat: Chat) -> None:
    chat.say("book")
    first = chat.say("purple elephant")
    assert "Sorry" in text_of(first) and "pregnant" in text_of(first).lower()
    chat.say("banana")
    final = chat.say("the moon")
    assert load_clinic_facts().phone in text_of(final)
    assert not booking_link_shown(final)


@pytest.mark.parametrize(
    "request_again", ["can I book?", "ok so can i book now", "just book me in pls"]
)
def test_asking_to_book_during_the_screening_carries_on_with_the_questions(
    chat: Chat, request_again: str
) -> None:
    chat.say("I'd like to book for my calf")
    replies = chat.say(request_again)
    assert "Sorry" not in text_of(replies) and not booking_link_shown(replies)
    assert "Are you pregnant" in text_of(replies)
    chat.say_all("no", "no", "no", "no")
    at_the_summary = chat.say(request_again)
    assert "Sorry" not in text_of(at_the_summary) and not booking_link_shown(at_the_summary)
    assert "Is that right?" in text_of(at_the_summary)
    assert booking_link_shown(chat.say(CONFIRM))


def test_answers_are_cleared_after_the_decision(chat: Chat) -> None:
    chat.say_all("book", "no", "no", "no", "no", "Hip", CONFIRM)
    replies = chat.say("can I book again?")
    assert "Are you pregnant" in text_of(replies)


@pytest.mark.parametrize(
    "message",
    [
        "my calf is swollen, red and warm",
        "I have chest pain since the needling",
        "I'm short of breath after the treatment",
        "I heard a pop in my achilles and can't stand on tiptoe",
        "I have a fever and the needle spot is hot and swollen",
        "I can't put any weight on my leg",
    ],
)
def test_red_flags_stop_everything_with_urgent_advice(chat: Chat, message: str) -> None:
    chat.say_all("book", "no")
    replies = chat.say(message)
    text = text_of(replies)
    facts = load_clinic_facts()
    assert "doctor" in text
    assert facts.emergency_number in text
    assert not booking_link_shown(replies)
    # the screening is over: "no" is not taken as an answer any more
    assert "Do you have an infection" not in text_of(chat.say("no"))


def test_health_answers_do_not_carry_into_a_new_session(chat: Chat) -> None:
    chat.say_all("book", "no", "no", "no")
    chat.say("/session_start")  # what an expired session does
    replies = chat.say("I'd like to book")
    assert "Are you pregnant" in text_of(replies)
