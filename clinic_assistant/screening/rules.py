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
# A reading that sounds like "no" but is more than a plain, whole no ("not on
# warfarin", "I don't think so"): never stored, the runner confirms with buttons.
CHECK = "check"
CONFIRM_SLOT = "answers_confirmed"
CHANGE_SLOT = "answer_to_change"


@dataclass(frozen=True)
class Question:
    slot: str
    kind: str  # yes_no | pregnancy_stage | complaint
    summary: str
    ask: str
    unclear: str
    explain: str = ""  # what the question means, for "what do you mean by ...?"
    only_if: Mapping[str, str] = field(default_factory=dict)
    conditions: Tuple[str, ...] = ()
    # conditions that answer the question when the runner has one (a blood clot means
    # blood thinners), but that a whole "no" to the question need not name
    implied_by: Tuple[str, ...] = ()
    options: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Contraindication:
    id: str
    question: str
    title: str
    explanation: str
    listed: bool = True  # named in the list of who should not have dry needling


@dataclass(frozen=True)
class Screening:
    questions: Tuple[Question, ...]
    contraindications: Mapping[str, Contraindication]
    condition_answers: Mapping[str, str]
    first_months_limit_weeks: float
    # condition id -> the words that name the whole condition, not one example of it
    general_terms: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    messages: Mapping[str, str] = field(default_factory=dict)
    cautions: Mapping[str, str] = field(default_factory=dict)

    @property
    def contraindication_list(self) -> str:
        """ "A, B, C or D", rendered from the contraindications themselves."""
        titles = [c.title for c in self.contraindications.values() if c.listed]
        return ", ".join(titles[:-1]) + ", or " + titles[-1] if len(titles) > 1 else "".join(titles)

    @property
    def limit_phrase(self) -> str:
        """The pregnancy limit in words: whole months when it is one, else weeks."""
        return limit_phrase(self.first_months_limit_weeks)

    def question(self, slot: str) -> Question:
        return next(q for q in self.questions if q.slot == slot)

    @property
    def answer_slots(self) -> List[str]:
        return [q.slot for q in self.questions]

    def slot_for_condition(self, condition_id: str) -> str | None:
        return next(
            (q.slot for q in self.questions if condition_id in (*q.conditions, *q.implied_by)),
            None,
        )


@dataclass(frozen=True)
class Decision:
    """`clear` means: nothing in the answers rules dry needling out."""

    outcome: str  # "clear" | "ruled_out" | "unsure"; conclude() adds "stopped" | "red_flag"
    reasons: Tuple[Contraindication, ...] = ()
    unsure_about: Tuple[Question, ...] = ()
    # not a reason against, but the physiotherapist must know (a later pregnancy)
    cautions: Tuple[str, ...] = ()

    @property
    def shows_booking_link(self) -> bool:
        return self.outcome == "clear"


def load_screening(path: Path | None = None) -> Screening:
    return _load_screening(str(path or clinic_data_dir() / "screening.yml"))


@lru_cache(maxsize=4)
def _load_screening(path: str) -> Screening:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    limit = float(raw["first_months_limit_weeks"])
    raw = _fill_limit(raw, limit_phrase(limit))
    questions = tuple(
        Question(
            slot=q["slot"],
            kind=q["kind"],
            summary=q["summary"],
            ask=q["ask"],
            unclear=q["unclear"],
            explain=q.get("explain", ""),
            only_if=q.get("only_if", {}),
            conditions=tuple(q.get("conditions", ())),
            implied_by=tuple(q.get("implied_by", ())),
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
        first_months_limit_weeks=limit,
        general_terms={k: tuple(v) for k, v in raw.get("general_terms", {}).items()},
        messages=raw.get("messages", {}),
        cautions=raw.get("cautions", {}),
    )


def _fill_limit(value, phrase: str):
    """`{pregnancy_limit}` in any text of the file becomes the limit in words."""
    if isinstance(value, str):
        return value.replace("{pregnancy_limit}", phrase)
    if isinstance(value, dict):
        return {key: _fill_limit(item, phrase) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill_limit(item, phrase) for item in value]
    return value


def limit_phrase(weeks: float) -> str:
    months = weeks / WEEKS_PER_MONTH
    if abs(months - round(months)) < 0.05:
        return f"{round(months)} months" if round(months) != 1 else "1 month"
    return f"{weeks:g} weeks"


# --- pregnancy stage ---------------------------------------------------------
# Stages are stored as short normalised phrases so the summary can show them
# back: "8 weeks", "4 months", "about 14 weeks", "nearly 12 weeks",
# "26 weeks to go", "trimester 2", "up to 16 weeks", "more than 4 months".
WEEKS_PER_MONTH = 52 / 12  # a calendar fact, not the limit
FULL_TERM_WEEKS = 40
LATEST_WEEK = 42
# "about 14 weeks" may be 12 or 16; a due date may come two weeks early or late
APPROXIMATE_MARGIN_WEEKS = 2
TRIMESTER_WEEKS = {"1": (1.0, 13.0), "2": (14.0, 27.0), "3": (28.0, 42.0)}


def _weeks(amount: str, unit: str) -> float:
    return float(amount) * (1 if unit.startswith("week") else WEEKS_PER_MONTH)


def pregnancy_week_range(stage: str) -> Tuple[float, float] | None:
    """(earliest, latest) week of pregnancy the stage allows, None when unknown."""
    parts = stage.split()
    if stage == UNSURE or not parts:
        return None
    margin = APPROXIMATE_MARGIN_WEEKS
    try:
        if parts[0] == "trimester":
            return TRIMESTER_WEEKS.get(parts[1])
        if parts[0] == "up" and parts[1] == "to":
            return (0.0, _weeks(parts[2], parts[3]))
        if parts[0] == "more" and parts[1] == "than":
            return (_weeks(parts[2], parts[3]) + 0.1, float(LATEST_WEEK))
        if parts[0] == "about":
            weeks = _weeks(parts[1], parts[2])
            return (weeks - margin, weeks + margin)
        if parts[0] == "nearly":
            weeks = _weeks(parts[1], parts[2])
            return (weeks - margin, weeks)
        if len(parts) == 4 and parts[1] == "to":  # "12 to 14 weeks"
            return (_weeks(parts[0], parts[3]), _weeks(parts[2], parts[3]))
        if parts[-2:] == ["to", "go"]:
            elapsed = FULL_TERM_WEEKS - _weeks(parts[0], parts[1])
            return (elapsed - margin, elapsed + margin)
        weeks = _weeks(parts[0], parts[1])
        return (weeks, weeks)
    except (IndexError, ValueError):
        return None


def pregnancy_in_first_months(stage: str, screening: Screening) -> bool | None:
    """True/False when the stage is surely inside/outside the limit; None when unclear."""
    weeks = pregnancy_week_range(stage)
    if weeks is None:
        return None
    earliest, latest = weeks
    limit = screening.first_months_limit_weeks
    if earliest == latest and limit < earliest < limit + 1:
        # "13 and a half weeks" is in week 13 still, as "13+6" is: not surely past it
        return None
    if latest <= limit:
        return True
    if earliest > limit:
        return False
    return None


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
    cautions: List[str] = []
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
            elif "later_pregnancy" in screening.cautions:
                cautions.append(screening.cautions["later_pregnancy"])
        elif answer == UNSURE:
            unsure.append(question)
        elif answer == YES and question.slot in screening.contraindications:
            reasons.append(screening.contraindications[question.slot])
    if reasons:
        return Decision("ruled_out", tuple(reasons), tuple(unsure))
    if unsure:
        return Decision("unsure", (), tuple(unsure))
    return Decision("clear", cautions=tuple(cautions))


def conclude(
    answers: Mapping[str, str | None],
    screening: Screening,
    *,
    stopped: bool,
    red_flag_raised: bool,
) -> Decision:
    """The screening's conclusion, in this order: stopped after too many unclear
    answers, a red flag earlier in the session (the latch: never a link), and
    only then the decision over the answers."""
    if stopped:
        return Decision("stopped")
    if red_flag_raised:
        return Decision("red_flag")
    return decide(answers, screening)


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
