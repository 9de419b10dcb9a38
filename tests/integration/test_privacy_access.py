"""Right of access in the chat: "what do you store about me?" against the running
assistant, with another runner's conversation going on at the same time."""

from __future__ import annotations

import uuid

import pytest

from clinic_assistant.privacy import retention_days
from clinic_assistant.screening.rules import load_screening
from tests.support.chat import Chat, text_of

pytestmark = pytest.mark.server


def test_the_summary_shows_this_runners_data_and_nobody_elses(assistant) -> None:
    mine, theirs = (f"Zorbaville note {uuid.uuid4().hex[:8]}" for _ in range(2))
    chat, other = Chat(assistant.url), Chat(assistant.url)
    other.say_all("I'd like to book", "no", f"{theirs}, I take warfarin")
    other.say_all("do you do home visits", "Please pass my question on to the clinic", "Yes")
    other.say("you can mail me at odile@example.org")
    chat.say_all("is there parking at the clinic", "Please pass my question on to the clinic")
    chat.say_all("Yes", "you can mail me at tamsin@example.org")
    chat.say(mine)

    text = text_of(chat.say("what do you store about me?"))
    assert "only this one" in text
    assert mine in text and "is there parking at the clinic" in text
    assert "tamsin@example.org" in text
    assert f"{retention_days():g} days after your last message" in text
    assert '"delete my data"' in text
    for foreign in (theirs, "warfarin", "home visits", "odile@example.org", other.sender):
        assert foreign not in text


def test_asking_in_the_middle_of_the_screening_then_carrying_on(assistant) -> None:
    questions = {q.slot: q.ask for q in load_screening().questions}
    chat = Chat(assistant.url)
    chat.say_all("I'd like to book", "no")
    text = text_of(chat.say("what data do you have on me?"))
    assert "Your answers to the health questions, as recorded:" in text
    assert "• Pregnant: no" in text
    assert questions["blood_disorder"] in text  # the screening asks again
    assert questions["current_infection"] in text_of(chat.say("no"))
