"""The cautious answers the runner's earlier messages give the screening (actions/common.py)."""

from __future__ import annotations

from actions.common import cautious_answers

PASTED = (
    "Are you pregnant at the moment? N\n"
    "Do you have an infection right now, for example a fever, the flu or an infected wound? N\n"
    "knee"
)


def test_a_condition_said_earlier_is_kept() -> None:
    assert cautious_answers(["I'm pregnant, can I book?"])["pregnant"] == "yes"


def test_the_screenings_own_questions_pasted_back_with_no_name_no_condition() -> None:
    assert cautious_answers([PASTED]) == {}
    # a "Y" to one of them, or more words after an "N": every word is read
    assert cautious_answers([PASTED.replace("moment? N", "moment? Y")])["pregnant"] == "yes"
    with_more = PASTED.replace("wound? N", "wound? N but I have the flu")
    assert cautious_answers([with_more])["current_infection"] == "yes"
