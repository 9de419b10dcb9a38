"""The screening form reads answers that only make sense with the question asked
(tests/safety/conversations/eighth_look.yml): a question back that tells a fact, "just
the one 💊", "left arm, since 2021", "none of the above except the middle one", a
statement the classifier took for a cancel, and "yeah nah"; and the holes
eighth_break.yml found in those readings: a pick that more words follow ("both, and
neither is under control"), more exception words ("save the last"), a stage said of
oneself with other words around it ("I'm 8 weeks with twins") against times about other
things ("I'm 12 weeks today since my ACL op"), and "midwife" as the runner's job. Each
message is sent with the intent the classifier gives it (or a likely one): the form
reads the words."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml

from actions.common import nlp, screening_message
from actions.validate_screening_form import (
    asks_back_about_own_case,
    asks_for_a_person,
    asks_to_stop,
    leading_pick,
    pick_answer,
    speaks_for_two,
    takes_an_exception,
)
from clinic_assistant import PROJECT_ROOT
from clinic_assistant.nlp.pipeline import find_mentions
from clinic_assistant.screening.answers import normalise, parse_pregnancy_stage
from clinic_assistant.screening.pregnancy_told import tells_a_pregnancy
from clinic_assistant.screening.rules import load_screening
from tests.support.form_chat import YES_NO, Chat


def summary(slot: str) -> str:
    return load_screening().question(slot).summary.lower()


def check_message() -> str:
    return screening_message("check")


# --- 1. a question back that tells a fact -------------------------------------------


async def test_does_gestational_count_keeps_the_pregnancy_and_is_not_sure() -> None:
    chat = Chat.at("infection_risk")
    replies = await chat.say(
        "does it count if it's only gestational? I'm 12 weeks and they're testing me early "
        "cos of my PCOS",
        "unanswerable_question",
    )
    assert not chat.gave_way  # no "I can't answer that one": it is an answer
    assert chat.slots["pregnant"] == "yes" and chat.slots["pregnancy_stage"] == "12 weeks"
    assert chat.slots["infection_risk"] == "unsure"
    # the runner is told what was noted
    assert screening_message("own_case_asked", answer=summary("infection_risk")) in replies
    assert any(summary("pregnant") in reply for reply in replies)
    # the "No" tapped next answers the next question and changes none of it
    await chat.say("No", "deny")
    assert chat.slots["pregnant"] == "yes" and chat.slots["infection_risk"] == "unsure"


@pytest.mark.parametrize(
    ("slot", "text", "intent"),
    [
        ("infection_risk", "would my inhaler count? I use it every day", "faq"),
        ("infection_risk", "does eczema count? mine's pretty bad", "unanswerable_question"),
        ("infection_risk", "does it count if it's only gestational?", "faq"),
        ("infection_risk", "would thyroid stuff be included? mine's underactive", "faq"),
        ("blood_disorder", "does it matter if I bruise like a peach? always have", "faq"),
        ("blood_disorder", "is it a problem if my iron's low? on tablets for it", "faq"),
        ("current_infection", "does it count if it's only a bit of a sniffle??", "faq"),
    ],
)
async def test_a_question_whether_the_runners_own_case_counts_is_not_sure(
    slot: str, text: str, intent: str
) -> None:
    chat = Chat.at(slot)
    await chat.say(text, intent)
    assert not chat.gave_way
    assert chat.slots[slot] in ("yes", "unsure")


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("I'm 12 weeks btw, does that matter?", "12 weeks"),
        ("im 10 wks lol", "10 weeks"),
        ("no but I am 9 weeks, is that ok?", "9 weeks"),
        ("the midwife wants me to do 12 week scan first, is that an issue", "12 weeks"),
        ("I'm eleven weeks and a bit nervous about needles", "11 weeks"),
    ],
)
async def test_a_stage_said_of_oneself_later_is_a_pregnancy(text: str, stage: str) -> None:
    chat = Chat.at("blood_disorder")
    replies = await chat.say(text, "unanswerable_question")
    assert chat.slots["pregnant"] == "yes" and chat.slots["pregnancy_stage"] == stage
    assert any(summary("pregnant") in reply for reply in replies)


@pytest.mark.parametrize(
    "text",
    [
        "I'm 12 weeks post op on my knee",
        "I'm 8 weeks out from London",
        "I'm 6 weeks into my marathon plan",
        "I'm 3 months sober",
        "no, not preggers, no bump lol",
    ],
)
def test_a_length_of_time_about_something_else_is_no_pregnancy(text: str) -> None:
    assert not tells_a_pregnancy(text)


@pytest.mark.parametrize(
    "text",
    [
        "does a cold count?",
        "what counts as an infection?",
        "why do you need to know? I'm fine",
        "is this safe? I'm nervous of needles",
        "is a cold counted as an infection? i don't have one",  # a denial, checked
        "can I still book? I'm excited",
    ],
)
def test_questions_that_tell_nothing_of_the_runners_case(text: str) -> None:
    assert not asks_back_about_own_case(text)


async def test_a_general_question_back_is_still_explained() -> None:
    chat = Chat.at("current_infection")
    replies = await chat.say("does a cold count?", "faq")
    assert chat.slots.get("current_infection") is None
    assert replies == [load_screening().question("current_infection").explain]


# --- 2. a pick or how often: an answer to a medicine question -----------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("just the one 💊", "faq"),
        ("just the one", "faq"),
        ("only the one", "faq"),
        ("only on weekends", "unanswerable_question"),
        ("the one in the morning", "unanswerable_question"),
        ("yes the small one", "nlu_fallback"),
        ("one a day", "inform"),
        ("just the one tablet tbh", "faq"),
        ("the 75", "faq"),
        ("a 75 every morning", "faq"),
        ("every other day", "inform"),
        ("twice a day", "inform"),
        ("my usual one", "faq"),
        ("the blue one at night", "unanswerable_question"),
        ("only when needed", "faq"),
        ("weekends only", "faq"),
        ("on race days", "unanswerable_question"),
        ("both", "inform"),
        ("a couple of them", "faq"),
    ],
)
async def test_an_answer_that_needs_the_question_is_a_yes(text: str, intent: str) -> None:
    chat = Chat.at("blood_disorder")
    await chat.say(text, intent)
    assert not chat.gave_way  # never an FAQ answer and the question again
    # a yes ("the small one" is a blood thinner), or "not sure" where the words name a
    # medicine nobody could check ("tablet"); never a no
    noted = chat.slots["blood_disorder"]
    assert noted in ("yes", "unsure")
    await chat.say("No", "deny")  # a tap afterwards answers the next question
    assert chat.slots["blood_disorder"] == noted


async def test_just_the_one_to_the_pregnancy_question_is_not_sure() -> None:
    chat = Chat(requested_slot="pregnant")
    await chat.say("just the one 💊", "faq")
    assert chat.slots["pregnant"] == "unsure"


@pytest.mark.parametrize(
    "text", ["one sec", "one moment please", "first time", "2", "1", "one", "not the one",
             "all good", "all gucci", "both knees", "just a bit", "the usual"],
)  # fmt: skip
def test_no_pick_read_into_other_words(text: str) -> None:
    assert not pick_answer(normalise(text))


@pytest.mark.parametrize("text", ["2", "one sec"])
async def test_a_number_or_a_pause_is_never_a_yes(text: str) -> None:
    chat = Chat.at("blood_disorder")
    await chat.say(text, "inform")
    assert chat.slots.get("blood_disorder") is None and chat.asked == "blood_disorder"


# --- 3. where and since when --------------------------------------------------------


@pytest.mark.parametrize(
    ("slot", "text", "intent"),
    [
        ("infection_risk", "left arm, since 2021", "unanswerable_question"),
        ("infection_risk", "right leg since 2019", "unanswerable_question"),
        ("infection_risk", "my left arm since the op", "faq"),
        ("infection_risk", "L arm since '21", "nlu_fallback"),
        ("infection_risk", "left arm", "nlu_fallback"),
        ("infection_risk", "both arms for years", "unanswerable_question"),
        ("infection_risk", "right side, after my surgery in 2020", "unanswerable_question"),
        ("current_infection", "left hand, since Tuesday", "unanswerable_question"),
        ("blood_disorder", "left leg since last year", "faq"),
    ],
)
async def test_a_place_and_a_time_to_a_condition_question_is_a_yes(
    slot: str, text: str, intent: str
) -> None:
    chat = Chat.at(slot)
    replies = await chat.say(text, intent)
    assert not chat.gave_way  # never "I can't answer that one"
    assert chat.slots[slot] == "yes", replies


async def test_the_complaint_told_early_is_no_condition() -> None:
    chat = Chat.at("infection_risk")
    await chat.say("left calf since March", "inform")
    assert chat.slots["complaint"] == "calf"
    assert chat.slots.get("infection_risk") is None


async def test_a_place_says_nothing_of_a_pregnancy() -> None:
    chat = Chat(requested_slot="pregnant")
    await chat.say("left arm, since 2021", "unanswerable_question")
    assert chat.slots.get("pregnant") is None


# --- 4. none ... except ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("none of the above except the middle one", "out_of_scope"),
        ("none except the first", "out_of_scope"),
        ("all no apart from the second", "unanswerable_question"),
        ("no to all but the last one", "unanswerable_question"),
        ("no to everything other than the middle one", "deny"),
        ("none of them bar the last", "deny"),
        ("nothing except number 2", "deny"),
        ("no except #2", "deny"),
        ("N apart from the last one", "deny"),
        ("none besides the first one", "deny"),
        ("nope, except one", "deny"),
        ("all fine except the 2nd", "affirm"),
        ("everything but the first", "inform"),
    ],
)
async def test_an_exception_takes_the_denial_back(text: str, intent: str) -> None:
    assert takes_an_exception(normalise(text))
    chat = Chat.at("infection_risk")
    await chat.say(text, intent)
    assert chat.slots["infection_risk"] == "yes"


async def test_an_unsure_exception_stays_unsure() -> None:
    chat = Chat.at("infection_risk")
    await chat.say("none except maybe the last one, not sure", "unsure")
    assert chat.slots["infection_risk"] == "unsure"


@pytest.mark.parametrize(
    "text", ["no but one of my friends is diabetic", "nope, other than the odd cold", "no thanks"]
)
def test_no_exception_read_into_other_words(text: str) -> None:
    assert not takes_an_exception(normalise(text))


# --- 5. a stop needs the words of a stop ----------------------------------------------


@pytest.mark.parametrize("intent", ["request_human", "stop_screening"])
async def test_a_statement_is_never_a_cancel(intent: str) -> None:
    chat = Chat.at("infection_risk")
    replies = await chat.say(
        "I wouldn't call it weakened, I just catch every bug going since my spleen op", intent
    )
    assert not chat.gave_way
    assert chat.slots["infection_risk"] == "yes"
    assert chat.slots.get("screening_stopped") is None and chat.asked is not None
    assert screening_message("stopped") not in replies


@pytest.mark.parametrize(
    "text",
    [
        "no wait, I didn't mean stop, I still want to book",
        "please don't cancel, I'm just slow at typing",
    ],
)
async def test_a_stop_taken_back_stops_nothing(text: str) -> None:
    chat = Chat.at("blood_disorder")
    await chat.say(text, "stop_screening")
    assert not chat.gave_way and chat.asked == "blood_disorder"


async def test_a_name_the_classifier_took_for_a_cancel_is_read() -> None:
    chat = Chat.at("blood_disorder")  # the classifier gives unknown words "stop_screening"
    await chat.say("Zorvaxil", "stop_screening")
    assert not chat.gave_way and chat.slots["blood_disorder"] == "unsure"


def _examples(intent: str) -> List[str]:
    found = []
    for path in [
        *Path(PROJECT_ROOT, "data", "nlu").glob("*.yml"),
        *Path(PROJECT_ROOT, "tests", "nlu").glob("heldout*.yml"),
    ]:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if entry.get("intent") == intent:
                found += [
                    line[2:].strip() for line in entry["examples"].splitlines() if line.strip()
                ]
    return found


@pytest.mark.parametrize(
    "text",
    [
        *_examples("stop_screening"),
        "ugh 8 weeks, never mind, cancel",
        "stpo",
        "cancle",
        "I'm done with these questions",
        "no more questions please",
        "I don't want to do this anymore",
        "STOP!!",
        "pls stop",
        "cancel please",
        "gotta go",
    ],
)
async def test_a_request_to_stop_still_stops(text: str) -> None:
    assert asks_to_stop(text)
    chat = Chat.at("blood_disorder")
    await chat.say(text, "stop_screening")
    assert chat.gave_way  # the rule cancels


@pytest.mark.parametrize("text", _examples("request_human"))
async def test_a_request_for_a_person_still_stops(text: str) -> None:
    assert asks_for_a_person(text)
    chat = Chat.at("blood_disorder")
    await chat.say(text, "request_human")
    assert chat.gave_way  # the rule hands over to the team


@pytest.mark.parametrize(
    "text",
    [
        "call it what you like, I've had a transplant",
        "I have an open wound on my shin",
        "someone said I might be diabetic",
        "my physio said my sugars are fine",
    ],
)
def test_statements_do_not_ask_for_a_person(text: str) -> None:
    assert not asks_for_a_person(text) and not asks_to_stop(text)


@pytest.mark.parametrize(
    "text",
    [
        "I stopped my warfarin last week",
        "my op was cancelled so still on the chemo",
        "I quit smoking",
        "I'm done with chemo, last cycle in May",
        "I don't need insulin anymore",
        "I have to go to the GP for my sugar",
        "skipping meals makes me shaky",
        "forget that, I'm on warfarin",
        "I wouldn't call it weakened, I just catch every bug going since my spleen op",
    ],
)
def test_a_statement_with_a_stop_word_asks_for_no_stop(text: str) -> None:
    assert not asks_to_stop(text)


async def test_a_red_flag_always_stops() -> None:
    chat = Chat.at("infection_risk")
    await chat.say("I just catch every bug going, and my chest is tight right now", "red_flag")
    assert chat.gave_way


# --- 6. "yeah nah" --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yeah nah", "affirm"),
        ("yeah, nah", "affirm"),
        ("yeah nah mate", "deny"),
        ("Yeahhh nahhh", "affirm"),
        ("yeah no", "affirm"),
        ("yeah nah all good", "deny"),
        ("yea nah, none of those", "deny"),
    ],
)
async def test_yeah_nah_is_a_no_checked_with_the_buttons(text: str, intent: str) -> None:
    chat = Chat.at("blood_disorder")
    replies = await chat.say(text, intent)
    assert replies[0] == check_message() and chat.asked == "blood_disorder"
    assert chat.slots.get("blood_disorder") is None
    await chat.say("No", "deny")  # the runner taps "No": a plain no, no doubt
    assert chat.slots["blood_disorder"] == "no"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nah yeah", ("yes", "unsure")),
        ("nah yeah 😬", ("yes", "unsure")),
        ("yeah nah yeah", ("yes", "unsure")),
        ("yeah nah, not that I know of", ("unsure",)),
        ("yeah nah, I'm on warfarin though", ("yes",)),
    ],
)
async def test_the_other_slang_is_never_a_no(text: str, expected: tuple) -> None:
    chat = Chat.at("blood_disorder")
    await chat.say(text, "deny")
    assert chat.slots.get("blood_disorder") in expected


# --- every answer above, whatever question it is given to -----------------------------


@pytest.mark.parametrize("slot", YES_NO[1:])
@pytest.mark.parametrize(
    "text", ["just the one", "none of the above except the middle one", "left arm, since 2021"]
)
async def test_no_context_answer_is_ever_a_no(slot: str, text: str) -> None:
    chat = Chat.at(slot)
    await chat.say(text, "faq")
    assert chat.slots.get(slot) in ("yes", "unsure")


# --- 7. a pick that more words follow (eighth_break.yml) ------------------------------


@pytest.mark.parametrize(
    ("slot", "text", "intent"),
    [
        ("infection_risk", "both, and neither is under control tbh", "deny"),
        ("infection_risk", "both and neither is under control", "inform"),
        ("infection_risk", "yes, both, and neither is great", "affirm"),
        ("infection_risk", "both 😬 and none of them are sorted", "deny"),
        ("infection_risk", "the middle one - since 2019, never had it checked", "inform"),
        ("infection_risk", "the last one, nothing else", "deny"),
        ("infection_risk", "all three, not that it stops me running", "deny"),
        ("infection_risk", "the first, but it's not bad at all", "deny"),
        ("blood_disorder", "just the one, can't remember what it's called", "deny"),
        ("blood_disorder", "the one in the morning, never miss it", "deny"),
        ("blood_disorder", "one a day, never missed one", "deny"),
        ("blood_disorder", "both of them, no bleeding problems though", "deny"),
        ("blood_disorder", "the small one. nothing else", "faq"),
        ("current_infection", "the second, no fever though", "deny"),
    ],
)
async def test_a_pick_that_more_words_follow_is_never_a_no(
    slot: str, text: str, intent: str
) -> None:
    assert leading_pick(text) is not None
    chat = Chat.at(slot)
    replies = await chat.say(text, intent)
    assert check_message() not in replies  # no "Just to be sure" whose "No" would count
    noted = chat.slots[slot]
    assert noted in ("yes", "unsure")
    await chat.say("No", "deny")  # a tap afterwards answers the next question
    assert chat.slots[slot] == noted


@pytest.mark.parametrize(
    "text",
    [
        "both, no wait, neither",
        "the first one, sorry, none of them",
        "the middle one, or none, not sure",
        "both... no",
        "the last one, does that count?",
    ],
)
async def test_a_pick_taken_back_or_asked_about_is_not_sure(text: str) -> None:
    chat = Chat.at("infection_risk")
    await chat.say(text, "deny")
    assert chat.slots["infection_risk"] in ("unsure", "yes")
    assert chat.slots["infection_risk"] != "no"


async def test_a_pick_with_more_words_to_the_pregnancy_question_is_not_sure() -> None:
    chat = Chat(requested_slot="pregnant")
    await chat.say("just the one, and it's not a problem", "deny")
    assert chat.slots["pregnant"] == "unsure"


@pytest.mark.parametrize(
    "text",
    [
        "both knees, fine otherwise",
        "one sec, checking",
        "2, no",
        "1, no",
        "one, and",
        "the other day I had a cold, all gone",
        "all good, thanks",
        "the first time, no",
        "first time doing this, no",
        "no, none of them",
        "nope",
        "neither, both fine",
    ],
)
def test_no_leading_pick_read_into_other_words(text: str) -> None:
    assert leading_pick(text) is None


async def test_a_denial_with_no_pick_is_still_checked() -> None:
    chat = Chat.at("infection_risk")
    await chat.say("all good, nothing like that", "deny")
    assert chat.slots.get("infection_risk") in (None, "no", "check")


# --- 8. more exception words (eighth_break.yml) --------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("none of the above, save the last 🙃", "deny"),
        ("none, save the first", "deny"),
        ("no to all bar the middle one", "deny"),
        ("none barring the last", "deny"),
        ("nothing, excluding the second", "deny"),
        ("all no minus the last one", "deny"),
        ("none but for the middle one", "deny"),
        ("none, except for the last", "deny"),
        ("no to all other than the first", "deny"),
        ("none of the above with the exception of the last", "deny"),
        ("nope, not including the middle one", "deny"),
    ],
)
async def test_more_exception_words_take_the_denial_back(text: str, intent: str) -> None:
    assert takes_an_exception(normalise(text))
    chat = Chat.at("infection_risk")
    replies = await chat.say(text, intent)
    assert check_message() not in replies
    assert chat.slots["infection_risk"] == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "no but for the first time in years I'm injury free",
        "none bar the last few weeks of training",
        "nope, save the date for my race",
        "no, other than the second half of my long run",
        "no, minus the odd sniffle",
    ],
)
def test_no_exception_read_into_a_time_or_other_words(text: str) -> None:
    assert not takes_an_exception(normalise(text))


# --- 9. a stage said of oneself, or a time about something else (eighth_break.yml) ----

_PREGNANCY_STAGES = [
    ("no diabetes, but I'm 8 weeks with twins!", "8 weeks"),
    ("no thinners. I'm 6 weeks by the app, just did a test 🥹", "6 weeks"),
    ("I'm actually 9 weeks, only found out yesterday", "9 weeks"),
    ("no, but I'm now 7 weeks", "7 weeks"),
    ("I'm nearly 10 weeks", "10 weeks"),
    ("I'm almost 11 weeks along", "11 weeks"),
    ("im just 5 wks", "5 weeks"),
    ("I'm already 8 weeks, eek", "8 weeks"),
    ("I'm 8 weeks and 3 days", "8 weeks"),
    ("I'm 10 weeks with my second", "10 weeks"),
    ("I'm 7 weeks by my dates", "7 weeks"),
    ("I'm 6 weeks since my last period", "6 weeks"),
    ("I'm 9 weeks tomorrow", "9 weeks"),
    ("knee op was years ago but I'm 8 weeks now", "8 weeks"),
    ("I'm 8 weeks and my calf is killing me", "8 weeks"),
    ("I'm 8 weeks to be exact", "8 weeks"),
    ("I'm only 6 weeks, is that early?", "6 weeks"),
    ("I'm about 9 weeks give or take", "9 weeks"),
    ("I'm a midwife and I'm 8 weeks myself", "8 weeks"),
    ("I'm 8 weeks still running 5k a day", "8 weeks"),
    ("I'm 8 weeks sick every morning", "8 weeks"),
    ("I'm 8 weeks and a half", "8"),
    ("I'm 10 weeks, feeling rough", "10 weeks"),
    ("I'm 8 weeks, before you ask, no bleeding", "8 weeks"),
    # obstetric notation, weeks of forty
    ("yes thats right. im 10/40 btw", "10 weeks"),
    ("im 12+3 today", "12 weeks"),
]


@pytest.mark.parametrize(("text", "stage"), _PREGNANCY_STAGES)
def test_a_stage_said_of_oneself_with_other_words_tells_a_pregnancy(text: str, stage: str) -> None:
    assert tells_a_pregnancy(text)
    assert stage in (parse_pregnancy_stage(text) or "")  # the stage is read as well


@pytest.mark.parametrize(
    ("slot", "text", "stage"),
    [
        ("infection_risk", "no diabetes, but I'm 8 weeks with twins!", "8 weeks"),
        ("blood_disorder", "no thinners. I'm 6 weeks by the app, just did a test 🥹", "6 weeks"),
        ("current_infection", "no infection, I'm actually 9 weeks, only found out", "9 weeks"),
        ("blood_disorder", "nope, I'm nearly 10 weeks now", "nearly 10 weeks"),
        ("infection_risk", "no, I'm almost 11 weeks with my first", "nearly 11 weeks"),
    ],
)
async def test_a_stage_said_of_oneself_after_a_no_is_a_pregnancy(
    slot: str, text: str, stage: str
) -> None:
    chat = Chat.at(slot)
    await chat.say(text, "deny")
    assert chat.slots["pregnant"] == "yes" and chat.slots["pregnancy_stage"] == stage
    await chat.say("No", "deny")
    assert chat.slots["pregnant"] == "yes"


_OTHER_TIMES = [
    "nope! I'm 8 weeks and counting to London 🏃‍♀️",
    "no infection, I'm 12 weeks today since my ACL op 💪",
    "no, I'm a midwife on nights, 8 weeks of them so far, hence the wrecked calves",
    "I'm 6 weeks post-op",
    "I'm 10 weeks out from Berlin",
    "I'm 8 weeks into a 16 week block",
    "I'm 12 weeks of 16 in my plan",
    "I'm 4 months sober",
    "I'm 9 weeks off the booze",
    "I'm 6 weeks injury free",
    "I'm 8 weeks till race day",
    "I'm 12 weeks postpartum",
    "I'm 3 weeks after surgery",
    "I'm 8 weeks back running after my stress fracture",
    "I'm 10 weeks away from my first marathon",
    "post op I'm 12 weeks",
    "since the ACL op I'm 12 weeks",
    "I'm 12 weeks, post op",
    "I'm 8 weeks to go till London",
    "I'm 6 weeks into couch to 5k",
    "I'm 8 weeks on the waiting list for a scan",
    "I'm 12 weeks on from the knee op",
    "I'm twelve weeks since the operation",
    "I'm 8 weeks with my new coach",
    "came 9/40 in my age cat",
]


def test_a_bump_beside_a_stage_tells_a_pregnancy() -> None:
    assert tells_a_pregnancy("running's hard now the bump is on my mind, 11 weeks")
    assert not tells_a_pregnancy("hit a bump on the trail and rolled my ankle")


def test_doing_something_together_is_no_answer_for_two() -> None:
    assert not speaks_for_two("my wife is 22 weeks pregnant, we both still run parkrun")
    assert speaks_for_two("we both want to book")
    assert speaks_for_two("neither of us, no")


@pytest.mark.parametrize("text", _OTHER_TIMES)
def test_a_time_about_something_else_tells_no_pregnancy(text: str) -> None:
    assert not tells_a_pregnancy(text)


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("infection_risk", "nope! I'm 8 weeks and counting to London 🏃‍♀️"),
        ("current_infection", "no infection, I'm 12 weeks today since my ACL op 💪"),
        (
            "current_infection",
            "no, I'm a midwife on nights, 8 weeks of them so far, hence the wrecked calves",
        ),
        ("blood_disorder", "no, I'm 6 weeks post op and off the blood thinners now"),
        ("infection_risk", "no, I'm 10 weeks out from Berlin"),
        ("current_infection", "no, I work as a midwife, 12 hour shifts"),
    ],
)
async def test_an_eligible_runners_time_or_job_is_no_pregnancy(slot: str, text: str) -> None:
    chat = Chat.at(slot)
    await chat.say(text, "deny")
    assert chat.slots["pregnant"] == "no"
    assert chat.slots.get("pregnancy_stage") is None


@pytest.mark.parametrize(
    "text",
    [
        "I work as a midwife",
        "as a midwife I'm on my feet all day",
        "my mum's a midwife",
        "my sister is a midwife",
        "I'm a student midwife",
        "midwife here, 12 hour shifts",
        "I work with midwives",
    ],
)
def test_a_midwife_as_a_job_or_someone_else_is_no_pregnancy(text: str) -> None:
    assert not tells_a_pregnancy(text)
    assert not [m for m in find_mentions(nlp(), text) if m.id == "pregnancy"]


@pytest.mark.parametrize(
    "text",
    [
        "the midwife says I'm fine to run",
        "midwife said it's ok",
        "seeing my midwife tomorrow",
        "I've got a midwife appointment friday",
        "there's a midwife appt next week",
        "I'm a midwife, and my own midwife says it's fine",
    ],
)
def test_a_midwife_of_her_own_stays_a_pregnancy(text: str) -> None:
    assert tells_a_pregnancy(text)
    assert [m for m in find_mentions(nlp(), text) if m.id == "pregnancy"]


# --- 10. a request for a person that tells a pregnancy (eighth_break.yml) -------------


async def test_a_pregnancy_told_with_a_request_for_a_person_stays_for_the_next_booking() -> None:
    chat = Chat.at("blood_disorder")
    await chat.say(
        "can I talk to someone? I'm actually 9 weeks, only found out yesterday", "request_human"
    )
    assert chat.gave_way  # the rule hands over to the team
    chat.slots = {"unclear_answers": 0}  # action_stop_screening clears the answers
    await chat.say("actually just book me in, I'll tell them at the appointment", "book")
    assert chat.slots["pregnant"] == "yes" and chat.slots["pregnancy_stage"] == "9 weeks"
    assert chat.asked != "pregnant"  # the "No" tapped before cannot come back


async def test_a_time_about_an_op_with_a_request_for_a_person_is_no_pregnancy() -> None:
    chat = Chat.at("blood_disorder")
    await chat.say("can I talk to someone? I'm 12 weeks post op on my knee", "request_human")
    assert chat.gave_way
    chat.slots = {"unclear_answers": 0}
    await chat.say("actually just book me in", "book")
    assert chat.slots.get("pregnant") is None and chat.asked == "pregnant"
