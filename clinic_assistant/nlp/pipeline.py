"""Build, save and use the clinic's spaCy pipeline.

Blank English + lookup lemmatizer (from spacy-lookups-data) + an entity ruler
with the clinic's vocabulary + the negation marker. Built from files in this
repository, so nothing is downloaded; Rasa's SpacyNLP loads the saved folder.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List

import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Token

from clinic_assistant import PROJECT_ROOT, clinic_data_dir
from clinic_assistant.nlp import negation  # registers "clinic_negation"; FIGURE
from clinic_assistant.nlp.typos import typo_targets, words_in

# English the project itself writes: its words are never read as typos.
KNOWN_WORD_SOURCES = (
    "data/nlu/*.yml",
    "domain.yml",
    "clinic/screening.yml",
    "clinic/indications.yml",
)
# Common words one letter away from a clinic word that the sources may not use.
KNOWN_WORDS = ("never", "fewer", "seven", "clever", "lever", "river", "forever", "however",
               "whatever", "insulting", "insults", "expected", "expects", "exciting",
               "infested", "affected", "effected", "injected", "inflected", "pregnancies",
               "leader", "anemic", "chemist", "chemical", "steroid")  # fmt: skip

DEFAULT_PIPELINE_DIR = PROJECT_ROOT / "build" / "spacy" / "clinic_en"


@dataclass(frozen=True)
class Mention:
    """One entity from a message: what it is and how the runner put it."""

    label: str  # injury, condition, medication, body_part
    id: str  # canonical id from clinic/vocabulary.yml, e.g. "diabetes"
    text: str
    negated: bool
    uncertain: bool
    hypothetical: bool = False  # "if I'm pregnant", "in case of diabetes"
    other_person: bool = False  # "my wife is pregnant"
    ambiguous: bool = False  # "not pregnant, diabetic": denied or not, ask

    @property
    def is_own_fact(self) -> bool:
        """Whether this says something about the runner (not a question or someone else)."""
        return not (self.hypothetical or self.other_person)

    @property
    def polarity(self) -> str:
        if self.uncertain:
            return "unsure"
        if self.ambiguous:
            return "check"
        return "no" if self.negated else "yes"


def load_vocabulary() -> Dict[str, Dict[str, List[str]]]:
    with open(clinic_data_dir() / "vocabulary.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# Words that intensify a phrase's last word without changing its meaning: "I bruise
# really easily" is "bruise easily", "platelets are very low" is "platelets are low". Only
# before a describing last word: "a really cold morning" is no "a cold".
INTENSIFIERS = ("really", "very", "so", "quite", "super", "pretty", "extremely", "incredibly",
                "fairly", "rather", "crazy", "ridiculously", "way", "too", "dead", "more",
                "much", "real", "a", "bit", "little", "lot")  # fmt: skip
DESCRIBING_LAST_WORDS = ("easy", "low")
# Base forms whose other forms mean something else: "later" is no "late" period.
NEVER_WIDENED = ("late",)


def _intensified(doc: Doc) -> bool:
    last = doc[-1].lower_
    return len(doc) > 1 and (last.endswith("ly") or last in DESCRIBING_LAST_WORDS)


def _token_pattern(token: Token) -> dict:
    # "#" in a phrase stands for any number: "period # days late"
    return {"LIKE_NUM": True} if token.text == "#" else {"LOWER": token.lower_}


def _with_intensifiers(pattern: List[dict]) -> List[dict]:
    optional = {"LOWER": {"IN": list(INTENSIFIERS)}, "OP": "*"}
    return [*pattern[:-1], optional, pattern[-1]]


# "#c" in a phrase: a number with the unit joined to it, as one word
_NUMBER_AND_UNIT = re.compile(r"#(?P<unit>[a-z°]+)")


def _ruler_patterns(nlp: Language, vocabulary: Dict[str, Dict[str, List[str]]]) -> Iterator[dict]:
    """Each phrase as written, and with its last word in any inflection where it is a
    base form ("calf" -> "calves"; every word of a describing phrase: "bruise easily" ->
    "bruises easily"), with intensifiers allowed before a describing last word ("bruise
    really easily", "bruise more easily"). An inflected word is never widened to its
    base form: "expecting" must not match "what should I expect"."""
    seen = set()
    for label, entries in vocabulary.items():
        for canonical, phrases in entries.items():
            for phrase in phrases:
                if joined := _NUMBER_AND_UNIT.fullmatch(phrase):
                    # "#c": a figure and its unit typed as one word ("39c", "38,5C")
                    unit = re.escape(joined.group("unit"))
                    pattern = [{"LOWER": {"REGEX": rf"^{negation.FIGURE}{unit}$"}}]
                    yield {"label": label, "id": canonical, "pattern": pattern}
                    continue
                doc = nlp(phrase)  # tokenizer + lemmatizer only at this point
                exact = [_token_pattern(t) for t in doc]
                variants = [exact]
                # the tokenizer splits "t1dm" in two but not "T1DM": match either way
                upper = [_token_pattern(t) for t in nlp.make_doc(phrase.upper())]
                if upper != exact:
                    variants.append(upper)
                # every word of a describing phrase ("bruises easily"), else the last
                # ("sprained ankles"): "temps of" is no "temp of"
                widened = range(len(doc)) if _intensified(doc) else [len(doc) - 1]
                inflected = [
                    {"LEMMA": t.lower_}
                    if i in widened
                    and t.is_alpha
                    and t.lemma_.lower() == t.lower_
                    and t.lower_ not in NEVER_WIDENED
                    else p
                    for i, (t, p) in enumerate(zip(doc, exact, strict=True))
                ]
                if inflected != exact:
                    variants.append(inflected)
                if _intensified(doc):
                    variants += [_with_intensifiers(v) for v in list(variants)]
                for pattern in variants:
                    key = (label, canonical, repr(pattern))
                    if key in seen:
                        continue
                    seen.add(key)
                    yield {"label": label, "id": canonical, "pattern": pattern}


def build_pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data
    vocabulary = load_vocabulary()
    patterns = list(_ruler_patterns(nlp, vocabulary))
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(patterns)
    typos = nlp.add_pipe("clinic_typos")
    texts = [
        p.read_text(encoding="utf-8") for g in KNOWN_WORD_SOURCES for p in PROJECT_ROOT.glob(g)
    ]
    targets = typo_targets(vocabulary)
    typos.__init__(targets, (words_in(texts) | set(KNOWN_WORDS)) - set(targets))
    nlp.add_pipe("clinic_negation")
    nlp.meta["name"] = "clinic_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Running Solutions clinic vocabulary, lemmas and negation"
    return nlp


@lru_cache(maxsize=4)
def load_pipeline(path: str = str(DEFAULT_PIPELINE_DIR)) -> Language:
    return spacy.load(path)


def find_mentions(nlp: Language, text: str) -> List[Mention]:
    doc = nlp(text)
    return [
        Mention(
            label=entity.label_,
            id=entity.ent_id_,
            text=entity.text,
            negated=entity._.negated,
            uncertain=entity._.uncertain,
            hypothetical=entity._.hypothetical,
            other_person=entity._.other_person,
            ambiguous=entity._.ambiguous,
        )
        for entity in doc.ents
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", nargs="?", default=str(DEFAULT_PIPELINE_DIR))
    args = parser.parse_args()
    nlp = build_pipeline()
    Path(args.output).mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    print(f"spaCy pipeline written to {args.output}: {nlp.pipe_names}")


if __name__ == "__main__":
    main()
