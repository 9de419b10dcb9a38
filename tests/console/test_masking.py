"""Masking identifying details, normalising and grouping what runners asked."""

from __future__ import annotations

import pytest

from clinic_assistant.console.masking import group_messages, mask, normalise


@pytest.mark.parametrize(
    "text, hidden, kept",
    [
        ("Hi, I'm Siobhan, do you have parking?", ["Siobhan"], ["parking"]),
        ("my name is john smith and I need a bike rack", ["john", "smith"], ["bike rack"]),
        ("Can Dr. Jansen see me on Monday?", ["Jansen"], ["see me"]),
        ("Ask Siobhan Murphy to call me", ["Siobhan", "Murphy"], ["call me"]),
        ("I'm Mark, is there a shower?", ["Mark"], ["shower"]),
        ("mail me at sarah.o-neill+runs@example.co.uk please", ["sarah", "example"], ["mail me"]),
        ("call 06-12345678 or +44 (0)20 7946 0958", ["12345678", "7946"], ["call"]),
        ("my phone is 0612 345 678", ["345"], ["my phone is"]),
        ("I ran a marathon on 12/03/2024 and on 3 March", ["12/03", "3 March"], ["marathon"]),
        ("member number 123456789", ["123456789"], ["member number"]),
        ("see https://example.com/me?id=9", ["example.com"], ["see"]),
    ],
)
def test_identifying_details_are_masked(text: str, hidden: list, kept: list) -> None:
    masked = mask(text)
    for part in hidden:
        assert part not in masked, masked
    for part in kept:
        assert part in masked, masked


def test_a_message_with_a_name_an_email_and_a_phone_number() -> None:
    masked = mask(
        "Hello, Siobhan O'Reilly here, siobhan@example.ie / 0871234567: do you do gait analysis?"
    )
    assert masked == "Hello, <name> here, <email> / <phone>: do you do gait analysis?"


def test_ordinary_and_clinic_words_are_not_names() -> None:
    text = "Does dry needling help my Achilles? I take Warfarin. Is it OK after a Marathon?"
    assert mask(text) == text


def test_titles_days_and_months_are_not_names() -> None:
    assert (
        mask("Can Dr. Jansen see me on Sundays in May?")
        == "Can Dr. <name> see me on Sundays in May?"
    )


def test_short_numbers_and_times_stay() -> None:
    assert mask("3 sessions of 30 minutes, 45 euro") == "3 sessions of 30 minutes, 45 euro"


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert (
        normalise("Do  you have LOCKERS?!")
        == normalise("do you have lockers")
        == ("do you have lockers")
    )
    assert normalise(mask("I'm Siobhan: parking?")) == "i'm <name> parking"


def test_similar_questions_are_grouped_with_counts_and_first_and_last_seen() -> None:
    messages = [
        ("Do you have lockers?", 100.0, "dont_know"),
        ("do you have lockers", 300.0, "dont_know"),
        ("Are there lockers for my bag?", 200.0, "out_of_scope"),
        ("do you have lockers for bags", 250.0, "dont_know"),
        ("Can I bring my dog?", 150.0, "dont_know"),
        ("best etf for beginners", 400.0, "out_of_scope"),
    ]
    groups = group_messages(messages)
    lockers = groups[0]
    assert lockers.count == 4
    assert lockers.first_seen == 100.0 and lockers.last_seen == 300.0
    assert lockers.wordings[0] == "Do you have lockers?"  # the most frequent wording
    assert lockers.kinds == {"dont_know": 3, "out_of_scope": 1}
    assert sorted(g.count for g in groups) == [1, 1, 4]
    assert {g.wordings[0] for g in groups[1:]} == {"Can I bring my dog?", "best etf for beginners"}


def test_different_questions_with_common_words_stay_apart() -> None:
    groups = group_messages(
        [
            ("do you have parking at the clinic", 1.0, "dont_know"),
            ("do you have a shower at the clinic", 2.0, "dont_know"),
        ]
    )
    assert len(groups) == 2
