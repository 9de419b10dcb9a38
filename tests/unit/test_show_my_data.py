"""The in-chat summary of what is stored about a conversation (actions/show_my_data.py)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.show_my_data import SHOWN_MESSAGES, ActionShowMyData, summary_text


def user(text: str, at: float = 1_700_000_000) -> Dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": at, "parse_data": {}}


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": 1_700_000_000}


def test_the_summary_lists_messages_answers_and_the_question() -> None:
    events: List[Dict[str, Any]] = [
        user("I'd like to book"),
        {"event": "bot", "text": "Are you pregnant?", "timestamp": 1_700_000_001},
        user("I'm 20 weeks pregnant"),
        slot("pregnant", "yes"),
        slot("pregnancy_stage", "20 weeks"),
        slot("blood_disorder", "unsure"),
        slot("pregnant", None),  # cleared after the decision: still stored
        slot("question_for_clinic", "is there parking"),
        slot("question_contact", "sam@example.org"),
    ]
    text = summary_text(events)
    assert "word for word: 2." in text
    assert "14 Nov 22:13 UTC: “I'm 20 weeks pregnant”" in text
    assert "• Pregnant: yes" in text and "• How far along: 20 weeks" in text
    assert "blood thinners: not sure" in text  # the blood question's "unsure"
    assert "“is there parking” (contact: sam@example.org)" in text
    assert "Are you pregnant?" not in text  # replies are described, not repeated


def test_long_conversations_show_the_latest_messages_clipped() -> None:
    events = [user(f"message {number} " + "x" * 300) for number in range(SHOWN_MESSAGES + 3)]
    text = summary_text(events)
    assert f"word for word: {SHOWN_MESSAGES + 3}." in text
    assert f"The latest {SHOWN_MESSAGES}:" in text
    assert "message 0 " not in text and f"message {SHOWN_MESSAGES + 2} " in text
    assert max(len(line) for line in text.splitlines()) < 200


def test_nothing_answered_says_so() -> None:
    text = summary_text([user("does it hurt?"), slot("question_contact", "none")])
    assert "No answers to the health questions." in text
    assert "question for the clinic" not in text


async def test_the_action_sends_the_summary_and_the_retention_response() -> None:
    tracker = Tracker("runner", {}, {}, [user("what do you store about me")], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    assert await ActionShowMyData().run(dispatcher, tracker, {}) == []
    first, second = dispatcher.messages
    assert "what do you store about me" in first["text"]
    assert second["response"] == "utter_my_data_kept"
