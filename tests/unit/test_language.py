"""Which messages are read as another language (clinic_assistant/language.py): they get the
reply with the emergency number instead of an unrelated English answer."""

from __future__ import annotations

import pytest

from clinic_assistant.language import foreign_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ik heb pijn in mijn kuit, kan ik een afspraak maken", "nl"),
        ("je suis enceinte, est-ce que je peux prendre rendez-vous", "fr"),
        ("boli mnie łydka, czy mogę umówić wizytę", "pl"),
        ("mam ból w klatce piersiowej podczas biegania", "pl"),
        # another script, whatever the language
        ("走ると胸が痛いです", "other"),
        ("Хочу записаться на приём", "other"),
        ("أريد حجز موعد", "other"),
    ],
)
def test_another_language_is_recognised(text: str, language: str) -> None:
    assert foreign_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "can I book dry needling for my calf?",
        "my name is Zoë and my achilles hurts",
        "my calf hurts 😭😭",
        "ran the Łódź marathon last month, can I book?",
        "the race in Tokyo (東京) wrecked my calves",
    ],
)
def test_english_with_a_foreign_name_stays_english(text: str) -> None:
    assert foreign_language(text) is None
