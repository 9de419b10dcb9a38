"""What the console reads from the conversation store: counts, and what it could not answer."""

from __future__ import annotations

import time

from clinic_assistant.console.conversations import day_of, low_confidence_limits, summarise
from tests.console.conftest import Conversation, save

# an answer given, but with less confidence than the console calls sure (config.yml)
UNSURE = low_confidence_limits()["faq"] - 0.05


def test_counts_per_day_and_the_could_not_answer_messages(store) -> None:
    today = time.time() - 600
    # exactly one UTC day earlier, so the two always fall on different dates (even just after midnight)
    yesterday = today - 86400
    save(
        store,
        Conversation("a", yesterday)
        .says("what is dry needling", "faq", answer_confidence=0.95)
        .replies("utter_faq")
        .not_answered("do you have lockers for my bag?")
        .screening(["no", "I take warfarin daily, my name is Sarah"], outcome="ruled_out"),
        Conversation("b", today)
        .not_answered("asdkjh qwe", "utter_default")
        .not_answered("best etf for beginners", "utter_out_of_scope")
        .says("does it help plantar fasciitis", "faq", answer_confidence=UNSURE)
        .replies("utter_faq")
        .screening(["no", "no", "no", "no", "calf"], outcome="clear"),
        Conversation("c", today).red_flag("I have chest pain").screening(["no"], "red_flag"),
        Conversation("d", today).screening(["maybe?", "dunno"], outcome="stopped"),
        Conversation("e", today).screening(["not sure"], outcome="unsure"),
    )
    summary = summarise(store)
    day1, day2 = day_of(yesterday), day_of(today)
    assert len(summary.conversations[day1]) == 1 and len(summary.conversations[day2]) == 4
    assert dict(summary.outcomes[day1]) == {"ruled_out": 1}
    assert dict(summary.outcomes[day2]) == {"clear": 1, "red_flag": 1, "stopped": 1, "unsure": 1}
    assert summary.red_flags[day2] == 1 and summary.red_flags[day1] == 0
    assert dict(summary.not_answered[day1]) == {"dont_know": 1}
    assert dict(summary.not_answered[day2]) == {
        "fallback": 1,
        "out_of_scope": 1,
        "low_confidence": 1,
    }
    assert [(m.text, m.kind) for m in summary.unanswered] == [
        ("do you have lockers for my bag?", "dont_know"),
        ("asdkjh qwe", "fallback"),
        ("best etf for beginners", "out_of_scope"),
        ("does it help plantar fasciitis", "low_confidence"),
    ]


def test_screening_answers_and_left_questions_are_never_listed(store) -> None:
    # the screening answers read as fallbacks (nlu_fallback) and a mid-screening
    # question got an honest "don't know": none of their text is listed
    conversation = Conversation("a", time.time()).screening(
        ["pregnant, 20 weeks", "warfarin"], aside="do you sell gels? I'm on warfarin"
    )
    save(
        store,
        conversation,
        Conversation("b", time.time()).leaves_question("is there parking?", "runner@example.com"),
    )
    summary = summarise(store)
    listed = [m.text for m in summary.unanswered]
    assert listed == ["is there parking?"]  # the question itself, before the form
    assert not any("warfarin" in t or "pregnant" in t or "@" in t for t in listed)
    # counted all the same: two honest "don't know" replies
    assert sum(c["dont_know"] for c in summary.not_answered.values()) == 2
