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
    is_hedged,
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
    # a yes said after the story (fifteenth look)
    "ha my husband's already telling people so i guess that's a yes",
    "its a yes from me",
]

# A plain, whole "no": nothing but a no (safety principle 2).
NO_PHRASINGS = [
    # a thumbs up after the words only signs them off
    "no 👍",
    "nah all good 👍🏼",
    "nope 👌👌",
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
    "all good 👍",
    # "for a bit" in a story after the answer describes, it does not doubt
    "no infection. sweat in my eye on the long run so I couldn't see for a bit, stung like mad",
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
    "nope, never had any of it really",
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
    "no. a bit",  # ...but beside the answer it does
    "no infection. not sure about the rest, my sugar has been a bit high lately",
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
    # a baby or a bottle as the whole answer: a pregnancy, or a baby just born
    "🤫🍼",
    "👶",
    "shh not telling anyone yet 👶",
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
    "not impossible",
    "I wouldn't say no",
    # hedged denials: the runner cannot be sure (safety principles 1 and 3)
    "not that I know of",
    "not that I'm aware of",
    "no, not that I know of",
    "I don't think so",
    "I don’t think so",
    "don't think so",
    "not really",
    "no, not really",
    "I don't think I am",
    "kind of",
    "a bit",
    "I used to",
    "yes... no wait, no",
    "waiting for results",
    # a test still to come, a prayer, missed pills (fourteenth look)
    "no but test booked for friday",
    "nope, testing tomorrow",
    "praying not lol",
    "no, on the pill but missed a few pills",
    "👍 no",  # a thumbs up before the no: yes and no at once
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
    # agreeing to the questions, not answering one
    "yeah go ahead",
    "sure, go for it",
    "fine, ask your questions then",
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
    # "week 20" is the 20th week to some, 20 weeks to pregnancy apps: both
    ("week 20", "19 to 20 weeks"),
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
        # an opinion is no count: near the limit, as unknown as "about" (fourteenth look)
        ("14 weeks i reckon", None),
        ("i think 14 weeks", None),
        ("like 14 weeks", None),
        ("14 wks if my maths is right", None),
        ("should be 14 weeks", None),
        ("20 weeks i think", False),
        ("14 weeks by my dates", False),
        ("due in six months", None),
        ("due in 7 months", True),
        ("30 weeks to go", True),
        ("20 weeks to go", False),
        ("15 weeks, sorry, 11", True),
        ("11 weeks, so second trimester", True),
        ("haven't finished the first trimester yet", True),
        ("less than 20 weeks", None),
        ("14 weeks", False),
        ("13 1/2 weeks", None),
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


# --- hedges, trying to conceive, litotes, race countdowns, obstetric notation ---------
# (an adversarial tester's finds, tests/safety/conversations/seventh_look.yml, and
# variants of them)

# A denial with a hedge is "unsure", never a plain no nor a "sounds like no" that one
# tap turns into a no (safety principles 1 and 3). volunteered.read_yes_no_answer
# keeps the safer reading, so a denial the condition mentions read as whole stays
# unsure with one of these.
HEDGED_DENIALS = [
    "not pregnant as far as I know",
    "No blood thinners or blood disorders that I know of",
    "afaik no",
    "not pregnant afaik",
    "pretty sure not",
    "fairly certain not",
    "99% sure no",
    "not to my knowledge",
    "Not to the best of my knowledge",
    "No, not as far as I'm aware",
    "nah not as far as I know mate",
    "none that I know of",
    "nothing I know of",
    "I'm not aware of any",
    "not that I've been told",
    "nope, not that I've noticed",
    "I doubt it",
    "doubt it",
    "I believe not",
    "I guess not",
    "i reckon not",
    "I think I'm not",
    "I'd say no",
    "shouldn't be",
    "last time I checked no",
    "haven't done a test but no",
    "not officially",
    "not knowingly",
    "hardly ever",
    "not usually",
]


@pytest.mark.parametrize("text", HEDGED_DENIALS)
def test_a_hedged_denial_is_unsure(text: str) -> None:
    assert parse_yes_no(text) == "unsure"
    assert is_hedged(text)


@pytest.mark.parametrize(
    ("text", "hedged"),
    [
        # for a reading of a whole message, whichever question it answers
        ("knee, and not pregnant as far as I know", True),
        ("calf. no blood thinners or blood disorders that I know of", True),
        ("knee, not pregnant yet, we're trying 🤞", True),
        ("knee, not pregnant", False),
        ("no blood thinners and no bleeding disorder", False),
        ("no doubt about it, I'm pregnant", False),
        ("I think so", False),
        # "i know" that starts a statement of its own is no "that I know of"
        ("no diabetes or anything like that, i know i pee loads but it's the tea", False),
        ("no diabetes that i know", True),
    ],
)
def test_is_hedged(text: str, hedged: bool) -> None:
    assert is_hedged(text) is hedged


# Trying to conceive: she may be pregnant without knowing it yet ("trying for a baby"
# is an uncertain pregnancy mention in clinic/vocabulary.yml); the two-week wait is
# the wait for the test. Not trying, or no longer trying, is no such doubt.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not pregnant yet, we're trying 🤞", "unsure"),
        ("not pregnant yet, we’re trying", "unsure"),
        ("no but we're trying", "unsure"),
        ("not yet, ttc", "unsure"),
        ("nope, TTC month 3", "unsure"),
        ("not pregnant, trying for a baby", "unsure"),
        ("no, in the two week wait", "unsure"),
        ("not yet 🤞", "unsure"),
        ("yes! been trying for 2 years", "yes"),
        ("not trying, not pregnant", CHECK),
        ("no I'm not trying to get pregnant", CHECK),
        ("no, we stopped trying", CHECK),
        ("no, trying to remember if I had a cold though", CHECK),
    ],
)
def test_trying_to_conceive_is_unsure(text: str, expected: str) -> None:
    assert parse_yes_no(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a litotes that says yes; the "no" in it is no denial (principle 3)
        ("I'd be lying if I said no 🙈", "yes"),
        ("I'd be lying if I said no", "yes"),
        ("id be lying if i told you no", "yes"),
        ("it would be a lie to say I'm not", "yes"),
        ("can't say no", "yes"),
        ("I can't honestly say I'm not", "yes"),
        ("can't deny it", "yes"),
        ("i wish i could say no 😩", "yes"),
        ("wish I could tell you no tbh", "yes"),
        ("i wish i could tell u no", "yes"),
        # its mirror image, and the ambiguous ones: unsure
        ("I'd be lying if I said yes", "unsure"),
        ("wouldn't say no", "unsure"),
        ("I wouldn't say no 😅", "unsure"),
        ("can't say no for sure", "unsure"),
        ("I'd be lying if I said no, maybe", "unsure"),
        ("couldn't tell you, no", "unsure"),
    ],
)
def test_litotes(text: str, expected: str) -> None:
    assert parse_yes_no(text) == expected


# The time to a race is no pregnancy stage, and beside a plain no it is still a plain no.
@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("nope! 8 weeks out from the London marathon though", "no"),
        ("no, marathon in 8 weeks", "no"),
        ("Nope. Race is 6 weeks away", "no"),
        ("no lol, 10 weeks to go till my first ultra", "no"),
        ("nah, 3 months out from Berlin marathon", "no"),
        # more than a no and a race: checked with the buttons, never a pregnancy
        ("nope! 8 weeks out from the London marathon though, hence the rush", CHECK),
        ("no, training for a half marathon in 12 weeks", CHECK),
        ("no, 8 weeks out from the marathon but I'm pregnant", CHECK),
    ],
)
def test_a_race_countdown_beside_a_no(text: str, answer: str) -> None:
    assert parse_yes_no(text) == answer
    assert parse_pregnancy_stage(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "8 weeks out from the London marathon",
        "8 weeks to go until my race",
        "12 weeks into marathon training",
        "on a 12 week marathon plan",
        "week 5 of my marathon plan",
        "week 3 of couch to 5k",
        "my first week back running",
        "the race is in 8 weeks",
    ],
)
def test_a_race_or_a_training_plan_is_no_stage(text: str) -> None:
    assert parse_pregnancy_stage(text) is None


@pytest.mark.parametrize("text", ["my period is a week late", "periods 10 days late"])
def test_how_late_a_period_is_is_no_stage(text: str) -> None:
    assert parse_pregnancy_stage(text) in (None, "unsure")


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # the pregnancy beside a race still counts
        ("20 weeks, marathon in 8 weeks", "20 weeks"),
        ("8 weeks pregnant, half marathon in 6 weeks", "8 weeks"),
        ("8 weeks pregnant training for a race", "8 weeks"),
        ("yes 20 weeks, it's my first week back running", "20 weeks"),
        ("week 3 of training, 20 weeks pregnant", "20 weeks"),
        # a comma or full stop keeps a stage a stage
        ("8 weeks, before the race I found out", "8 weeks"),
        ("pregnant with my 2nd, 8 weeks", "8 weeks"),
        # counting down to the baby is not a race
        ("26 weeks to go until baby arrives", "26 weeks to go"),
    ],
)
def test_a_pregnancy_beside_a_race_keeps_its_stage(text: str, stage: str) -> None:
    assert parse_pregnancy_stage(text) == stage


@pytest.mark.parametrize(
    "text",
    ["me? pregnant? not since 2019 😂", "me? pregnant? not since 2019 😂 my youngest is 6"],
)
def test_not_since_a_past_year_is_no_yes(text: str) -> None:
    # a denial with more than a no: checked with the buttons, not read as pregnant
    assert parse_yes_no(text) == CHECK
    assert parse_pregnancy_stage(text) is None


# "13+6" is 13 weeks and 6 days; the 14th week is 13 completed weeks; with several
# stages the earliest counts, and rounding up ("so basically 14") is no correction.
OBSTETRIC_STAGES = [
    ("yes, 13+6 today so basically 14 weeks", "13 weeks", True),
    ("13+6", "13 weeks", True),
    ("13 + 6", "13 weeks", True),
    ("13+6d", "13 weeks", True),
    ("13w6d", "13 weeks", True),
    ("13w+6d", "13 weeks", True),
    ("13 weeks + 6 days", "13 weeks", True),
    ("13+6, so actually 14 weeks", "13 weeks", True),
    ("12+3", "12 weeks", True),
    ("14+0", "14 weeks", False),
    ("20+2 today", "20 weeks", False),
    ("14/40", "14 weeks", False),
    ("13+6/40", "13 weeks", True),
    ("yes, in my 14th week now", "13 weeks", True),
    ("in my fourteenth week", "13 weeks", True),
    ("I'm in my 13th week", "12 weeks", True),
    ("in my 14th week of pregnancy", "13 weeks", True),
    ("15th week", "14 weeks", False),
    ("first week", "up to 1 week", True),
    ("in my fourth month", "3 to 4 months", None),
    ("3rd month", "2 to 3 months", True),
    ("6th month", "5 to 6 months", False),
    # "week 14" may be the 14th week (13 completed) or 14 weeks: not clearly past
    ("week 14", "13 to 14 weeks", None),
    ("week 11 of 40 😅", "10 to 11 weeks", True),
    ("week 20", "19 to 20 weeks", False),
    # the safe readings stay as they were
    ("yes, 14 weeks", "14 weeks", False),
    ("14 weeks", "14 weeks", False),
    ("yes, 8 weeks", "8 weeks", True),
    ("15 weeks, sorry, 11", "11 weeks", True),
    ("13+6, sorry, 12+6", "12 weeks", True),
]


@pytest.mark.parametrize(("text", "stage", "early"), OBSTETRIC_STAGES)
def test_obstetric_notation_and_ordinal_weeks(text: str, stage: str, early: bool | None) -> None:
    assert parse_pregnancy_stage(text) == stage
    assert pregnancy_in_first_months(stage, load_screening()) is early


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # the plain answers stay plain
        ("no", "no"),
        ("nope", "no"),
        ("No!", "no"),
        ("no thanks", "no"),
        ("not at all", "no"),
        ("yes", "yes"),
        ("I think so", "yes"),
        ("yes, 14 weeks", "yes"),
        ("no doubt about it, I'm pregnant", CHECK),  # the mention makes it a yes
        ("not since 2019", CHECK),
        ("nope, not since my youngest in 2019", CHECK),
    ],
)
def test_clean_answers_stay_as_they_were(text: str, answer: str) -> None:
    assert parse_yes_no(text) == answer


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
    # under the summary, "go ahead" confirms (at a question it answers nothing)
    ("yes go ahead", "yes"),
    ("sure, go for it", "yes"),
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
        # agreeing to the questions says nothing about the runner
        ("ugh fine, go on then", False),
        ("ok ok, fire away", False),
        ("whatever, just get on with it", False),
        ("go on then, I'm 9 weeks gone", True),
        ("go ahead, though my sugars are all over the place", True),
        ("fine, ask your questions then", False),
    ],
)
def test_an_unread_answer_that_still_says_something(text: str, says_something: bool) -> None:
    # a "no" after such a message is doubted (actions/validate_screening_form.py)
    assert states_something(text) is says_something


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # hedges of the answer (breaking the seventh look)
        ("not pregnant, hopefully 😅", "unsure"),
        ("no blood disorders or blood thinners, I reckon", "unsure"),
        ("not pregnant, my period's a week late but that's just the mileage", "unsure"),
        ("No! Pretty sure not.", "unsure"),
        # a hedge about something else, later in the message, is no hedge of the answer
        ("nope, no infection. meant to be sunny all week as far as I know", "check"),
        ("no. pretty sure you treated my sister last year, she swears by you", "check"),
        ("no, I usually run about 40 miles a week if that matters", "check"),
        # a describing "a bit" after a comma and a new subject that is not the runner
        ("no infection either, its a bit tender after the hill reps", "check"),
        ("no, I've been a bit off colour this week", "unsure"),
        ("no, its a bit", "unsure"),
        # a hedge proper ("as far as I know") anywhere in the answer's sentence still counts
        ("no infection, the doctor said it was fine as far as I know", "unsure"),
    ],
)
def test_hedges_belong_to_the_answer(text: str, expected: str) -> None:
    assert parse_yes_no(text) == expected


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # a stage still to come: today's is earlier (breaking the seventh look)
        ("14 weeks tomorrow 🤰", "12 to 14 weeks"),
        ("I'll be 14 weeks by race day, it's in a fortnight", "12 to 14 weeks"),
        ("20 weeks next week", "18 to 20 weeks"),
        # the race's date is not the stage's
        ("8 weeks pregnant, half marathon in 6 weeks", "8 weeks"),
    ],
)
def test_a_stage_still_to_come_is_read_earlier(text: str, stage: str) -> None:
    assert parse_pregnancy_stage(text) == stage


# A trimester still to come is the one before it; a stage corrected without its unit
@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("second trimester starts on monday!", "trimester 1"),
        ("I start my 2nd trimester next week", "trimester 1"),
        ("in my second trimester", "trimester 2"),
        ("wait, 14 weeks is race week, I'm 10 now", "10 weeks"),
        # an earlier baby's birth is not this pregnancy's stage: asked again
        ("yes, baby two! my eldest was born at 32 weeks so they're watching me", None),
        ("yes, 9 weeks, my first came at 38 weeks", "9 weeks"),
    ],
)
def test_a_stage_still_to_come_or_corrected(text: str, stage: str | None) -> None:
    assert parse_pregnancy_stage(text) == stage


# How a body part feels is no doubt about the answer ("arm's a bit stiff" after a jab)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, had my flu jab monday, arm's a bit stiff but that's it", CHECK),
        ("no, legs a little sore from the hills but nothing else", CHECK),
        ("no. a bit", "unsure"),
        ("no, a bit of a temperature", "unsure"),
    ],
)
def test_a_body_part_that_feels_a_bit_stiff_is_no_hedge(text: str, expected: str) -> None:
    assert parse_yes_no(text) == expected
