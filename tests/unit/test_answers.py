"""Reading screening answers: yes / no / not sure, pregnancy stages, confirmations.

Every phrasing here is something a runner might type (or a button might send).
The parser is conservative (shared/safety-principles.md): uncertainty wins over
yes/no, a "no" counts only when it is plain and whole (anything else that sounds
like no is CHECK, confirmed with the buttons), a question is never read as an
answer, and anything unclear is None so the assistant asks again.
"""

from __future__ import annotations

import pytest

from clinic_assistant.screening.answers import (
    normalise,
    parse_confirmation,
    parse_pregnancy_stage,
    parse_yes_no,
    states_something,
)
from clinic_assistant.screening.rules import CHECK, load_screening, pregnancy_in_first_months

YES_PHRASINGS = [
    # buttons and payloads
    "Yes",
    "/affirm",
    # short forms, casing, punctuation
    "yes",
    "YES",
    "yes.",
    "Yes!",
    "YES!!!",
    "y",
    "Y",
    "yeah",
    "yep",
    "Yup",
    "ya",
    "yea",
    "aye",
    "sure",
    "definitely",
    "absolutely",
    "of course",
    "correct",
    "that's right",
    "true",
    "ok yes",
    # typos
    "yess",
    "yse",
    "yeh",
    # emoji-ish
    "yes :)",
    "yes 👍",
    "👍",
    "Yes ✅",
    # a syringe, a drop of blood, a pill: the cautious reading of a medical picture
    "💉💉💉💉🩸",
    "💊",
    # with more words
    "yes please",
    "yes, I am",
    "Yes I am",
    "yeah I do",
    "yes I take aspirin",
    "Yes I do take warfarin",
    "yes I have lymphoedema",
    "yep, type 1 diabetic",
    "yup, on eliquis",
    "yes, I have a cold",
    "Yes, is that a problem?",
    "yes but only aspirin",
    "unfortunately yes",
    "afraid so",
    "Yeah sadly",
    # hedged but affirmative
    "I think so",
    "I believe so",
    "I am",
    "I do",
    # a yes with a negative word later is still a yes
    "Yes! Never been so happy, I'm expecting",
    "yes, and I never miss a dose",
    "yes but not anymore",
    "yes one of these",
]

# A plain, whole "no": nothing but a no (safety principle 2).
NO_PHRASINGS = [
    # buttons and payloads
    "No",
    "/deny",
    # short forms, casing, punctuation
    "no",
    "NO",
    "no.",
    "No!",
    "NO!!",
    "n",
    "N",
    "nope",
    "Nope.",
    "nah",
    "naw",
    "Negative",
    "never",
    "none",
    # typos and repeats
    "noo",
    "nooo",
    "nop",
    "no no no",
    # emoji-ish
    "no 👎",
    "👎",
    "❌",
    # whole denials
    "no, never",
    "no never",
    "definitely not",
    "absolutely not",
    "of course not",
    "not at all",
    "no not at all",
    "nothing like that",
    "none of those",
    "No, none",
    "No, none of these",
    "none of the above",
    "no to all",
    "I'm not",
    "I’m not",
    "no I'm not",
    "no I am not",
    "I don't",
    "no i dont",
    "no I do not",
    "I haven't",
    "Nope, I haven't",
    "not me",
    "nope, not me",
    "no thanks",
    "No sir",
    "nah mate",
    "ok no",
]

# Sounds like "no" but is more than a plain no: confirmed with the buttons.
CHECK_PHRASINGS = [
    # an "I ..." statement alone: what it names decides (test_volunteered.py reads
    # these as "yes" with their condition); without a condition it is checked
    "I'm pregnant",
    "I am pregnant",
    "I have diabetes",
    "I've got diabetes",
    "i'm diabetic",
    "I'm on warfarin",
    "I’m on warfarin",
    "I take blood thinners",
    "I have the flu",
    "I do have haemophilia",
    "I'm healthy apart from diabetes",
    "I'm a guy lol",
    "not that I know of",
    "not that I'm aware of",
    "no, not that I know of",
    "nope, never had any of it really",
    "I don't think so",
    "I don’t think so",
    "don't think so",
    "not really",
    "no, not really",
    "thankfully not",
    "not at the moment",
    "not currently",
    "not anymore",
    "all good",
    "I'm fine",
    "no, I'm fine",
    "No, why?",
    # a denial that names a condition is checked against the whole question
    # (clinic_assistant.screening.volunteered); on its own it is not a plain no
    "I am not pregnant",
    "not pregnant",
    "I don't have diabetes",
    "I don't take blood thinners",
    "No I don't take any",
    "No, I've never had that",
    "I have never had that",
    "not that I have",
    "no infection",
    "no blood thinners",
    "not on warfarin",
    "no fever",
    # a "no" with a "but" or an affirmation after it is not a plain no; the
    # condition named makes it a yes when the reading adds the mentions
    "No but I do take aspirin",
    "no, just a cold",
    "no I have a cold",
    "I don't have diabetes but I do have lymphoedema",
    "no, but I take something for my heart",
]

UNSURE_PHRASINGS = [
    "Not sure",
    "/unsure",
    "not sure",
    "NOT SURE",
    "Not sure.",
    "not sure?",
    "I'm not sure",
    "im not sure",
    "I'm unsure",
    "unsure",
    "not shure",
    "I don't know",
    "I don’t know",
    "i dont know",
    "dunno",
    "idk",
    "no idea",
    "no idea tbh",
    "no clue",
    "maybe",
    "possibly",
    "perhaps",
    "I might be",
    "might be",
    "could be",
    "who knows",
    "hard to say",
    "not 100% sure",
    "I'm not certain",
    "I can't remember",
    "probably",
    "probably not",
    "Not sure 🤷",
    "🤷",
    "I wish I knew",
    "I'd rather not say",
    "Possibly, I'm waiting for a test",
    # uncertainty wins over yes/no
    "I think not, not sure",
    "yes maybe",
    "no... not sure",
    "Not sure, what counts as a blood disease?",
    # double negatives, litotes and hedges (safety principle 3)
    "I'm not not pregnant",
    "I can't rule it out",
    "can't say no",
    "not impossible",
    "I wouldn't say no",
    "I don't think I am",
    "kind of",
    "a bit",
    "I used to",
    "yes... no wait, no",
    "waiting for results",
]

UNCLEAR_PHRASINGS = [
    "",
    "   ",
    "?",
    "hmm",
    "huh",
    "ok",
    "hello",
    "lol",
    "thanks",
    "pardon?",
    "I have a question",
    # questions are never answers, even with "not" or "I'm" in them
    "what is dry needling?",
    "why do you ask",
    "why do you ask?",
    "why not?",
    "what?",
    "what do you mean",
    "what does that mean?",
    "How much does it cost?",
    "does it hurt?",
    "can I book?",
    "what counts as a blood disease?",
    "is aspirin a blood thinner?",
    "isn't that for athletes?",
    "does it matter if I'm not pregnant?",
    "what if I'm not sure?",
    "Do you mean right now?",
    "are you a bot?",
    "does diabetes matter?",
    # a statement that is not about the question is not a yes ("my" is someone else's)
    "my wife is pregnant",
    "the weather is nice",
]


@pytest.mark.parametrize("text", YES_PHRASINGS)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) == "yes"


@pytest.mark.parametrize("text", NO_PHRASINGS)
def test_no(text: str) -> None:
    assert parse_yes_no(text) == "no"


@pytest.mark.parametrize("text", CHECK_PHRASINGS)
def test_sounds_like_no_is_checked(text: str) -> None:
    assert parse_yes_no(text) == CHECK


@pytest.mark.parametrize("text", UNSURE_PHRASINGS)
def test_unsure(text: str) -> None:
    assert parse_yes_no(text) == "unsure"


@pytest.mark.parametrize("text", UNCLEAR_PHRASINGS)
def test_not_an_answer(text: str) -> None:
    assert parse_yes_no(text) is None


def test_phrasing_tables_are_big_and_disjoint() -> None:
    assert len(YES_PHRASINGS) >= 40
    assert len(NO_PHRASINGS) >= 40
    assert len(UNSURE_PHRASINGS) >= 20
    assert len(UNCLEAR_PHRASINGS) >= 20
    assert len(CHECK_PHRASINGS) >= 20
    tables = [YES_PHRASINGS, NO_PHRASINGS, CHECK_PHRASINGS, UNSURE_PHRASINGS, UNCLEAR_PHRASINGS]
    seen = [p for table in tables for p in table]
    assert len(seen) == len(set(seen)), "a phrasing is listed twice"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello,   World!", "hello world"),
        ("I’m 6,5 weeks.", "i'm 6.5 weeks"),
        ("`yes`", "'yes'"),
        ("not 100% sure", "not 100% sure"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


STAGES = [
    # (text, normalised stage)
    ("8 weeks", "8 weeks"),
    ("8 weeks pregnant", "8 weeks"),
    ("I'm 8 weeks", "8 weeks"),
    ("about 10 weeks", "about 10 weeks"),
    ("approximately 16 weeks", "about 16 weeks"),
    ("7 weeks along", "7 weeks"),
    ("12 wks", "12 weeks"),
    ("9wks", "9 weeks"),
    ("6w", "6 weeks"),
    ("twelve weeks", "12 weeks"),
    ("eight weeks", "8 weeks"),
    ("twenty two weeks", "22 weeks"),
    ("6.5 weeks", "6.5 weeks"),
    ("6,5 weeks", "6.5 weeks"),
    ("6 ½ weeks", "6.5 weeks"),
    ("6 1/2 weeks", "6.5 weeks"),
    ("13 weeks", "13 weeks"),
    ("14 weeks", "14 weeks"),
    ("11 weeks and 3 days", "11 weeks"),
    ("2 months", "2 months"),
    ("around 2 months", "about 2 months"),
    ("3 mths", "3 months"),
    ("1 month", "1 month"),
    ("a month", "1 month"),
    ("four months", "4 months"),
    ("two and a half months", "2.5 months"),
    ("4 and a half months", "4.5 months"),
    ("2.5 months", "2.5 months"),
    ("second trimester", "trimester 2"),
    ("2nd trimester", "trimester 2"),
    ("I'm in my second trimester", "trimester 2"),
    ("trimester 2", "trimester 2"),
    ("1st trimester", "trimester 1"),
    ("first tri", "trimester 1"),
    ("in the first trimester", "trimester 1"),
    ("third trimester", "trimester 3"),
    ("I'm past the first trimester", "trimester 2"),
    ("up to 3 months", "up to 3 months"),
    ("Up to 3 months", "up to 3 months"),
    ("less than 3 months", "up to 3 months"),
    ("under three months", "up to 3 months"),
    ("within the first 3 months", "up to 3 months"),
    ("no more than 3 months", "up to 3 months"),
    ("more than 3 months", "more than 3 months"),
    ("More than 3 months", "more than 3 months"),
    ("more than three months", "more than 3 months"),
    ("over 3 months", "more than 3 months"),
    ("just found out", "trimester 1"),
    ("very early", "trimester 1"),
    ("early days", "trimester 1"),
    ("a few weeks", "trimester 1"),
    # a range is kept whole; one that straddles the limit is not a clear stage
    ("12-14 weeks", "12 to 14 weeks"),
    ("between 12 and 14 weeks", "12 to 14 weeks"),
    ("twelve to fourteen weeks", "12 to 14 weeks"),
    # an upper bound: any week up to it
    ("less than 14 weeks", "up to 14 weeks"),
    ("under 20 weeks", "up to 20 weeks"),
    # time still to go is not time elapsed
    ("due in six months", "6 months to go"),
    ("30 weeks to go", "30 weeks to go"),
    ("baby's due in 5 months", "5 months to go"),
    ("4 months left", "4 months to go"),
    # nearly, almost: below the number
    ("nearly 14 weeks", "nearly 14 weeks"),
    ("almost 3 months", "nearly 3 months"),
    ("week 20", "20 weeks"),
    # a correction takes the later value; conflicting facts the most cautious
    ("15 weeks, sorry, 11", "11 weeks"),
    ("14 weeks... no hang on, 12 and a bit", "12 weeks"),
    ("11 weeks, sorry I mean 15", "15 weeks"),
    ("11 weeks, so second trimester", "11 weeks"),
    ("second trimester, 11 weeks", "11 weeks"),
    # the first trimester not yet over is the first trimester
    ("haven't finished the first trimester yet", "trimester 1"),
    ("not past the first trimester", "trimester 1"),
    ("almost out of the first trimester", "trimester 1"),
    ("just finished the first trimester", "trimester 2"),
    # how long the complaint has lasted is not the stage
    ("pregnant for 10 weeks", "10 weeks"),
    ("my calf has hurt for 2 months and I'm 8 weeks pregnant", "8 weeks"),
    ("I'm 20 weeks, calf sore for 3 weeks", "20 weeks"),
    ("I'm here for my knee, 8 weeks pregnant", "8 weeks"),
    # not knowing
    ("not sure", "unsure"),
    ("Not sure", "unsure"),
    ("I don't know", "unsure"),
    ("no idea", "unsure"),
]

NOT_A_STAGE = [
    "50 weeks",
    "45 weeks",
    "100 weeks",
    "0 weeks",
    "12 months",
    "early",
    "yes",
    "no",
    "what?",
    "how long is a trimester?",
    "",
    # complaint durations only
    "I'm pregnant and my calf has hurt for 6 months",
    "it started 6 weeks ago",
    "since 3 weeks",
]


@pytest.mark.parametrize(("text", "stage"), STAGES)
def test_pregnancy_stage(text: str, stage: str) -> None:
    assert parse_pregnancy_stage(text) == stage


@pytest.mark.parametrize("text", NOT_A_STAGE)
def test_not_a_pregnancy_stage(text: str) -> None:
    assert parse_pregnancy_stage(text) is None


def test_stage_table_is_big() -> None:
    assert len(STAGES) >= 25


@pytest.mark.parametrize(
    ("text", "early"),
    [
        ("8 weeks", True),
        ("13 weeks", True),
        ("3 months", True),
        ("up to 3 months", True),
        ("first trimester", True),
        ("just found out", True),
        ("12-14 weeks", None),
        ("about 14 weeks", None),
        # close to the limit: not clearly past it, so it rules out (unknown stage)
        ("nearly 14 weeks", None),
        ("due in six months", None),
        ("due in 7 months", True),
        ("30 weeks to go", True),
        ("20 weeks to go", False),
        ("15 weeks, sorry, 11", True),
        ("11 weeks, so second trimester", True),
        ("haven't finished the first trimester yet", True),
        ("less than 20 weeks", None),
        ("14 weeks", False),
        ("13 1/2 weeks", False),
        ("4 months", False),
        ("second trimester", False),
        ("more than 3 months", False),
        ("past the first trimester", False),
        ("not sure", None),
    ],
)
def test_parsed_stages_meet_the_rules(text: str, early: bool | None) -> None:
    """What the parser returns is something the rules understand, with the right result."""
    stage = parse_pregnancy_stage(text)
    assert stage is not None
    assert pregnancy_in_first_months(stage, load_screening()) is early


CONFIRMATIONS = [
    ("Yes, that's right", "yes"),
    ("yes", "yes"),
    ("Yep", "yes"),
    ("that's right", "yes"),
    ("correct", "yes"),
    ("all correct", "yes"),
    ("looks good", "yes"),
    ("perfect", "yes"),
    ("spot on", "yes"),
    ("confirm", "yes"),
    ("Change an answer", "no"),
    ("no", "no"),
    ("nope", "no"),
    ("that's wrong", "no"),
    ("no that's not right", "no"),
    ("I want to change something", "no"),
    ("I want to correct something", "no"),
    ("I'd like to make a correction", "no"),
    ("I made a mistake", "no"),
    ("update my answer", "no"),
    ("yes but change the stage", "no"),
    ("all right except the first one, we only found out on Saturday", "no"),
    ("all good apart from the infection one", "no"),
    ("not sure", None),
    ("hmm", None),
    ("what?", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CONFIRMATIONS)
def test_confirmation(text: str, expected: str | None) -> None:
    assert parse_confirmation(text) == expected


RENAMED = {"yes_title": "Those are my answers", "change_title": "Let me redo one"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Those are my answers", "yes"),
        ("those are my answers!", "yes"),
        ("Let me redo one", "no"),
        ("LET ME REDO ONE", "no"),
        # only the whole title counts: more than the title is read as before
        ("Those are my answers, but I forgot", None),
        ("those are my answers except I'm pregnant", None),
        ("let me redo one please", None),
        *CONFIRMATIONS,
    ],
)
def test_confirmation_with_renamed_buttons(text: str, expected: str | None) -> None:
    assert parse_confirmation(RENAMED["yes_title"]) is None  # unknown without the titles
    assert parse_confirmation(text, **RENAMED) == expected


def test_identical_titles_read_as_a_change() -> None:
    assert parse_confirmation("Ok", yes_title="OK", change_title="ok") == "no"


@pytest.mark.parametrize(
    ("text", "says_something"),
    [
        ("in the pudding club, as me nan would say 🙈", True),
        ("T1D, omnipod + dexcom", True),
        ("been crook all week mate", True),
        ("huh?", False),
        ("sorry, I don't understand", False),
        ("what do you mean by that", False),
        ("why do you need to know", False),
        ("ok", False),
    ],
)
def test_an_unread_answer_that_still_says_something(text: str, says_something: bool) -> None:
    # a "no" after such a message is doubted (actions/validate_screening_form.py)
    assert states_something(text) is says_something
