"""Only a message that is nothing but a Rasa command skips the reading (principle 4)."""

import pytest

from clinic_assistant.commands import is_command


@pytest.mark.parametrize(
    "text", ["/restart", "/greet", '/inform{"pregnant": "no"}', "/affirm@0.9", " /restart "]
)
def test_a_bare_command(text: str) -> None:
    assert is_command(text)


@pytest.mark.parametrize(
    "text",
    [
        "/book needling for my calf pls, on warfarin btw",
        "/start hi! 8 weeks pregnant",
        '/inform{"blood_disorder": "no"} but I take apixaban',
        "/help my calf is red hot and swollen",
        "/",
        "no /restart",
        "I'm on warfarin",
        "",
    ],
)
def test_words_are_read(text: str) -> None:
    assert not is_command(text)
