"""A spaCy component that marks entities as negated or uncertain.

Screening answers arrive as free text ("I'm not pregnant and I don't have
diabetes"), so each entity needs to know whether the runner affirmed it,
denied it or was unsure. A cue before the entity applies up to the end of
its clause; "pregnant: no" style answers are read after the entity too.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

NEGATION_CUES = {"no", "not", "n't", "never", "without", "none", "neither", "nor", "nope", "nt"}
# multi-token cues that make an answer uncertain rather than negative
UNCERTAIN_CUES: Sequence[Tuple[str, ...]] = (
    ("not", "sure"),
    ("n't", "know"),
    ("not", "know"),
    ("no", "idea"),
    ("not", "certain"),
    ("unsure",),
    ("maybe",),
    ("perhaps",),
    ("possibly",),
    ("might",),
    ("could", "be"),
    ("dunno",),
    ("idk",),
    ("no", "clue"),
    ("n't", "remember"),
    ("not", "remember"),
)
CLAUSE_BREAKS = {
    ",",
    ";",
    ".",
    "!",
    "?",
    ":",
    "(",
    ")",
    "but",
    "however",
    "although",
    "though",
    "except",
    "yet",
    "whereas",
    "while",
    "apart",
}
# "and"/"or" start a new clause only when a new subject or verb follows: "and I have ...",
# "I'm not pregnant and have diabetes" (but "no diabetes or lymphoedema" is one clause)
NEW_SUBJECTS = {"i", "i'm", "im", "we", "she", "he", "my", "it", "they", "you"}
NEW_VERBS = {"have", "has", "had", "take", "taking", "am", "'m", "got", "get", "use", "using",
             "do", "did", "was", "suffer", "also", "'ve"}  # fmt: skip
# "no" straight before a new subject answers something else: "no I have diabetes"
INTERJECTIONS = {"no", "nope"}
ANSWER_SEPARATORS = {":", "-", "?", "=", "–", "—"}
DENIALS_AFTER = {"no", "not", "none", "nope", "nah", "never", "negative"}


def _is_clause_break(doc: Doc, index: int) -> bool:
    token = doc[index]
    text = token.lower_
    if text in CLAUSE_BREAKS or token.is_sent_start and index > 0:
        return True
    if text in {"and", "or", "&"} and index + 1 < len(doc):
        return doc[index + 1].lower_ in NEW_SUBJECTS or doc[index + 1].lower_ in NEW_VERBS
    return False


def _clause_start(doc: Doc, entity: Span) -> int:
    index = entity.start - 1
    while index >= 0 and not _is_clause_break(doc, index):
        index -= 1
    return index + 1


def _matches_at(tokens: List[Token], position: int, cue: Tuple[str, ...]) -> bool:
    window = tokens[position : position + len(cue)]
    return len(window) == len(cue) and all(t.lower_ == c for t, c in zip(window, cue, strict=False))


def _denied_after(doc: Doc, entity: Span) -> bool:
    """`pregnant: no`, `diabetes - none`, `blood thinners? no`."""
    index = entity.end
    while index < len(doc) and doc[index].lower_ in ANSWER_SEPARATORS:
        index += 1
    if index >= len(doc) or doc[index].lower_ not in DENIALS_AFTER:
        return False
    following = index + 1
    return following >= len(doc) or _is_clause_break(doc, following)


def mark_entity(doc: Doc, entity: Span) -> None:
    before = list(doc[_clause_start(doc, entity) : entity.start])
    uncertain = any(
        _matches_at(before, position, cue)
        for position in range(len(before))
        for cue in UNCERTAIN_CUES
    )
    negated = not uncertain and (
        any(
            token.lower_ in NEGATION_CUES
            and not (
                token.lower_ in INTERJECTIONS
                and token.i + 1 < entity.start
                and doc[token.i + 1].lower_ in NEW_SUBJECTS
            )
            for token in before
        )
        or _denied_after(doc, entity)
    )
    entity._.uncertain = uncertain
    entity._.negated = negated


@Language.component("clinic_negation")
def clinic_negation(doc: Doc) -> Doc:
    for entity in doc.ents:
        mark_entity(doc, entity)
    return doc


for _name in ("negated", "uncertain"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=False)
