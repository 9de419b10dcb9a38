"""Reading screening answers from free text and from button payloads.

Table-driven and conservative: anything that is not clearly a yes, a no or a
"not sure" returns None, so the assistant explains and asks again instead of
guessing. Uncertainty wins over yes/no ("I think not, not sure").
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

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
    "possible", "probably", "likely",
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
)  # fmt: skip
CONFIRM_PHRASES = ("yes that's right", "that's right", "thats right", "all correct", "correct",
                   "looks good", "looks right", "all good", "that is right", "that's correct",
                   "yes correct", "perfect", "spot on", "confirm", "confirmed")  # fmt: skip
CHANGE_PHRASES = ("change", "wrong", "incorrect", "not right", "mistake", "edit", "fix",
                  "correct an answer", "update")  # fmt: skip
# the yes/no/unsure buttons send these payloads
BUTTON_INTENTS = {"/affirm": YES, "/deny": NO, "/unsure": UNSURE}


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("`", "'")
    text = re.sub(r"(?<=\d)[.,](?=\d)", ".", text)  # keep "6.5", drop other dots
    text = re.sub(r"[^\w'%\s.]|\.(?!\d)|(?<!\d)\.", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _contains_phrase(text: str, phrases: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![\w']){re.escape(p)}(?![\w'])", text) for p in phrases)


def parse_yes_no(text: str) -> Optional[str]:
    """yes / no / unsure, or None when the text is not a clear answer."""
    raw = text.strip().lower()
    if raw in BUTTON_INTENTS:
        return BUTTON_INTENTS[raw]
    clean = normalise(text)
    if not clean:
        return None
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
    if leading_no and not _contains_phrase(rest, ("yes", "yeah", "yep")):
        return NO
    if leading_yes and not _contains_phrase(rest, ("no", "nope", "not", "never")):
        return YES
    if _contains_phrase(clean, NO_PHRASES[7:]) or re.search(r"\b(not|n't|never)\b", clean):
        return NO
    if re.match(r"^(i|i'm|im|i am|i've|ive)\b", clean) and len(words) <= 8:
        return YES  # "I have haemophilia", "I'm on warfarin"
    return None


_NUMBER_WORDS = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_DURATION = re.compile(
    rf"(?<![\w.])(?:(?P<digits>\d+(?:\.\d+)?)\s*|(?P<word>{_NUMBER_WORDS})\s+)"
    r"(?P<half>and a half\s+)?"
    r"(?P<unit>weeks?|wks?|w|months?|mths?|mnths?|mos?)\b"
)
_TRIMESTER = re.compile(r"\b(?P<which>first|1st|second|2nd|third|3rd|one|two|three|[123])\s*(?:trimester|tri)\b|\btrimester\s*(?P<which2>one|two|three|[123])\b")


def parse_pregnancy_stage(text: str) -> Optional[str]:
    """A normalised stage ("8 weeks", "2 months", "trimester 2"), "unsure", or None."""
    clean = normalise(text.replace("½", " and a half"))
    trimester = _TRIMESTER.search(clean)
    if trimester:
        which = trimester.group("which") or trimester.group("which2")
        return f"trimester {_ORDINALS[which]}"
    if re.search(r"\b(up to|less than|under|within|in the first|not yet|just found out|early)\b", clean) and "3 months" in clean.replace("three", "3"):
        return "up to 3 months"
    if re.search(r"\b(more than|over|past|beyond|after)\b", clean) and "3 months" in clean.replace("three", "3"):
        return "more than 3 months"
    duration = _DURATION.search(clean)
    if duration:
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


def parse_confirmation(text: str) -> Optional[str]:
    """yes (answers are right), no (something to change), or None."""
    clean = normalise(text)
    if _contains_phrase(clean, CHANGE_PHRASES):
        return NO
    if clean in (normalise(p) for p in CONFIRM_PHRASES):
        return YES
    answer = parse_yes_no(text)
    return answer if answer in (YES, NO) else None
