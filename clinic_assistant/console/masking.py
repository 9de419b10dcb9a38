"""Masking of identifying details, normalising and grouping of runners' messages.

The console shows what runners asked only with identifying details replaced by
placeholders: e-mail addresses, web addresses, phone numbers, dates, long
numbers and names. Masking errs on the side of hiding too much: a capitalised
word that is not an ordinary English word (nor one the assistant knows, like
"Achilles" or "warfarin") is taken for a name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Tuple

EMAIL, LINK, PHONE, DATE, NUMBER, NAME = (
    "<email>",
    "<link>",
    "<phone>",
    "<date>",
    "<number>",
    "<name>",
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATES = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"),
    re.compile(
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b\.?(?:,?\s+\d{{4}})?", re.I
    ),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?", re.I),
]
# a phone number: at least 7 digits, maybe with +, spaces, dots, dashes, brackets
_PHONE = re.compile(r"(?<![\w<])\+?\(?\d[\d\s().-]{5,}\d(?![\w>])")
_LONG_NUMBER = re.compile(r"(?<![\w<])\d{5,}(?![\w>])")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*")
# "my name is X", "call me X": the next word is a name whatever it looks like
_NAME_CUE = re.compile(r"\b(?:my name is|my name's|name is|call me|signed|regards,?)\s+$", re.I)
# "I'm X", "this is X": the next word is a name when it is capitalised
_SOFT_NAME_CUE = re.compile(r"\b(?:i am|i'm|i’m|im|this is|it's|it’s)\s+$", re.I)
# capitalised words that are not names: titles, days, months
_NOT_NAMES = frozenset(
    """dr mr mrs ms prof monday mondays tuesday tuesdays wednesday wednesdays thursday
    thursdays friday fridays saturday saturdays sunday sundays january february march april
    may june july august september october november december english dutch""".split()
)
_NOT_SURNAMES = frozenset({"here", "speaking", "and", "but", "from", "again", "too"})
_TITLE = re.compile(r"\b(?:mr|mrs|ms|miss|dr|doctor|prof)\.?\s+$", re.I)
_PLACEHOLDER = re.compile(r"<(?:email|link|phone|date|number|name)>")
_TOKEN = re.compile(r"<\w+>|[a-z0-9]+(?:'[a-z]+)?")

# Words too common to say anything about what a question is about.
STOP_WORDS = frozenset(
    """a an the and or but if of in on at to for from by with about into is are was were be
    been am do does did can could will would should may might i me my you your it its this
    that there here what which who how when where why please hi hello hey thanks thank ok
    okay so just also any some have has had there get got need want i'm im you're""".split()
)


@functools.lru_cache(maxsize=1)
def ordinary_words() -> FrozenSet[str]:
    """Lower-case English words (not proper nouns) and every word the assistant knows."""
    from english_words import get_english_words_set

    words = {w for w in get_english_words_set(["web2", "gcide"], lower=False, alpha=True)}
    common = {w for w in words if w.islower()}
    return frozenset(common | known_words())


@functools.lru_cache(maxsize=1)
def known_words() -> FrozenSet[str]:
    """Words of the clinic's vocabulary (conditions, medicines, injuries)."""
    import yaml

    from clinic_assistant import clinic_data_dir

    with open(clinic_data_dir() / "vocabulary.yml", encoding="utf-8") as handle:
        vocabulary = yaml.safe_load(handle)
    found = set()
    for entries in vocabulary.values():
        for canonical, phrases in entries.items():
            for phrase in [canonical, *phrases]:
                found.update(w.lower() for w in _WORD.findall(str(phrase)))
    return frozenset(found)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _looks_like_name(word: str) -> bool:
    bare = word.strip("'’-")
    if len(bare) < 2 or not _is_capitalised(bare):
        return False
    base = re.sub(r"['’]s$", "", bare).lower()
    return base not in ordinary_words() and base not in _NOT_NAMES


def _mask_names(text: str) -> str:
    out: List[str] = []
    last = 0
    previous_was_name = previous_was_cued = False
    for match in _WORD.finditer(text):
        word = match.group()
        before = text[: match.start()]
        gap = text[last : match.start()]
        cued = _NAME_CUE.search(before) is not None
        is_name = (
            cued
            or _TITLE.search(before) is not None
            # "my name is john smith": the surname too
            or (
                previous_was_cued
                and gap.strip() == ""
                and word.lower() not in STOP_WORDS | _NOT_SURNAMES
            )
            or (
                _SOFT_NAME_CUE.search(before) is not None
                and _is_capitalised(word)
                and word.lower() not in known_words()
            )
            or _looks_like_name(word)
            or (previous_was_name and gap.strip() == "" and _is_capitalised(word))
        )
        if word.lower() in ("i", "i'm", "i’m") or word.isupper():
            is_name = False
        out.append(gap)
        if is_name:
            possessive = re.search(r"['’]s$", word)
            out.append(NAME + (possessive.group() if possessive else ""))
        else:
            out.append(word)
        previous_was_name = is_name
        previous_was_cued = cued
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def mask(text: str) -> str:
    """The message with identifying details replaced by <email>, <phone>, ..."""
    text = _EMAIL.sub(EMAIL, text)
    text = _LINK.sub(LINK, text)
    for pattern in _DATES:
        text = pattern.sub(DATE, text)
    text = _PHONE.sub(
        lambda m: PHONE if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text
    )
    text = _LONG_NUMBER.sub(NUMBER, text)
    text = _mask_names(text)
    # runs of the same placeholder ("<name> <name>") read as one
    return re.sub(r"(<\w+>)(?:\s+\1)+", r"\1", text)


def normalise(masked: str) -> str:
    """Lower case, placeholders kept, punctuation and extra spaces dropped."""
    return " ".join(_TOKEN.findall(masked.lower().replace("’", "'")))


def _stem(token: str) -> str:
    return (
        token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token
    )


def token_set(normalised: str) -> FrozenSet[str]:
    """The words that say what a message is about (plurals as singulars)."""
    tokens = {
        _stem(t) for t in normalised.split() if t not in STOP_WORDS and not _PLACEHOLDER.match(t)
    }
    return frozenset(tokens or normalised.split())


def similarity(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    """Token-set (Jaccard) similarity, 0..1."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class Group:
    """Similar messages: the most frequent wording represents the group."""

    members: Dict[str, List[float]] = field(default_factory=dict)  # normalised -> timestamps
    masked: Dict[str, str] = field(default_factory=dict)  # normalised -> a masked wording
    kinds: Dict[str, int] = field(default_factory=dict)
    tokens: FrozenSet[str] = frozenset()

    @property
    def representative(self) -> str:
        return max(self.members, key=lambda n: (len(self.members[n]), -len(n), n))

    @property
    def count(self) -> int:
        return sum(len(times) for times in self.members.values())

    @property
    def first_seen(self) -> float:
        return min(t for times in self.members.values() for t in times)

    @property
    def last_seen(self) -> float:
        return max(t for times in self.members.values() for t in times)

    @property
    def wordings(self) -> List[str]:
        """The masked wordings, most frequent first."""
        order = sorted(self.members, key=lambda n: (-len(self.members[n]), n))
        return [self.masked[n] for n in order]


def group_messages(
    messages: Iterable[Tuple[str, float, str]], threshold: float = 0.5
) -> List[Group]:
    """Groups (masked text, timestamp, kind) by token-set similarity of the
    normalised text; each message joins the most similar group, if any is at
    least `threshold` similar to its first wording, else starts one.
    Biggest groups first."""
    by_text: Dict[str, Tuple[str, List[float], Dict[str, int]]] = {}
    for masked, timestamp, kind in messages:
        key = normalise(masked)
        if not key:
            continue
        _, times, kinds = by_text.setdefault(key, (masked, [], {}))
        times.append(timestamp)
        kinds[kind] = kinds.get(kind, 0) + 1
    groups: List[Group] = []
    # the most frequent wordings found groups first, so they represent them
    for key in sorted(by_text, key=lambda k: (-len(by_text[k][1]), k)):
        masked, times, kinds = by_text[key]
        tokens = token_set(key)
        best, best_score = None, threshold
        for group in groups:
            score = similarity(tokens, group.tokens)
            if score >= best_score:
                best, best_score = group, score
        if best is None:
            best = Group(tokens=tokens)
            groups.append(best)
        best.members[key] = sorted(times)
        best.masked[key] = masked
        for kind, n in kinds.items():
            best.kinds[kind] = best.kinds.get(kind, 0) + n
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen))
