"""Answers "is dry needling OK with <condition>?" from clinic/screening.yml."""

from __future__ import annotations

from typing import List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_mentions
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
    return (
        " ".join(answers)
        + " If you'd like, say \"can I book?\" and I'll check the rest with a few quick questions."
    )


class ActionAnswerContraindication(Action):
    def name(self) -> str:
        return "action_answer_contraindication"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        conditions = [
            m.id for m in latest_mentions(tracker) if m.label in ("condition", "medication")
        ]
        dispatcher.utter_message(text=contraindication_answer(conditions, load_screening()))
        return []
