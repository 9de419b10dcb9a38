"""The screening rules from clinic/screening.yml, and the decision over answers.

Everything here is pure: data in, data out. The decision never says a runner is
"eligible": at best nothing in the answers rules dry needling out, and the
physiotherapist decides after an examination.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Tuple

import yaml

from clinic_assistant import clinic_data_dir

YES, NO, UNSURE = "yes", "no", "unsure"
CONFIRM_SLOT = "answers_confirmed"
CHANGE_SLOT = "answer_to_change"


@dataclass(frozen=True)
class Question:
    slot: str
    kind: str  # yes_no | pregnancy_stage | complaint
    summary: str
    ask: str
    unclear: str
    only_if: Mapping[str, str] = field(default_factory=dict)
    conditions: Tuple[str, ...] = ()
    options: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Contraindication:
    id: str
    question: str
    title: str
    explanation: str


@dataclass(frozen=True)
class Screening:
    questions: Tuple[Question, ...]
    contraindications: Mapping[str, Contraindication]
    condition_answers: Mapping[str, str]
    first_months_limit_weeks: float

    def question(self, slot: str) -> Question:
        return next(q for q in self.questions if q.slot == slot)

    @property
    def answer_slots(self) -> List[str]:
        return [q.slot for q in self.questions]

    def slot_for_condition(self, condition_id: str) -> str | None:
        return next((q.slot for q in self.questions if condition_id in q.conditions), None)


@dataclass(frozen=True)
class Decision:
    """`clear` means: nothing in the answers rules dry needling out."""

    outcome: str  # "clear" | "ruled_out" | "unsure"
    reasons: Tuple[Contraindication, ...] = ()
    unsure_about: Tuple[Question, ...] = ()

    @property
    def shows_booking_link(self) -> bool:
        return self.outcome == "clear"


def load_screening(path: Path | None = None) -> Screening:
    return _load_screening(str(path or clinic_data_dir() / "screening.yml"))


@lru_cache(maxsize=4)
def _load_screening(path: str) -> Screening:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    questions = tuple(
        Question(
            slot=q["slot"],
            kind=q["kind"],
            summary=q["summary"],
            ask=q["ask"],
            unclear=q["unclear"],
            only_if=q.get("only_if", {}),
            conditions=tuple(q.get("conditions", ())),
            options=tuple(q.get("options", ())),
        )
        for q in raw["questions"]
    )
    contraindications = {
        key: Contraindication(id=key, **value) for key, value in raw["contraindications"].items()
    }
    return Screening(
        questions=questions,
        contraindications=contraindications,
        condition_answers=raw["condition_answers"],
        first_months_limit_weeks=float(raw["first_months_limit_weeks"]),
    )


# --- pregnancy stage ---------------------------------------------------------
# Stages are stored as short normalised phrases ("8 weeks", "2 months",
# "trimester 2", "up to 3 months") so the summary can show them back.
WEEKS_PER_MONTH = 13 / 3  # 3 months == 13 weeks, the article's limit


def pregnancy_weeks(stage: str) -> float | None:
    """Latest week of pregnancy consistent with the stage, None when unknown."""
    parts = stage.split()
    if stage == UNSURE or not parts:
        return None
    if parts[0] == "trimester":
        return {"1": 13.0, "2": 27.0, "3": 40.0}.get(parts[1])
    if stage == "up to 3 months":
        return 13.0
    if stage == "more than 3 months":
        return 14.0
    amount, unit = float(parts[0]), parts[1]
    return amount if unit.startswith("week") else amount * WEEKS_PER_MONTH


def pregnancy_in_first_months(stage: str, screening: Screening) -> bool | None:
    if stage.startswith("trimester"):
        return stage == "trimester 1"
    weeks = pregnancy_weeks(stage)
    return None if weeks is None else weeks <= screening.first_months_limit_weeks


# --- flow --------------------------------------------------------------------


def applicable_questions(answers: Mapping[str, str | None], screening: Screening) -> List[Question]:
    return [
        q
        for q in screening.questions
        if all(answers.get(slot) == value for slot, value in q.only_if.items())
    ]


def remaining_slots(answers: Mapping[str, str | None], screening: Screening) -> List[str]:
    """The slots the form still needs, in order, ending with the confirmation.

    Once an answer rules dry needling out, the other questions are skipped: the
    result cannot change, and the runner is spared needless health questions.
    """
    ruled_out = decide(answers, screening).outcome == "ruled_out"
    slots = [
        q.slot
        for q in applicable_questions(answers, screening)
        if not ruled_out or answers.get(q.slot) is not None
    ]
    return slots + [CONFIRM_SLOT] + ([CHANGE_SLOT] if answers.get(CONFIRM_SLOT) == NO else [])


def decide(answers: Mapping[str, str | None], screening: Screening) -> Decision:
    reasons: List[Contraindication] = []
    unsure: List[Question] = []
    for question in applicable_questions(answers, screening):
        answer = answers.get(question.slot)
        if answer is None or question.kind == "complaint":
            continue
        if question.kind == "pregnancy_stage":  # an unknown stage ("not sure") rules it out
            early = pregnancy_in_first_months(answer, screening)
            if early is None:
                reasons.append(screening.contraindications["pregnancy_stage_unknown"])
            elif early:
                reasons.append(screening.contraindications["early_pregnancy"])
        elif answer == UNSURE:
            unsure.append(question)
        elif answer == YES and question.slot in screening.contraindications:
            reasons.append(screening.contraindications[question.slot])
    if reasons:
        return Decision("ruled_out", tuple(reasons), tuple(unsure))
    if unsure:
        return Decision("unsure", (), tuple(unsure))
    return Decision("clear")


def summary_lines(
    answers: Mapping[str, str | None], screening: Screening, complaint_titles: Dict[str, str]
) -> List[str]:
    """One line per answered question, for repeating the answers back."""
    lines = []
    for question in applicable_questions(answers, screening):
        answer = answers.get(question.slot)
        if answer is None:
            continue
        if question.kind == "complaint":
            shown = complaint_titles.get(answer, answer)
        elif answer == UNSURE:
            shown = "not sure"
        else:
            shown = answer
        lines.append(f"• {question.summary}: {shown}")
    return lines
