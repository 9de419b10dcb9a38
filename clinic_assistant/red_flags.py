"""Red flags: symptoms that need a doctor, matched from clinic/red_flags.yml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Match, Pattern, Sequence, Tuple

import yaml

from clinic_assistant import clinic_data_dir
from clinic_assistant.nlp.sentences import sentences

_SUBJECT = r"(?:i|i'm|im|i've|ive|my|it|it's|its|we|she|he|they|you)"
# A cue negates what follows up to 20 characters later, within its clause: not
# across "but" or "and my ...", and not when it is an interjection ("no I have
# chest pain") or uncertainty ("not sure if it's chest pain").
_NEGATION = re.compile(
    r"\b(?:no|not|never|without|n't|dont|don't|didn't|didnt|haven't|havent|isn't|isnt|"
    r"wasn't|wasnt|aren't|arent|doesn't|doesnt|ruled out|excluded)\b"
    rf"(?!\s+(?:{_SUBJECT}|sure|certain|know)\b)"
    r"(?:(?!\s(?:but|however|although|though|yet|except|whereas|while)\b"
    rf"|\s(?:and|or)\s+{_SUBJECT}\b)[\w\s']){{0,20}}$"
)


@dataclass(frozen=True)
class HarmlessCause:
    """A harmless cause of some signs (clinic/red_flags.yml `harmless_causes`): sweat in
    the eye for sight that went blurry, bicep curls for an arm that felt dead."""

    causes: Tuple[Pattern[str], ...]
    # the sign's own words name one of these parts ("arm", "eye"), or any sign when None
    parts: Pattern[str] | None = None


@dataclass(frozen=True)
class RedFlag:
    id: str
    severity: str  # "emergency" or "doctor"
    advice: str
    name: str  # short, for the check question after a denial ("chest pain")
    groups: Tuple[Tuple[Pattern[str], ...], ...]
    signs: Tuple[Pattern[str], ...] = ()
    min_signs: int = 0
    # said the other way round: "I can bear weight fine" names the flag to deny it
    reassurances: Tuple[Pattern[str], ...] = ()
    # what explains the signs harmlessly: a racing heart and feeling faint at the
    # sight of a needle is the fear of needles, not a heart rhythm problem
    explained_by: Tuple[Pattern[str], ...] = ()
    # a sign's own harmless causes, named near it in its sentence ("sweat in my eye so I
    # couldn't see out of my left eye"): that mention of the sign is not read
    excuses: Tuple[Tuple[Pattern[str], Tuple[HarmlessCause, ...]], ...] = ()

    def _excuses(self, pattern: Pattern[str]) -> Tuple[HarmlessCause, ...]:
        return next((causes for p, causes in self.excuses if p is pattern), ())

    def matches(self, text: str) -> bool:
        if self.explained_by:
            # only the sentences the harmless cause explains: "my heart raced and I felt
            # dizzy on the hill reps. also I'm terrified of needles" is still the flag, and
            # so is a cause that is denied ("it wasn't freezing, my fingertips just went blue")
            text = " . ".join(
                sentence
                for sentence in sentences(text)
                if not any(_affirmed(p, sentence) for p in self.explained_by)
            )
        groups_match = all(
            any(_affirmed(p, text, self._excuses(p)) for p in group) for group in self.groups
        )
        signs_found = sum(1 for sign in self.signs if _affirmed(sign, text))
        return groups_match and signs_found >= self.min_signs

    def partly_named(self, text: str) -> bool:
        """A sign of it named: its signs, or a group after the first (the first names
        where or when: the calf, the joint, the run)."""
        return any(p.search(text) for p in (*self.signs, *(p for g in self.groups[1:] for p in g)))

    def mentioned(self, text: str) -> bool:
        """Named at all, even denied: "no chest pain" mentions chest pain. A flag of
        several signs is named by part of it too: "calf isn't swollen" (one sign), or
        "not swollen or hot" (the signs without the calf)."""
        if any(p.search(text) for p in self.reassurances):
            return True
        named = all(any(p.search(text) for p in group) for group in self.groups)
        signs = sum(1 for sign in self.signs if sign.search(text))
        if self.min_signs:
            return (named and signs >= 1) or signs >= self.min_signs
        return named


# "chest pain? nope", "chest pain - no": denied right after it is named
_DENIED_AFTER = re.compile(
    r"\s*[?:=\-–—]*\s*(?:no|nope|nah|none|never|not really|(?:was |has been |been )?ruled out)\b"
)


# "no chest pain or anything... well a bit when I climb stairs": the denial is
# taken back straight after (safety principle 5: a false alarm before a missed one)
_CONCEDED_AFTER = re.compile(
    r"(?:\s*(?:or anything|or owt|or whatever|really|as such|at all|as far as i know))?"
    r"\s*(?:\.\.+|…|[,;:!-])*\s*(?:(?:well|ok|okay|actually|hmm|erm|um|i mean|then again)"
    r"\s*(?:\.\.+|…|,)*\s*)?"
    r"(?:a bit|a little|a wee bit|sometimes|occasionally|now and then|now and again"
    r"|only when|except when|apart from when|unless|kind of|kinda|sort of|maybe|not really)\b"
)


def _affirmed(pattern: Pattern[str], text: str, excuses: Tuple[HarmlessCause, ...] = ()) -> bool:
    """True when the pattern occurs at least once without a negation just before
    it or a denial straight after it, or with a denial it takes back at once, and
    without one of its harmless causes named near it in the same sentence."""
    return any(
        (
            (not _NEGATION.search(text[: m.start()]) and not _DENIED_AFTER.match(text[m.end() :]))
            or _CONCEDED_AFTER.match(text[m.end() :]) is not None
        )
        and not _excused(m, text, excuses)
        for m in pattern.finditer(text)
    )


_SENTENCE_END = re.compile(r"[.!?\n…]")
# a harmless cause counts this far from the sign, in words, before it or after it
_CAUSE_BEFORE_WORDS = 12
_CAUSE_AFTER_WORDS = 10
# the runner says there was no cause: nothing near it explains the sign
_NO_CAUSE = re.compile(
    r"\b(?:out of nowhere|out of the blue|for no (?:\w+ )?reason|no (?:idea|clue) why|"
    r"(?:don'?t|do not|didn'?t|did not) know why|randomly|at random|without (?:any )?warning|"
    r"no (?:obvious |apparent |real )?(?:reason|cause|trigger))\b"
)
# a cause denied or doubted in the words just before it: "not from sleeping on it", "it
# wasn't the sweat", "I hadn't slept on it", "can't have been the cold", "nothing to do
# with the gym", "not sure if it was the curls"; a sign's own "couldn't" or "wouldn't"
# denies no cause ("my fingers wouldn't work in the cold")
_CAUSE_DENIED = re.compile(
    r"\b(?:(?:no|not|never|nothing to do with|unrelated to|rather than|instead of|without|"
    r"(?:was|were|is|are|had|has|have|did|do|does)(?:n't|nt))"
    r"(?: (?:it|that|this))?(?: (?:have|has|had))?(?: (?:been|be|was|were|is))?"
    r"(?: (?:because of|due to|down to|caused by|related to|from|after|by))?(?: [\w']+){0,2}"
    r"|(?:can't|cant|cannot|can not|couldn't|couldnt|could not|won't|wouldn't|wouldnt)"
    r"(?: (?:have been|be|been))(?: (?:because of|due to|down to|caused by|from))?(?: [\w']+){0,2}"
    r"|(?:(?:not|never) (?:sure|certain)|no idea|dunno|(?:don't|dont|do not|didn't|didnt) "
    r"(?:know|think)|doubt\w*)(?: [\w']+){0,5}) $"
)


_WORD = re.compile(r"[\w']+")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _excused(sign: Match[str], text: str, excuses: Tuple[HarmlessCause, ...]) -> bool:
    """The sign has one of its harmless causes, not denied, in its own sentence and
    near it, before or after it ("sweat in my eye so I couldn't see out of my left eye",
    "my left arm felt dead after all the bicep curls"); never when the sentence says
    there was no cause ("out of nowhere")."""
    if not excuses:
        return False
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, sign.start())), default=0)
    end_match = _SENTENCE_END.search(text, sign.end())
    end = end_match.start() if end_match else len(text)
    if _NO_CAUSE.search(text, start, end):
        return False
    # where a cause near enough can be (a cause has a few words of its own)
    before = [m.start() for m in _WORD.finditer(text, start, sign.start())]
    after = [m.end() for m in _WORD.finditer(text, sign.end(), end)]
    low = before[-(_CAUSE_BEFORE_WORDS + 8)] if len(before) > _CAUSE_BEFORE_WORDS + 8 else start
    high = after[_CAUSE_AFTER_WORDS + 8] if len(after) > _CAUSE_AFTER_WORDS + 8 else end
    for excuse in excuses:
        if excuse.parts is not None and not excuse.parts.search(sign.group(0)):
            continue
        for pattern in excuse.causes:
            for cause in pattern.finditer(text, low, high):
                if cause.end() <= sign.start():  # before the sign
                    if _words(text[cause.end() : sign.start()]) > _CAUSE_BEFORE_WORDS:
                        continue
                    said_before = text[start : cause.start()]
                elif cause.start() >= sign.end():  # after it
                    if _words(text[sign.end() : cause.start()]) > _CAUSE_AFTER_WORDS:
                        continue
                    # read from the sign's end: its own "couldn't see" denies no cause
                    said_before = text[sign.end() : cause.start()]
                else:  # within the sign's own words
                    said_before = text[sign.start() : cause.start()]
                if _CAUSE_DENIED.search(_words_only(said_before)):
                    continue
                if _DENIED_AFTER.match(text[cause.end() : end]):
                    continue
                return True
    return False


_CLAUSE_BREAK = re.compile(
    r"[,;:()\-–—]|\b(?:but|just|only|although|though|however|whereas|anyway)\b"
)


def _words_only(text: str) -> str:
    """The words of the last clause, one space apart and ending in a space: what
    _CAUSE_DENIED reads ("no injury, just sweat in my eye": the sweat is not denied)."""
    clause = _CLAUSE_BREAK.split(text)[-1]
    return " ".join(re.findall(r"[\w']+", clause)) + " "


def _compile(expression: str) -> Pattern[str]:
    return re.compile(rf"(?<![\w]){expression}(?![\w])")


@lru_cache(maxsize=2)
def _load_file(path: str | None = None) -> dict:
    with open(path or clinic_data_dir() / "red_flags.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_question_template(path: str | None = None) -> str:
    return _load_file(path)["check_question"]


def alarm_message(flags: Sequence[RedFlag], facts: Dict[str, str], path: str | None = None) -> str:
    """The urgent advice for the flags found (clinic/red_flags.yml `alarm`); with
    no flag recognised (the classifier's own verdict), the emergency advice."""
    raw = _load_file(path)
    urgent = not flags or any(flag.severity == "emergency" for flag in flags)
    next_step = raw["next_step"]["emergency" if urgent else "doctor"].format(**facts)
    advice = " ".join(flag.advice for flag in flags)
    return " ".join(raw["alarm"].format(advice=advice, next_step=next_step, **facts).split())


def _load_flag(flag_id: str, spec: Dict[str, Any]) -> RedFlag:
    """One flag. A sign in `all` is a regular expression, or {match: expression,
    unless: [names of the flag's harmless_causes]}."""
    harmless = {
        name: HarmlessCause(
            causes=tuple(_compile(p) for p in cause["causes"]),
            parts=_compile(cause["parts"]) if cause.get("parts") else None,
        )
        for name, cause in (spec.get("harmless_causes") or {}).items()
    }
    groups: List[Tuple[Pattern[str], ...]] = []
    excuses: List[Tuple[Pattern[str], Tuple[HarmlessCause, ...]]] = []
    for group in spec.get("all", []):
        patterns = []
        for sign in group:
            if isinstance(sign, dict):
                pattern = _compile(sign["match"])
                excuses.append((pattern, tuple(harmless[name] for name in sign["unless"])))
            else:
                pattern = _compile(sign)
            patterns.append(pattern)
        groups.append(tuple(patterns))
    return RedFlag(
        id=flag_id,
        severity=spec["severity"],
        advice=spec["advice"],
        name=spec["name"],
        groups=tuple(groups),
        signs=tuple(_compile(p) for p in spec.get("signs", [])),
        min_signs=int(spec.get("min_signs", 0)),
        reassurances=tuple(_compile(p) for p in spec.get("reassurances", [])),
        explained_by=tuple(_compile(p) for p in spec.get("explained_by", [])),
        excuses=tuple(excuses),
    )


@lru_cache(maxsize=2)
def load_red_flags(path: str | None = None) -> Tuple[RedFlag, ...]:
    return tuple(_load_flag(flag_id, spec) for flag_id, spec in _load_file(path)["flags"].items())


def _hashtag_words(tag: str) -> str:
    """A hashtag's words: "chest_pain" is "chest pain", "heartracing" is "heart racing"
    (the fewest dictionary words, the longest first on a tie: not "hear tracing"); a tag
    it cannot split stays as it is ("chestpain" is matched as written as well)."""
    if "_" in tag:
        return tag.replace("_", " ")
    from clinic_assistant.nlp.typos import is_english_word  # the dictionaries, loaded once

    tag = tag.lower()
    best: List[List[str] | None] = [[]] + [None] * len(tag)
    for end in range(1, len(tag) + 1):
        for start in range(end):
            word, before = tag[start:end], best[start]
            if before is None or not (len(word) >= 2 or word in ("a", "i")):
                continue
            if not is_english_word(word):
                continue
            candidate = before + [word]
            current = best[end]
            if current is None or (len(candidate), [-len(w) for w in candidate]) < (
                len(current),
                [-len(w) for w in current],
            ):
                best[end] = candidate
    words = best[len(tag)]
    return " ".join(words) if words and len(words) > 1 else tag


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    # a hashtag's words: "#chest_pain" is "chest pain", "#chestpain" is "chestpain" (and
    # "no #chestpain" a denial like any other)
    text = re.sub(r"#(\w+)", lambda m: _hashtag_words(m.group(1)), text)
    return re.sub(r"\s+", " ", text).strip()


# The screening's own yes/no questions pasted back with a plain "no" to each ("Are you
# pregnant at the moment? N"): the condition words in them are the assistant's, not the
# runner's. The answer must be a whole "no" that ends its line (or meets the next question).
_PLAIN_NO = re.compile(
    r"[\s?:.,;)\]>=*\-–—]*(?:n|no|nope|nah|none|never)(?:[ \t]*[.!]*[ \t]*\n|[\s.,;!]*$)"
)
_QUESTION_IN_TEXT = re.compile(r"[^.?!:]+\?")


@lru_cache(maxsize=4)
def _own_questions(path: str) -> Tuple[Pattern[str], ...]:
    """The yes/no questions the screening asks (clinic/screening.yml: `ask` and the
    re-ask in `unclear`), as patterns that allow other spaces and punctuation."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    wordings = {
        question.strip()
        for spec in raw.get("questions", [])
        if spec.get("kind") == "yes_no"
        for text in (spec.get("ask", ""), spec.get("unclear", ""))
        for question in _QUESTION_IN_TEXT.findall(text)
        if "{" not in question
    }
    patterns = []
    for wording in sorted(wordings):
        words = re.findall(r"[\w']+", normalise(wording))
        if len(words) >= 3:
            patterns.append(
                re.compile(r"(?<![\w'])" + r"[^\w']+".join(map(re.escape, words)) + r"(?![\w'])")
            )
    return tuple(patterns)


def without_own_questions(text: str) -> str:
    """The message without the assistant's own questions, when it repeats them and
    answers every one of them with a plain no; otherwise the message as it is (a "Y",
    "not sure" or anything more after one of them: every word is read)."""
    lowered = text.lower().replace("’", "'")
    found = sorted(
        (m.start(), -m.end(), m.end())
        for pattern in _own_questions(str(clinic_data_dir() / "screening.yml"))
        for m in pattern.finditer(lowered)
    )
    spans: List[Tuple[int, int]] = []
    for start, _, end in found:
        if not spans or start >= spans[-1][1]:  # the longest wording at each place
            spans.append((start, end))
    if not spans:
        return text
    kept, position = [], 0
    for index, (start, end) in enumerate(spans):
        following = spans[index + 1][0] if index + 1 < len(spans) else len(lowered)
        answer = _PLAIN_NO.match(lowered[end:following])
        if answer is None:
            return text
        kept.append(lowered[position:start])
        position = end + answer.end()
    kept.append(lowered[position:])
    # a sentence break where each question was: no negation reaches across it
    return "\n.\n".join(kept)


def find_red_flags(text: str, flags: Tuple[RedFlag, ...] | None = None) -> List[RedFlag]:
    clean = normalise(without_own_questions(text))
    return [flag for flag in (flags or load_red_flags()) if flag.matches(clean)]


# "calf isnt swollen" / "or red": a message that goes on with "or" continues a denial
_GOES_ON_DENYING = re.compile(r"\s*(?:or|nor)\b")


def find_denied_red_flags(text: str, flags: Tuple[RedFlag, ...] | None = None) -> List[RedFlag]:
    """Red flags named only in a denial ("no chest pain, just a sore knee"); a flag named
    only in the assistant's own questions, answered "no", counts as denied too, and so
    does a sign of one in a message that goes on with "or" ("or red")."""
    clean = normalise(text)
    own_words = normalise(without_own_questions(text))
    goes_on = bool(_GOES_ON_DENYING.match(clean))
    return [
        flag
        for flag in (flags or load_red_flags())
        if (flag.mentioned(clean) or (goes_on and flag.partly_named(clean)))
        and not flag.matches(own_words)
    ]
