"""A spaCy component that finds misspelt clinic words: "pregnat", "warfrin", "xeralto".

(No `from __future__ import annotations` here: spaCy reads the factory's
annotations at run time.)

Runners type on phones. A condition or medicine the entity ruler misses because
of a typo would be read as nothing at all, so a word that is one or two edits
away from a one-word vocabulary phrase becomes that entity too (clinic safety
principle 3: a mention is never ignored). Real English words ("never",
"hearing") and the words of the project's own text never count as typos.
"""

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

MIN_LENGTH = 4  # shorter words are too often another real word


@lru_cache(maxsize=1)
def english_words() -> FrozenSet[str]:
    """Real English words (the english-words package's GCIDE and web2 lists)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide", "web2"], lower=True, alpha=True))


# Chat words the dictionaries leave out; never a medicine's name or a typo of one.
CHAT_WORDS = frozenset((
    "kinda", "sorta", "lemme", "gimme", "innit", "yup", "nah", "lol", "tbh", "pls", "plz",
    "thx", "cuz", "abt", "idk", "ngl", "btw", "omg", "imo", "gucci", "fam", "ta", "bruv",
    "hiya", "heya", "hii", "hiii", "heyy", "heyyy", "ty", "tysm", "thanx",
    "arvo", "brekkie", "avo", "servo", "reno",  # Australian: afternoon, breakfast, ...
))  # fmt: skip
# Words of runners' and the clinic's world the dictionaries leave out: "my old physio
# mentioned needling for my calf once" names no medicine.
RUNNING_WORDS = frozenset((
    "physio", "physios", "physiotherapist", "physiotherapists", "physiotherapy", "parkrun",
    "parkruns", "strava", "garmin", "fartlek", "crossfit", "pilates", "hiit", "ultra",
    "ultras", "triathlon", "triathlete", "duathlon", "orienteering", "podiatrist", "osteo",
    "osteopath", "chiro", "chiropractor", "sportsmassage", "padel", "hyrox", "kinesio",
    "rocktape", "theragun", "hypervolt", "zwift", "peloton",
    # runners' shorthand: a personal best, a personal trainer, injuries and scans
    "pb", "pbs", "pr", "prs", "pt", "pf", "itb", "itbs", "doms", "acl", "mcl", "lcl", "pcl",
    "mri", "xray", "gp", "gps", "hm", "mara", "tempo", "strides", "op", "ops", "lsr",
    # running shoe brands: "I've got new Hokas"
    "hoka", "hokas", "asics", "saucony", "altra", "altras", "mizuno", "mizunos", "salomon",
    "salomons", "inov8", "nike", "nikes", "adidas", "vaporfly", "vaporflys", "alphafly",
    # watches, devices and apps: "my wifi keeps dropping out every evening"
    "fitbit", "coros", "suunto", "wifi", "broadband", "laptop", "iphone", "ipad", "ebike",
    "netflix", "spotify", "whatsapp", "instagram", "facebook", "tiktok", "youtube", "podcast",
    "podcasts", "airpods", "earbuds", "app", "apps", "oura", "whoop",
))  # fmt: skip


def is_english_word(word: str) -> bool:
    words = english_words()
    if word in words or word in CHAT_WORDS or word in RUNNING_WORDS:
        return True
    # inflections the lists leave out: "insults", "injected", "hearing", "released",
    # "planned"
    for suffix in ("s", "es", "ed", "ing"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and (
            stem in words
            or (suffix == "ed" and stem + "e" in words)
            or (
                suffix in ("ed", "ing")
                and len(stem) > 2
                and stem[-1] == stem[-2]
                and stem[:-1] in words
            )
        ):
            return True
    return False


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters is one edit), or
    limit + 1 as soon as it must exceed the limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: List[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


class TypoMatcher:
    def __init__(self, targets: Dict[str, Tuple[str, str]], known_words: Iterable[str]) -> None:
        self.targets = targets  # word -> (label, id)
        self.known = frozenset(known_words) | frozenset(targets)
        if targets:
            english_words()  # load the word list now, not on the first message

    def match(self, word: str) -> Tuple[str, str] | None:
        if word in self.targets:  # "bloodthinners" (a phrase typed as one word)
            return self.targets[word]
        if len(word) < MIN_LENGTH or word in self.known or not word.isalpha():
            return None
        if is_english_word(word):
            return None
        best = None
        for target, entity in self.targets.items():
            if target[0] != word[0] or abs(len(target) - len(word)) > 2:
                continue
            limit = allowed_edits(target)
            distance = edit_distance(word, target, limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, entity)
        return best[1] if best else None

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.ents)
        covered = {i for span in spans for i in range(span.start, span.end)}
        for token in doc:
            if token.i in covered:
                continue
            found = self.match(token.lower_)
            if found:
                label, entity_id = found
                spans.append(Span(doc, token.i, token.i + 1, label=label, span_id=entity_id))
        doc.ents = filter_spans(spans)
        return doc

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {"targets": self.targets, "known": sorted(self.known - set(self.targets))}
        (path / "typos.json").write_text(json.dumps(data), encoding="utf-8")

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "TypoMatcher":
        data = json.loads((Path(path) / "typos.json").read_text(encoding="utf-8"))
        self.__init__({k: tuple(v) for k, v in data["targets"].items()}, data["known"])
        return self


@Language.factory("clinic_typos")
def make_typo_matcher(nlp: Language, name: str) -> TypoMatcher:
    return TypoMatcher({}, ())


def typo_targets(vocabulary: Dict[str, Dict[str, List[str]]]) -> Dict[str, Tuple[str, str]]:
    """One-word phrases of the clinic's conditions and medicines, and two-word ones
    typed as one ("bloodthinners", or with a slip, "bloodthiners")."""
    targets = {}
    for label in ("condition", "medication"):
        for entity_id, phrases in vocabulary.get(label, {}).items():
            for phrase in phrases:
                words = re.split(r"[\s-]+", phrase.lower())
                joined = "".join(words)
                if len(words) <= 2 and len(joined) >= MIN_LENGTH and joined.isalpha():
                    targets.setdefault(joined, (label, entity_id))
    return targets


def words_in(texts: Iterable[str]) -> Set[str]:
    return {w for text in texts for w in re.findall(r"[a-z]+", text.lower())}
