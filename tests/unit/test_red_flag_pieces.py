"""A red flag told over several messages is still a red flag (principle 5)."""

from __future__ import annotations

import pytest

from actions.common import RED_FLAG_SLOT
from actions.red_flag import names_a_body_part, told_together
from tests.support.form_chat import Chat


async def alarmed(*messages: str) -> Chat:
    chat = Chat()
    await chat.say(messages[0], "request_booking")
    for text in messages[1:]:
        await chat.say(text)
    return chat


@pytest.mark.parametrize(
    "messages",
    [
        # the body part in the booking request, the signs in pieces at the first question
        ("can I book for my calf", "it's", "gone all swollen and red and hot"),
        ("book me in for my calf please", "it's swollen, red and warm since the flight"),
        # the signs in one message, the body part in the next
        ("can I book dry needling", "all swollen and red and hot since Sunday", "my left calf"),
    ],
)
async def test_a_red_flag_split_over_messages_stops_the_screening(messages) -> None:
    chat = await alarmed(*messages)
    assert chat.slots[RED_FLAG_SLOT] is True
    assert chat.asked is None and chat.slots["screening_stopped"] == "red_flag"
    assert any("blood clot" in reply for reply in chat.replies)


@pytest.mark.parametrize(
    "messages",
    [
        ("can I book for my calf", "No", "it's a bit tight after my long runs"),
        ("can I book for my knee", "it's swollen after parkrun", "No"),
        ("can I book for my calf", "no swelling, no redness", "just tight"),
    ],
)
async def test_ordinary_pieces_raise_nothing(messages) -> None:
    chat = await alarmed(*messages)
    assert not chat.slots.get(RED_FLAG_SLOT)
    assert chat.asked is not None


@pytest.mark.parametrize(
    ("texts", "complaint", "read"),
    [
        # the complaint stands in for a body part no piece names; a tapped "No" is no part
        (
            ["can I book", "No", "it's", "gone all swollen"],
            "calf",
            "my calf. can I book. it's. gone all swollen",
        ),
        # neither are the summary's buttons nor a plain typed "nope"
        (
            ["it's", "Yes, that's right", "Not sure", "nope", "gone all swollen"],
            "calf",
            "my calf. it's. gone all swollen",
        ),
        # signs told after "my knee" are the knee's, not the calf's named before it
        (["my calf is tight", "my knee is swollen and hot"], "calf", "my knee is swollen and hot"),
        # "or ..." goes on with the sentence before it, denial and all
        (["no swelling", "or redness", "just tight"], None, "no swelling or redness. just tight"),
        # "just below the knee" places the swelling on the leg named before; "my knee's
        # fine" clears the knee: neither stops the reading at the knee
        (
            [
                "my left leg's gone a funny colour since the flight",
                "bit swollen, just below the knee",
            ],
            None,
            "my left leg's gone a funny colour since the flight. bit swollen, just below the knee",
        ),
        (
            ["my right calf", "puffy since the drive", "red as well now. my knee's fine though"],
            None,
            "my right calf. puffy since the drive. red as well now. my knee's fine though",
        ),
        # "flew back" names no back
        (
            ["my lower leg", "swollen", "flew back monday"],
            None,
            "my lower leg. swollen. flew back monday",
        ),
    ],
)
def test_pieces_read_together(texts, complaint, read) -> None:
    assert told_together(texts, complaint, names_a_body_part) == read


def _tracker_after(*texts: str):
    from rasa_sdk import Tracker

    events = [{"event": "user", "text": text} for text in texts]
    return Tracker("runner", {}, {"text": texts[-1]}, events, False, None, None, None)


@pytest.mark.parametrize(
    ("texts", "alarm"),
    [
        # after the link: the latest message alone reads like a denial ("right one's
        # normal"), the one before names the calf: the full alarm, not the check question
        (
            ("can I book for my calf", "left calf", "gone all puffy and hot, right one's normal"),
            True,
        ),
        # a denial with nothing before it to affirm it: the one-line check question
        (("can I book for my knee", "no calf swelling or redness at all"), False),
    ],
)
async def test_the_check_question_reads_the_messages_before(texts, alarm) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.red_flag_check import ActionRedFlagCheck

    dispatcher = CollectingDispatcher()
    events = await ActionRedFlagCheck().run(dispatcher, _tracker_after(*texts), {})
    replies = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert ("blood clot" in replies) is alarm
    assert ("Just to check" in replies) is not alarm
    assert any(e.get("name") == RED_FLAG_SLOT for e in events) is alarm


async def test_a_question_no_answer_covers_reads_the_messages_before() -> None:
    """After the link, neither piece is a red flag or a question anyone can answer;
    together they are a racing heart with dizziness."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.dont_know import ActionDontKnow

    dispatcher = CollectingDispatcher()
    tracker = _tracker_after(
        "can I book for my knee",
        "my heart went like the clappers on a recovery jog",
        "didn't faint, just my head went all spinny",
    )
    events = await ActionDontKnow().run(dispatcher, tracker, {"responses": {}})
    assert any(e.get("name") == RED_FLAG_SLOT for e in events)
    assert "doctor" in " ".join(m.get("text") or "" for m in dispatcher.messages)
    # an ordinary question no answer covers gets the honest no-answer
    dispatcher = CollectingDispatcher()
    tracker = _tracker_after("can I book for my knee", "is there parking near you")
    assert await ActionDontKnow().run(dispatcher, tracker, {"responses": {}}) == []
    assert [m.get("response") for m in dispatcher.messages] == ["utter_dont_know"]


@pytest.mark.parametrize(
    ("texts", "alarm"),
    [
        # out of scope, small talk or a stray yes after a first piece: the alarm, then the
        # turn ends, so the plain reply is not said after it
        (("my left calf has been off since the flight", "all puffy and hot now lol"), True),
        (
            ("my heart went like the clappers on the tempo run", "yes and my head went spinny"),
            True,
        ),
        # nothing together: no events, and the rule's plain reply follows
        (("what's the weather like", "thanks"), False),
        (("my calf is tight after parkrun", "cheers"), False),
    ],
)
async def test_a_plain_reply_reads_the_messages_before(texts, alarm) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.read_pieces import ActionReadPieces

    dispatcher = CollectingDispatcher()
    events = await ActionReadPieces().run(dispatcher, _tracker_after(*texts), {})
    assert any(e.get("name") == RED_FLAG_SLOT for e in events) is alarm
    assert any(e.get("event") == "followup" for e in events) is alarm
    assert bool(dispatcher.messages) is alarm


async def test_the_question_form_reads_the_messages_before() -> None:
    """Asked whether to keep a question, the runner finishes a clot told in pieces with
    a remark about the dog in between: the alarm, and nothing is kept."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.validate_question_form import CONSENT_SLOT, ValidateQuestionForm

    tracker = _tracker_after(
        "so, my left calf",
        "it's gone all puffy since the weekend",
        "sorry the dog's going mental at the postman",
        "ok back",
        "it's warm to the touch as well. anyway thanks x",
    )
    tracker.slots["requested_slot"] = CONSENT_SLOT
    dispatcher = CollectingDispatcher()
    events = await ValidateQuestionForm().run(dispatcher, tracker, {"slots": {}, "forms": {}})
    assert any(e.get("name") == RED_FLAG_SLOT for e in events)
    assert {"event": "slot", "timestamp": None, "name": CONSENT_SLOT, "value": "no"} in events
    assert "blood clot" in " ".join(m.get("text") or "" for m in dispatcher.messages)
