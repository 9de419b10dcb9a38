"""The screening rules: decide(), the order of questions, stages and the summary.

The rules come from clinic/screening.yml, which follows the article: dry
needling is not recommended in the first 3 months of pregnancy, with blood
diseases, with infections and with an increased risk of infection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.screening.rules import (
    CHANGE_SLOT,
    CONFIRM_SLOT,
    NO,
    UNSURE,
    YES,
    Screening,
    conclude,
    decide,
    load_screening,
    pregnancy_in_first_months,
    pregnancy_week_range,
    remaining_slots,
    summary_lines,
)

Answers = Dict[str, str | None]
ALL_NO: Answers = {
    "pregnant": NO,
    "blood_disorder": NO,
    "current_infection": NO,
    "infection_risk": NO,
    "complaint": "calf",
}
TITLES = {"calf": "calf pain", "knee": "runner's knee", "other": "another complaint"}


@pytest.fixture(scope="module")
def screening() -> Screening:
    return load_screening()


def answers(**changes: str | None) -> Answers:
    return {**ALL_NO, **changes}


def reason_ids(answers: Answers, screening: Screening) -> list[str]:
    return [reason.id for reason in decide(answers, screening).reasons]


# --- the file ----------------------------------------------------------------


def test_the_screening_follows_the_article(screening: Screening) -> None:
    assert screening.answer_slots == [
        "pregnant",
        "pregnancy_stage",
        "blood_disorder",
        "current_infection",
        "infection_risk",
        "complaint",
    ]
    assert screening.first_months_limit_weeks == 13
    assert screening.question("pregnancy_stage").only_if == {"pregnant": "yes"}
    assert set(screening.contraindications) == {
        "early_pregnancy",
        "pregnancy_stage_unknown",
        "blood_disorder",
        "current_infection",
        "infection_risk",
    }
    assert screening.question("complaint").options == (
        "achilles", "calf", "foot", "shin", "knee", "hip", "other",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "slot"),
    [
        ("pregnancy", "pregnant"),
        ("bleeding_disorder", "blood_disorder"),
        ("blood_thinners", "blood_disorder"),
        ("infection", "current_infection"),
        ("diabetes", "infection_risk"),
        ("lymphatic", "infection_risk"),
        ("weakened_immunity", "infection_risk"),
        ("immunosuppressants", "infection_risk"),
        ("haemophilia", None),
    ],
)
def test_slot_for_condition(screening: Screening, condition: str, slot: str | None) -> None:
    assert screening.slot_for_condition(condition) == slot


def test_every_condition_has_an_answer(screening: Screening) -> None:
    conditions = {c for q in screening.questions for c in (*q.conditions, *q.implied_by)}
    assert conditions == set(screening.condition_answers)


# --- decide() ----------------------------------------------------------------


def test_all_no_is_clear_and_shows_the_booking_link(screening: Screening) -> None:
    decision = decide(ALL_NO, screening)
    assert decision.outcome == "clear"
    assert decision.shows_booking_link
    assert decision.reasons == () and decision.unsure_about == ()


@pytest.mark.parametrize("slot", ["blood_disorder", "current_infection", "infection_risk"])
def test_each_contraindication_rules_it_out(screening: Screening, slot: str) -> None:
    decision = decide(answers(**{slot: YES}), screening)
    assert decision.outcome == "ruled_out"
    assert not decision.shows_booking_link
    assert [r.id for r in decision.reasons] == [slot]
    assert decision.reasons[0].explanation == screening.contraindications[slot].explanation


@pytest.mark.parametrize(
    "stage",
    ["8 weeks", "13 weeks", "3 months", "2 months", "up to 3 months", "trimester 1", "1 month"],
)
def test_pregnancy_in_the_first_three_months_rules_it_out(screening: Screening, stage: str) -> None:
    decision = decide(answers(pregnant=YES, pregnancy_stage=stage), screening)
    assert decision.outcome == "ruled_out"
    assert [r.id for r in decision.reasons] == ["early_pregnancy"]


@pytest.mark.parametrize(
    "stage",
    ["14 weeks", "4 months", "trimester 2", "trimester 3", "more than 3 months"],
)
def test_pregnancy_past_the_first_three_months_does_not(screening: Screening, stage: str) -> None:
    decision = decide(answers(pregnant=YES, pregnancy_stage=stage), screening)
    assert decision.outcome == "clear"


def test_a_stage_inside_the_week_of_the_limit_is_unclear(screening: Screening) -> None:
    """13 and a half weeks is week 13 still, as 13+6 is: not surely past the limit."""
    decision = decide(answers(pregnant=YES, pregnancy_stage="13.5 weeks"), screening)
    assert decision.outcome == "ruled_out"
    assert [r.id for r in decision.reasons] == ["pregnancy_stage_unknown"]


def test_unknown_stage_rules_it_out(screening: Screening) -> None:
    """screening.yml: "a stage at or below this many weeks (or an unknown stage) rules it out"."""
    decision = decide(answers(pregnant=YES, pregnancy_stage=UNSURE), screening)
    assert decision.outcome == "ruled_out"
    assert [r.id for r in decision.reasons] == ["pregnancy_stage_unknown"]
    assert "couldn't tell for sure how far along" in decision.reasons[0].explanation


def test_stage_not_asked_yet_decides_nothing(screening: Screening) -> None:
    assert decide(answers(pregnant=YES), screening).outcome == "clear"


def test_a_stage_only_counts_when_pregnant(screening: Screening) -> None:
    """A stale stage after "pregnant: no" (a changed answer) is not a reason."""
    assert decide(answers(pregnant=NO, pregnancy_stage="8 weeks"), screening).outcome == "clear"
    stale = decide(answers(pregnant=UNSURE, pregnancy_stage="8 weeks"), screening)
    assert stale.outcome == "unsure" and stale.reasons == ()


@pytest.mark.parametrize(
    "slot", ["pregnant", "blood_disorder", "current_infection", "infection_risk"]
)
def test_not_sure_means_unsure_without_booking_link(screening: Screening, slot: str) -> None:
    decision = decide(answers(**{slot: UNSURE}), screening)
    assert decision.outcome == "unsure"
    assert not decision.shows_booking_link
    assert [q.slot for q in decision.unsure_about] == [slot]


def test_a_reason_outweighs_not_sure(screening: Screening) -> None:
    decision = decide(answers(pregnant=UNSURE, infection_risk=YES), screening)
    assert decision.outcome == "ruled_out"
    assert [r.id for r in decision.reasons] == ["infection_risk"]
    assert [q.slot for q in decision.unsure_about] == ["pregnant"]


def test_several_reasons_at_once_in_question_order(screening: Screening) -> None:
    every = answers(
        pregnant=YES,
        pregnancy_stage="6 weeks",
        blood_disorder=YES,
        current_infection=YES,
        infection_risk=YES,
    )
    assert reason_ids(every, screening) == [
        "early_pregnancy",
        "blood_disorder",
        "current_infection",
        "infection_risk",
    ]


def test_conclude_stopped_then_red_flag_then_the_answers(screening: Screening) -> None:
    def outcome(stopped: bool, red_flag_raised: bool) -> str:
        return conclude(ALL_NO, screening, stopped=stopped, red_flag_raised=red_flag_raised).outcome

    assert outcome(stopped=True, red_flag_raised=True) == "stopped"
    assert outcome(stopped=False, red_flag_raised=True) == "red_flag"
    assert outcome(stopped=False, red_flag_raised=False) == "clear"
    assert not conclude(ALL_NO, screening, stopped=False, red_flag_raised=True).shows_booking_link


@pytest.mark.parametrize("complaint", ["calf", "knee", "other", "yes", "lower_back"])
def test_the_complaint_never_rules_it_out(screening: Screening, complaint: str) -> None:
    assert decide(answers(complaint=complaint), screening).outcome == "clear"


def test_partial_answers_are_clear_so_far(screening: Screening) -> None:
    assert decide({}, screening).outcome == "clear"
    assert decide({"pregnant": NO}, screening).outcome == "clear"
    assert decide({"blood_disorder": YES}, screening).outcome == "ruled_out"


# --- remaining_slots() -------------------------------------------------------


def test_remaining_slots_from_the_start(screening: Screening) -> None:
    assert remaining_slots({}, screening) == [
        "pregnant",
        "blood_disorder",
        "current_infection",
        "infection_risk",
        "complaint",
        CONFIRM_SLOT,
    ]


@pytest.mark.parametrize(("pregnant", "asks_stage"), [(YES, True), (NO, False), (UNSURE, False)])
def test_stage_only_asked_when_pregnant(
    screening: Screening, pregnant: str, asks_stage: bool
) -> None:
    slots = remaining_slots({"pregnant": pregnant}, screening)
    assert ("pregnancy_stage" in slots) is asks_stage
    if asks_stage:
        assert slots[:2] == ["pregnant", "pregnancy_stage"]


def test_later_stage_keeps_asking(screening: Screening) -> None:
    slots = remaining_slots({"pregnant": YES, "pregnancy_stage": "20 weeks"}, screening)
    assert slots == [
        "pregnant",
        "pregnancy_stage",
        "blood_disorder",
        "current_infection",
        "infection_risk",
        "complaint",
        CONFIRM_SLOT,
    ]


def test_once_ruled_out_the_other_questions_are_skipped(screening: Screening) -> None:
    slots = remaining_slots({"pregnant": YES, "pregnancy_stage": "8 weeks"}, screening)
    assert slots == ["pregnant", "pregnancy_stage", CONFIRM_SLOT]
    slots = remaining_slots({"pregnant": NO, "blood_disorder": YES}, screening)
    assert slots == ["pregnant", "blood_disorder", CONFIRM_SLOT]


def test_unknown_stage_skips_the_other_questions(screening: Screening) -> None:
    slots = remaining_slots({"pregnant": YES, "pregnancy_stage": UNSURE}, screening)
    assert slots == ["pregnant", "pregnancy_stage", CONFIRM_SLOT]


def test_not_sure_does_not_skip_questions(screening: Screening) -> None:
    slots = remaining_slots({"pregnant": UNSURE}, screening)
    assert "complaint" in slots and "infection_risk" in slots


def test_confirmation_is_last_and_change_only_after_a_no(screening: Screening) -> None:
    assert remaining_slots(ALL_NO, screening)[-1] == CONFIRM_SLOT
    assert CHANGE_SLOT not in remaining_slots({**ALL_NO, CONFIRM_SLOT: YES}, screening)
    assert remaining_slots({**ALL_NO, CONFIRM_SLOT: NO}, screening)[-2:] == [
        CONFIRM_SLOT,
        CHANGE_SLOT,
    ]


# --- stages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "weeks"),
    [
        ("8 weeks", (8.0, 8.0)),
        ("6.5 weeks", (6.5, 6.5)),
        ("1 week", (1.0, 1.0)),
        ("3 months", (13.0, 13.0)),
        ("6 months", (26.0, 26.0)),
        ("trimester 1", (1.0, 13.0)),
        ("trimester 2", (14.0, 27.0)),
        ("up to 3 months", (0.0, 13.0)),
        ("more than 3 months", (13.1, 42.0)),
        ("about 10 weeks", (8.0, 12.0)),
        ("nearly 14 weeks", (12.0, 14.0)),
        ("26 weeks to go", (12.0, 16.0)),
        ("12 to 14 weeks", (12.0, 14.0)),
        (UNSURE, None),
        ("", None),
        ("soon", None),
    ],
)
def test_pregnancy_week_range(stage: str, weeks: tuple | None) -> None:
    found = pregnancy_week_range(stage)
    assert found == (pytest.approx(weeks) if weeks is not None else None)


def test_three_months_is_exactly_the_limit(screening: Screening) -> None:
    assert pregnancy_week_range("3 months")[1] <= screening.first_months_limit_weeks
    assert pregnancy_in_first_months("3 months", screening) is True
    assert pregnancy_in_first_months("13 weeks", screening) is True
    assert pregnancy_in_first_months("14 weeks", screening) is False
    assert pregnancy_in_first_months("trimester 2", screening) is False
    assert pregnancy_in_first_months(UNSURE, screening) is None
    # a stage that may fall either side of the limit is not clear
    assert pregnancy_in_first_months("about 14 weeks", screening) is None
    assert pregnancy_in_first_months("12 to 14 weeks", screening) is None


def test_a_stage_either_side_of_the_limit_rules_it_out(screening: Screening) -> None:
    for stage in ("about 14 weeks", "nearly 14 weeks", "26 weeks to go", "up to 20 weeks"):
        decision = decide(answers(pregnant=YES, pregnancy_stage=stage), screening)
        assert decision.outcome == "ruled_out", stage
        assert [r.id for r in decision.reasons] == ["pregnancy_stage_unknown"]


def test_a_later_pregnancy_is_named_as_a_caution(screening: Screening) -> None:
    decision = decide(answers(pregnant=YES, pregnancy_stage="20 weeks"), screening)
    assert decision.outcome == "clear"
    assert decision.cautions and "physiotherapist" in decision.cautions[0]
    assert decide(ALL_NO, screening).cautions == ()


def test_summary_lines(screening: Screening) -> None:
    lines = summary_lines(
        answers(pregnant=YES, pregnancy_stage="20 weeks", infection_risk=UNSURE),
        screening,
        TITLES,
    )
    assert lines == [
        "• Pregnant: yes",
        "• How far along: 20 weeks",
        "• Blood disease, bleeding disorder or blood thinners: no",
        "• Infection at the moment: no",
        "• Higher risk of infection (diabetes, lymphatic problems, weakened immune system): "
        "not sure",
        "• Complaint: calf pain",
    ]


def test_summary_skips_unanswered_and_inapplicable(screening: Screening) -> None:
    lines = summary_lines(
        {"pregnant": NO, "pregnancy_stage": "8 weeks", "complaint": "hamstring"}, screening, TITLES
    )
    # stage does not apply when not pregnant; an unknown complaint id is shown as is
    assert lines == ["• Pregnant: no", "• Complaint: hamstring"]
    assert summary_lines({}, screening, TITLES) == []


# --- loading from another folder -------------------------------------------------


def edit_screening(folder: Path, change) -> None:
    path = folder / "screening.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_load_screening_reads_the_folder_from_the_environment(clinic_copy: Path) -> None:
    def change(raw: dict) -> None:
        raw["first_months_limit_weeks"] = 16
        raw["questions"][0]["ask"] = "Are you expecting a baby?"

    edit_screening(clinic_copy, change)
    screening = load_screening()
    assert screening.first_months_limit_weeks == 16
    assert screening.question("pregnant").ask == "Are you expecting a baby?"
    # the clinic's new limit is what the decision uses
    decision = decide(answers(pregnant=YES, pregnancy_stage="14 weeks"), screening)
    assert decision.outcome == "ruled_out"


def test_the_pregnancy_limit_has_one_home(clinic_copy: Path) -> None:
    """Change the one setting: the decision, the buttons and every text follow it."""
    from clinic_assistant.rasa.nlg import ClinicNLG
    from clinic_assistant.screening.prompts import question_responses

    edit_screening(clinic_copy, lambda raw: raw.update(first_months_limit_weeks=16))
    screening = load_screening()
    assert screening.limit_phrase == "16 weeks"
    buttons = question_responses(screening)["utter_ask_pregnancy_stage"][0]["buttons"]
    assert [b["title"] for b in buttons] == ["Up to 16 weeks", "More than 16 weeks", "Not sure"]
    # the buttons' own words are read back on the right side of the new limit
    from clinic_assistant.screening.answers import parse_pregnancy_stage

    up_to, more_than = (parse_pregnancy_stage(b["payload"]) for b in buttons[:2])
    assert pregnancy_in_first_months(up_to, screening) is True
    assert pregnancy_in_first_months(more_than, screening) is False
    texts = [c.title + c.explanation for c in screening.contraindications.values()]
    texts += list(screening.condition_answers.values())
    assert all("3 months" not in t for t in texts)
    assert "first 16 weeks" in screening.contraindications["early_pregnancy"].explanation
    assert ClinicNLG().clinic_values["pregnancy_limit"] == "16 weeks"


def test_no_other_file_states_the_pregnancy_limit() -> None:
    """ "3 months" / "13 weeks" as the limit live only in the setting's comment."""
    places = [
        *(PROJECT_ROOT / "clinic_assistant").rglob("*.py"),
        *(PROJECT_ROOT / "actions").rglob("*.py"),
        PROJECT_ROOT / "domain.yml",
        *(PROJECT_ROOT / "clinic").glob("*.yml"),
    ]
    for path in places:
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.name == "screening.yml":
            lines = [line for line in lines if not line.lstrip().startswith("#")]
        for line in lines:
            for limit in ("3 months", "13 weeks", "three months"):
                assert limit not in line.lower(), f"{path.name}: {line.strip()}"


def test_load_screening_with_an_explicit_path(clinic_copy: Path) -> None:
    def drop_infection_risk(raw: dict) -> None:
        raw["questions"] = [q for q in raw["questions"] if q["slot"] != "infection_risk"]

    edit_screening(clinic_copy, drop_infection_risk)
    screening = load_screening(clinic_copy / "screening.yml")
    assert "infection_risk" not in screening.answer_slots
    assert "infection_risk" not in remaining_slots({}, screening)
    # the real file is untouched
    assert (
        "infection_risk" in load_screening(PROJECT_ROOT / "clinic" / "screening.yml").answer_slots
    )
