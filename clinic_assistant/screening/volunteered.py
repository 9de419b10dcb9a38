"""Screening answers the runner volunteers in free text, with negation.

"I'm not pregnant and I don't have diabetes, can I book?" answers two
questions at once; the spaCy pipeline finds the conditions and whether each
was affirmed, denied or uncertain. Only the conditions named in
clinic/screening.yml count; injuries can answer the complaint question.
"""

from __future__ import annotations

from typing import Dict, Iterable

from clinic_assistant.nlp.pipeline import Mention
from clinic_assistant.screening.answers import parse_pregnancy_stage
from clinic_assistant.screening.rules import NO, UNSURE, YES, Screening

# When one message both affirms and denies conditions of the same question
# ("no diabetes but I do have lymphoedema"), the safer answer wins.
_PRECEDENCE = {YES: 2, UNSURE: 1, NO: 0}


def volunteered_answers(
    text: str, mentions: Iterable[Mention], screening: Screening
) -> Dict[str, str]:
    answers: Dict[str, str] = {}
    complaint_options = screening.question("complaint").options
    for mention in mentions:
        if mention.label == "injury":
            if not mention.negated and "complaint" not in answers:
                answers["complaint"] = mention.id if mention.id in complaint_options else "other"
            continue
        slot = screening.slot_for_condition(mention.id)
        if slot is None:
            continue
        value = mention.polarity
        if _PRECEDENCE[value] >= _PRECEDENCE.get(answers.get(slot, NO), 0):
            answers[slot] = value
    if answers.get("pregnant") == YES:
        stage = parse_pregnancy_stage(text)
        if stage and stage != UNSURE:
            answers["pregnancy_stage"] = stage
    return answers
