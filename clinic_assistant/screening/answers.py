"""Reading screening answers from free text and from button payloads.

Table-driven and conservative: anything that is not clearly a yes, a no or a
"not sure" returns None, so the assistant explains and asks again instead of
guessing. Uncertainty wins over yes/no ("I think not, not sure").
"""

from __future__ import annotations

import re
from typing import Iterable

from clinic_assistant.screening.rules import NO, UNSURE, YES

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "a": 1, "an": 1, "half": 0.5,
}  # fmt: skip
_ORDINALS = {"first": "1", "1st": "1", "second": "2", "2nd": "2", "third": "3", "3rd": "3",
             "one": "1", "two": "2", "three": "3", "1": "1", "2": "2", "3": "3"}  # fmt: skip

UNSURE_PHRASES = (
    "not sure", "unsure", "don't know", "dont know", "do not know", "dunno", "idk",
    "no idea", "maybe", "possibly", "perhaps", "not certain", "uncertain", "can't remember",
    "cant remember", "cannot remember", "don't remember", "dont remember", "no clue",
    "might be", "might have", "could be", "hard to say", "not 100%", "not a 100%", "unclear",
    "no sure", "not shure", "not sur", "don't no", "dont no", "i think maybe", "who knows",
    "possible", "probably", "likely", "i wish i knew", "rather not say", "prefer not to say",
    "rather not answer", "prefer not to answer",
)  # fmt: skip
NO_PHRASES = (
    "no", "n", "nope", "nah", "naw", "nay", "no way", "not at all", "never", "negative",
    "not that i know of", "not that i am aware of", "not that i'm aware of", "not as far as i know",
    "i don't think so", "i dont think so", "don't think so", "dont think so", "i do not think so",
    "definitely not", "certainly not", "absolutely not", "of course not", "not really",
    "none", "nothing", "nothing like that", "none of those", "none of them", "none of that",
    "i'm not", "im not", "i am not", "no i'm not", "no im not", "no i am not", "i don't",
    "i dont", "i do not", "no i don't", "no i dont", "no i do not", "i haven't", "i havent",
    "i have not", "nope not me", "not me", "no thanks", "no thank you", "thankfully not",
    "luckily not", "fortunately not", "no sir", "nein", "non", "noo", "nooo", "no no",
    "not anymore", "not any more", "no longer", "i wish", "all good", "all fine", "i'm fine",
    "im fine", "i am fine", "i'm healthy", "im healthy", "i am healthy", "healthy", "nop", "nopes",
    "no not at all", "not right now", "not at the moment", "not currently", "no never",
)  # fmt: skip
YES_PHRASES = (
    "yes", "y", "yeah", "yea", "yep", "yup", "ya", "yah", "ye", "yess", "yes yes", "sure",
    "i think so", "i believe so", "i guess so", "i am", "i'm", "im", "i do", "i have", "i did",
    "correct", "that's right", "thats right", "right", "affirmative", "indeed", "of course",
    "definitely", "absolutely", "certainly", "unfortunately yes", "unfortunately",
    "sadly yes", "sadly", "afraid so", "i'm afraid so", "im afraid so", "i am afraid so",
    "yes i am", "yes i do", "yes i have", "yes im", "yes i'm", "yeah i am", "yeah i do",
    "yep i am", "yep i do", "true", "that's true", "ok yes", "yes unfortunately", "i sure am",
    "i sure do", "si", "ja", "oui", "aye", "yas", "yesss", "currently yes", "at the moment yes",
    "yeh", "yse", "yesh",
)  # fmt: skip
CONFIRM_PHRASES = ("yes that's right", "that's right", "thats right", "all correct", "correct",
                   "looks good", "looks right", "all good", "that is right", "that's correct",
                   "yes correct", "perfect", "spot on", "confirm", "confirmed")  # fmt: skip
CHANGE_PHRASES = ("change", "wrong", "incorrect", "not right", "mistake", "edit", "fix",
                  "correct an answer", "update", "to correct", "correction")  # fmt: skip
# the yes/no/unsure buttons send these payloads
BUTTON_INTENTS = {"/affirm": YES, "/deny": NO, "/unsure": UNSURE}
# a message starting with one of these is a question, never an answer
QUESTION_WORDS = {
    "what", "what's", "whats", "why", "how", "when", "where", "who", "which", "whose", "is",
    "isn't", "isnt", "are", "aren't", "am", "does", "doesn't", "do", "did", "can", "could",
    "should", "would", "will", "shall", "may", "huh", "pardon",
}  # fmt: skip
# after a "no", these make the answer unclear: "no, but I take aspirin", "no, just a cold"
CONTRAST_PHRASES = ("but", "except", "apart from", "although", "though", "however", "only",
                    "just", "besides", "other than")  # fmt: skip
_AFFIRMED = re.compile(
    r"(?<!that )\b(?:i (?:do|have|had|take|use|am on|got)|i'm on|im on|i've (?:got|had)"
    r"|ive (?:got|had))\b"
    r"(?! (?:not|never|no|none|any|nothing)\b)(?!$)"
)
_EMOJI = {"👍": " yes ", "👌": " yes ", "✅": " yes ", "👎": " no ", "❌": " no ",
          "🤷": " not sure "}  # fmt: skip


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("`", "'")
    text = re.sub(r"(?<=\d)[.,](?=\d)", ".", text)  # keep "6.5", drop other dots
    text = re.sub(r"[^\w'%\s.]|\.(?!\d)|(?<!\d)\.", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _contains_phrase(text: str, phrases: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", text) for p in phrases)


def parse_yes_no(text: str) -> str | None:
    """yes / no / unsure, or None when the text is not a clear answer."""
    raw = text.strip().lower()
    if raw in BUTTON_INTENTS:
        return BUTTON_INTENTS[raw]
    for emoji, word in _EMOJI.items():
        text = text.replace(emoji, word)
    clean = normalise(text)
    if not clean:
        return None
    if clean.split()[0] in QUESTION_WORDS and not clean.startswith(("could be", "who knows")):
        return None  # "why do you ask", "is aspirin a blood thinner?"
    if _contains_phrase(clean, UNSURE_PHRASES):
        return UNSURE
    if clean in NO_PHRASES:
        return NO
    if clean in YES_PHRASES:
        return YES
    words = clean.split()
    first = words[0]
    # "no, I've never had that", "yes I take aspirin": the leading word decides,
    # unless the rest contradicts it ("yes no")
    leading_no = first in {"no", "nope", "nah", "n", "never", "none", "negative", "nop"}
    leading_yes = first in {"yes", "yeah", "yep", "yup", "ya", "yea", "y", "sure", "definitely"}
    rest = " ".join(words[1:])
    # "no, but I take aspirin", "no I have a cold": not a clear no
    qualified_no = _contains_phrase(rest, CONTRAST_PHRASES) or bool(_AFFIRMED.search(rest))
    if leading_no and not _contains_phrase(rest, ("yes", "yeah", "yep")):
        return None if qualified_no else NO
    if leading_yes and not _contains_phrase(rest, ("no", "nope", "not", "never")):
        return YES
    if _contains_phrase(clean, NO_PHRASES[7:]) or re.search(r"\b(not|n't|never)\b", clean):
        return None if qualified_no else NO
    if (
        re.match(r"^(i|i'm|im|i am|i've|ive)\b", clean)
        and len(words) <= 8
        and not re.search(r"\bquestions?\b", clean)
    ):
        return YES  # "I have haemophilia", "I'm on warfarin"
    return None


_NUMBER_WORDS = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_DURATION = re.compile(
    rf"(?<![\w.])(?:(?P<digits>\d+(?:\.\d+)?)\s*|(?P<word>{_NUMBER_WORDS})\s+)"
    r"(?P<half>and a half\s+)?"
    r"(?P<unit>weeks?|wks?|w|months?|mths?|mnths?|mos?)\b"
)
_TRIMESTER = re.compile(
    r"\b(?P<which>first|1st|second|2nd|third|3rd|one|two|three|[123])\s*(?:trimester|tri)\b|\btrimester\s*(?P<which2>one|two|three|[123])\b"
)
_UNIT = r"(?:weeks?|wks?|w|months?|mths?|mnths?|mos?)\b"
_NUMBER = rf"(?:\d+(?:\.\d+)?|{_NUMBER_WORDS})"
# "past the first trimester" is the second one
_PAST_FIRST_TRIMESTER = re.compile(
    r"\b(?:past|after|beyond|more than|over|out of) (?:the|my) first (?:trimester|tri)\b"
)
_THREE_MONTHS = re.compile(r"(?<![\w.])(?:3|three) (?:months?|mths?|mnths?|mos?)\b")
# how long the complaint has lasted is not the pregnancy stage: "calf pain for 2 months",
# "since 3 weeks", "6 weeks ago" (but "pregnant for 10 weeks" is)
_COMPLAINT_DURATION = re.compile(
    r"(?<!pregnant )\b(?:for|since)"
    rf"(?:\s+(?:the|last|past|about|around|almost|nearly|over|a|few|couple|of|and|half|{_NUMBER}))+"
    rf"\s*{_UNIT}|{_NUMBER}\s*{_UNIT}\s+ago\b"
)
# "12-14 weeks", "between 12 and 14 weeks": the earliest week counts (the safe side)
_RANGE = re.compile(
    rf"(?<![\w.])(?P<low>\d+(?:\.\d+)?)\s*(?:to|or|and|\s)\s*\d+(?:\.\d+)?(?=\s*{_UNIT})"
    rf"|(?<![\w.])(?P<lowword>{_NUMBER_WORDS}) (?:to|or) (?:{_NUMBER_WORDS})(?=\s+{_UNIT})"
)
_COMPOUND = re.compile(r"\b(twenty|thirty) (one|two|three|four|five|six|seven|eight|nine)\b")
# "less than 20 weeks" could be any week up to 20: no single stage, so ask again
_UPPER_BOUND = re.compile(
    r"\b(?:up to|less than|under|below|within|fewer than|not yet|no more than|not more than|"
    r"at most|before)\s+(?:the\s+)?(?:first\s+)?(?:about\s+|around\s+)?$"
)


def parse_pregnancy_stage(text: str) -> str | None:
    """A normalised stage ("8 weeks", "2 months", "trimester 2"), "unsure", or None."""
    clean = normalise(re.sub(r"\s*(?:½|\b1/2\b)", " and a half", text))
    clean = _COMPLAINT_DURATION.sub(" ", clean)
    clean = _COMPOUND.sub(lambda m: str(_WORD_NUMBERS[m[1]] + _WORD_NUMBERS[m[2]]), clean)
    clean = _RANGE.sub(lambda m: m["low"] or m["lowword"], clean)
    if _PAST_FIRST_TRIMESTER.search(clean):
        return "trimester 2"
    trimester = _TRIMESTER.search(clean)
    if trimester:
        which = trimester.group("which") or trimester.group("which2")
        return f"trimester {_ORDINALS[which]}"
    three_months = _THREE_MONTHS.search(clean)
    if three_months and re.search(
        r"\b(up to|less than|under|within|in the first|not yet|no more than|not more than"
        r"|just found out|early)\b",
        clean,
    ):
        return "up to 3 months"
    if three_months and re.search(r"\b(more than|over|past|beyond|after)\b", clean):
        return "more than 3 months"
    duration = _DURATION.search(clean)
    if duration:
        if _UPPER_BOUND.search(clean[: duration.start()]):
            return None
        amount = float(duration.group("digits") or _WORD_NUMBERS[duration.group("word")])
        amount += 0.5 if duration.group("half") else 0
        unit = "weeks" if duration.group("unit").startswith("w") else "months"
        if not 0 < amount <= (42 if unit == "weeks" else 10):
            return None  # not a plausible pregnancy stage: ask again
        return f"{amount:g} {unit if amount != 1 else unit[:-1]}"
    if re.search(r"\b(just found out|very early|only just|early days)\b", clean):
        return "up to 3 months"
    if parse_yes_no(text) == UNSURE:
        return UNSURE
    return None


def parse_confirmation(text: str) -> str | None:
    """yes (answers are right), no (something to change), or None."""
    clean = normalise(text)
    if _contains_phrase(clean, CHANGE_PHRASES):
        return NO
    if clean in (normalise(p) for p in CONFIRM_PHRASES):
        return YES
    answer = parse_yes_no(text)
    return answer if answer in (YES, NO) else None
