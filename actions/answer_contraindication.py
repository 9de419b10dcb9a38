"""Answers "is dry needling OK with <condition>?" from clinic/screening.yml."""

from __future__ import annotations

from typing import List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    booking_link_was_shown,
    latest_mentions,
    latest_text,
    screening_message,
)
from clinic_assistant.screening.answers import speaks_of_self
from clinic_assistant.screening.rules import Screening, load_screening


def general_answer(screening: Screening) -> str:
    return screening.messages["general_answer"].format(
        contraindications=screening.contraindication_list
    )


def contraindication_answer(condition_ids: Sequence[str], screening: Screening) -> str:
    answers = [
        screening.condition_answers[c]
        for c in dict.fromkeys(condition_ids)
        if c in screening.condition_answers
    ]
    if not answers:
        return general_answer(screening)
    return " ".join([*answers, screening.messages["offer_screening"]])


class ActionAnswerContraindication(Action):
    def name(self) -> str:
        return "action_answer_contraindication"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        mentions = [m for m in latest_mentions(tracker) if m.label in ("condition", "medication")]
        dispatcher.utter_message(
            text=contraindication_answer([m.id for m in mentions], load_screening())
        )
        own = [m for m in mentions if not m.other_person and not m.negated]
        if own and speaks_of_self(latest_text(tracker)) and booking_link_was_shown(tracker):
            # "is it still ok if I'm on warfarin?" after the link: every message is
            # read after the conclusion too (safety-principles 4)
            dispatcher.utter_message(text=screening_message("link_withdrawn"))
        return []
