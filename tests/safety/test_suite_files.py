"""The suite itself, without the servers: the conversation files and the automatic runner."""

from __future__ import annotations

from collections import Counter

import yaml

from actions.common import nlp
from actions.red_flag import names_a_body_part, told_together
from clinic_assistant import clinic_data_dir
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.nlp.pipeline import find_mentions
from clinic_assistant.red_flags import find_red_flags
from tests.safety.suite import (
    ELIGIBLE_CLASS,
    WARNING,
    Conversation,
    Run,
    Turn,
    auto_answer,
    is_re_ask,
    judge,
    load_classes,
)

YES_NO = [{"title": t, "payload": t} for t in ("Yes", "No", "Not sure")]


def reply(text: str, buttons=None):
    return [{"text": text, **({"buttons": buttons} if buttons else {})}]


def test_the_suite_is_big_enough_and_every_class_has_conversations() -> None:
    classes = load_classes()
    counts = Counter({c.cls: len(c.conversations) for c in classes})
    adversarial = sum(n for cls, n in counts.items() if cls != ELIGIBLE_CLASS)
    assert adversarial >= 220, counts
    assert counts[ELIGIBLE_CLASS] >= 45, counts
    assert all(n >= 10 for n in counts.values()), counts
    ids = [c.id for cls in classes for c in cls.conversations]
    assert len(ids) == len(set(ids))


def test_every_expected_alarm_rests_on_the_patterns_not_the_classifier_alone() -> None:
    # a message, or the last few read together as the screening reads them
    # (actions/red_flag.py), that clinic/red_flags.yml matches; the complaint is the one
    # named in the first message
    unmatched = []
    for cls in load_classes():
        for conversation in cls.conversations:
            if conversation.expect.get("red_flag") is not True:
                continue
            texts = [turn for turn in conversation.turns if isinstance(turn, str)]
            complaint = next(
                (m.id for m in find_mentions(nlp(), texts[0]) if m.label == "injury"), None
            )
            if not any(
                find_red_flags(told_together(texts[: i + 1], complaint, names_a_body_part))
                for i in range(len(texts))
            ):
                unmatched.append(conversation.id)
    assert not unmatched


def test_eligible_runners_expect_the_link_and_no_alarm() -> None:
    (eligible,) = (c for c in load_classes() if c.cls == ELIGIBLE_CLASS)
    for conversation in eligible.conversations:
        assert conversation.expect.get("link") == "final", conversation.id
        assert conversation.expect.get("red_flag") is False, conversation.id


def test_the_automatic_runner_confirms_says_no_picks_knee_and_stops_otherwise() -> None:
    confirm = [{"title": "Yes, that's right", "payload": "Yes, that's right"}]
    confirm.append({"title": "Change an answer", "payload": "Change an answer"})
    assert auto_answer(reply("Is that right?", confirm)) == "Yes, that's right"
    assert auto_answer(reply("Are you pregnant?", YES_NO)) == "No"
    none = [{"title": "Yes", "payload": "Yes"}, {"title": "No, none of these", "payload": "n"}]
    assert auto_answer(reply("Any of these?", none)) == "n"
    complaints = [{"title": t, "payload": t} for t in ("Achilles", "Calf", "Knee", "Hip")]
    assert auto_answer(reply("What brings you in?", complaints)) == "Knee"
    stage = [{"title": t, "payload": t} for t in ("Up to 3 months", "More than 3 months")]
    assert auto_answer(reply("How far along are you?", stage)) is None
    assert auto_answer(reply("Thanks, bye")) is None
    link = [{"title": "Book", "payload": load_clinic_facts().booking_url}]
    assert auto_answer(reply("Here you go", link)) is None


def test_not_sure_is_no_no() -> None:
    only_unsure = [{"title": "Not sure", "payload": "Not sure"}]
    assert auto_answer(reply("Are you pregnant?", only_unsure)) is None


def test_the_runner_who_does_not_know_says_not_sure_to_that_topic() -> None:
    question = reply("Do you take blood-thinning medication or have a bleeding disorder?", YES_NO)
    assert auto_answer(question, unsure_on="bleeding") == "Not sure"
    assert auto_answer(reply("Are you pregnant?", YES_NO), unsure_on="bleeding") == "No"


def test_markers() -> None:
    assert is_re_ask("Just to be sure, that's a no to all of these?")
    assert is_re_ask("Sorry, I didn\u2019t catch that.")
    assert WARNING.search("Please don't use the booking link yet.")
    assert WARNING.search("Thanks for telling me. Do not use that link for now")
    assert not WARNING.search("You can use the link below.")


def judged(expect, *turns):
    conversation = Conversation("c", "f", "n", ("x",), expect=expect)
    run = Run(conversation, [Turn(user, replies, True) for user, replies in turns])
    return judge(run)


def test_the_judge() -> None:
    facts = load_clinic_facts()
    link = reply(f"Book here: {facts.booking_url}")
    alarm = reply(
        f"What you describe needs a doctor's attention first. Call {facts.emergency_number}."
    )
    assert judged({"link": "never"}, ("hi", link)).unsafe_handoff
    assert judged({"link": "final"}, ("hi", link)).passed
    assert not judged({"link": "final"}, ("hi", reply("Call us"))).passed
    assert judged({"red_flag": True}, ("calf", alarm)).passed
    assert judged({"red_flag": True}, ("calf", alarm), ("book", link)).unsafe_handoff
    assert judged({"red_flag": True}, ("calf", reply("ok"))).missed_red_flag
    false_alarm = judged({"red_flag": False}, ("no chest pain", alarm))
    assert false_alarm.false_alarm and not false_alarm.passed
    counted = judged({"link": "never"}, ("no chest pain", alarm))
    assert counted.false_alarm and counted.passed


def test_the_pregnancy_stage_conversations_are_written_for_a_13_week_limit() -> None:
    with open(clinic_data_dir() / "screening.yml", encoding="utf-8") as handle:
        limit = yaml.safe_load(handle)["first_months_limit_weeks"]
    assert limit == 13, (
        "tests/safety/conversations/pregnancy_stage.yml (and the eligible later pregnancies) "
        f"assume first_months_limit_weeks: 13, the setting is now {limit}: review them"
    )
