"""Questions no answer covers: the honest "I don't know", and leaving the
question for the clinic (consent first, contact optional), over REST against
the running assistant, with what ends up in the conversation store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clinic_assistant.launcher import AssistantProcesses
from clinic_assistant.privacy import open_store
from clinic_assistant.questions import delete_question, left_questions
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore
from measure.answers import actions_of, events_of, suggestions_of
from tests.support.answers import faq_titles
from tests.support.chat import Chat, text_of

pytestmark = pytest.mark.server

UNANSWERABLE = "is there parking at the clinic"


def store_of(assistant: AssistantProcesses) -> PrivacySQLTrackerStore:
    return open_store(assistant.run_dir / "endpoints.yml")


def questions_of(assistant: AssistantProcesses, sender: str) -> list:
    return [q for q in left_questions(store_of(assistant)) if q.sender_id == sender]


def test_an_unanswered_question_gets_an_honest_reply_with_the_offer(assistant) -> None:
    replies = Chat(assistant.url).say(UNANSWERABLE)
    text = text_of(replies)
    assert "can't answer that one" in text and "pass your question on" in text
    assert [b["title"] for r in replies for b in r.get("buttons") or []] == [
        "Pass my question on",
        "No thanks",
    ]


def test_leaving_a_question_with_an_email(assistant) -> None:
    chat = Chat(assistant.url)
    chat.say(UNANSWERABLE)
    consent = text_of(chat.say("Please pass my question on to the clinic"))
    assert "Is that OK?" in consent and "delete my data" in consent
    assert not questions_of(assistant, chat.sender)  # nothing kept before the yes
    assert "reach you" in text_of(chat.say("Yes"))
    assert "passed your question on" in text_of(chat.say("you can mail me at sam@example.org"))
    (kept,) = questions_of(assistant, chat.sender)
    assert (kept.question, kept.contact) == (UNANSWERABLE, "sam@example.org")


def test_a_yes_to_the_offer_and_no_contact(assistant) -> None:
    chat = Chat(assistant.url)
    chat.say("do you do home visits")
    assert "Is that OK?" in text_of(chat.say("yes"))
    chat.say("Yes")
    assert "passed your question on" in text_of(chat.say("No contact"))
    (kept,) = questions_of(assistant, chat.sender)
    assert kept.question == "do you do home visits" and kept.contact is None


def test_no_consent_keeps_nothing(assistant) -> None:
    chat = Chat(assistant.url)
    chat.say(UNANSWERABLE)
    chat.say("Please pass my question on to the clinic")
    assert "haven't kept anything" in text_of(chat.say("No"))
    assert not questions_of(assistant, chat.sender)


def test_delete_my_data_and_staff_deletion_remove_the_question(assistant) -> None:
    kept_chats = []
    for _ in range(2):
        chat = Chat(assistant.url)
        chat.say_all(
            UNANSWERABLE, "Please pass my question on to the clinic", "Yes", "07700 900123"
        )
        kept_chats.append(chat)
    first, second = kept_chats
    first.say("delete my data")
    assert not questions_of(assistant, first.sender)
    (kept,) = questions_of(assistant, second.sender)
    assert kept.contact == "07700 900123"
    assert delete_question(store_of(assistant), kept.id) == 2  # the question and its contact
    assert not questions_of(assistant, second.sender)


def test_retention_removes_old_questions(assistant) -> None:
    chat = Chat(assistant.url)
    chat.say_all(UNANSWERABLE, "Please pass my question on to the clinic", "Yes", "No contact")
    assert questions_of(assistant, chat.sender)
    # two days from now, a one-day retention removes it (and every other conversation)
    store_of(assistant).delete_older_than(days=1, now=time.time() + 2 * 86400)
    assert not questions_of(assistant, chat.sender)


def test_staff_command_lists_the_questions(assistant, capsys) -> None:
    from clinic_assistant.questions import main

    chat = Chat(assistant.url)
    chat.say_all(UNANSWERABLE, "Please pass my question on to the clinic", "Yes", "No contact")
    assert main(["--endpoints", str(Path(assistant.run_dir) / "endpoints.yml"), "list"]) == 0
    assert UNANSWERABLE in capsys.readouterr().out


# Vague questions that the answer guard is unsure of (from the development sets);
# which of them get suggestions depends on the trained model, so the test needs only some.
VAGUE = [
    "can you faint from dry needling",
    "is it from overtraining",
    "if i get needled do i still have to do all the boring strength work",
    "felt a weird spasm with the neeedle, whats that about",
    "whats the procedure",
    "are the needles left in for a while or taken out straight away",
    "never heard of it before today tbh, whats the idea behind it",
    "sounds like placebo tbh",
    # held-out v9 questions the 29 November model was unsure of
    "heard about a 'local twitch', what is it",
    "will my private health fund cover it? I'm with medibank",
    "is dry needling safe? thinking about trying it but a bit wary",
    "can i just come in for needling and nothing else? dont really have time for a long rehab programme",
    # questions the 30 November model (development set g in the training data) was unsure
    # of, in development set m and held-out v16's reading
    "be straight with me, does dry needling genuinely work or not",
    "do i need to bring anything, like a towel or my trainers?",
    "Is dry needling a kind of physio treatment or something else entirely? Trying to "
    "understand what I'd be signing up for before my ultra block",
]


def test_an_unsure_question_offers_answers_to_tap_and_a_tap_gets_that_answer(assistant) -> None:
    db = assistant.run_dir / "data" / "conversations.db"
    titles_of = faq_titles()
    offered = 0
    for text in VAGUE:
        chat = Chat(assistant.url)
        replies = chat.say(text)
        buttons = [b["title"] for r in replies for b in r.get("buttons") or []]
        if not buttons or buttons[0] == "Pass my question on":
            continue
        offered += 1
        assert "can't answer that one" in text_of(replies)
        assert buttons[-2:] == ["Pass my question on", "No thanks"]
        suggested = suggestions_of(events_of(db, chat.sender))
        assert buttons[:-2] == [titles_of[key] for key in suggested]
        chat.say(buttons[0])  # the tap sends the title
        assert actions_of(events_of(db, chat.sender))[-1] == f"utter_{suggested[0]}", text
    assert offered >= 2, "no vague question got suggestions: the model or the guard changed"


def test_yes_after_suggestions_still_passes_the_question_on(assistant) -> None:
    for text in VAGUE:
        chat = Chat(assistant.url)
        if "one of the questions below" in text_of(chat.say(text)):
            assert "Is that OK?" in text_of(chat.say("yes please"))
            return
    pytest.fail("no vague question got suggestions")
