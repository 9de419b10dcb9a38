"""What every channel does to a message's text before the assistant reads it."""

from __future__ import annotations

import pytest

from clinic_assistant.channels.safe import BadMessage, clean_text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("no comma I'm not pregnant full stop", "no, I'm not pregnant."),
        ("can I book for my calf question mark", "can I book for my calf?"),
        ("No Full Stop no infection exclamation mark", "No. no infection!"),
        ("no new line no", "no\nno"),
        # words that only look like punctuation stay
        ("my period is late", "my period is late"),
        ("commander of the running club", "commander of the running club"),
        ("tab\there", "tab\there"),
        ("zero\u200bwidth", "zero width"),
    ],
)
def test_spoken_punctuation_and_control_characters(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize("raw", [None, 3, "", "   ", "x" * 2001])
def test_bad_text_is_refused_with_a_reason(raw: object) -> None:
    with pytest.raises(BadMessage):
        clean_text(raw)
