"""Answers "is dry needling OK with <condition>?" from clinic/screening.yml."""

from __future__ import annotations

from typing import List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_mentions
from clinic_assistant.screening.rules import Screening, load_screening

GENERAL_ANSWER = (
    "Dry needling is not recommended for women in the first 3 months of pregnancy, for people "
    "with blood diseases, for people with an infection, and for people with an increased risk "
    "of infection, such as people with diabetes or lymphatic problems. Before you book, I'll "
    "ask you a few quick questions about these, and the physiotherapist always makes the final "
    "decision."
)


def contraindication_answer(condition_ids: Sequence[str], screening: Screening) -> str:
    answers = [
        screening.condition_answers[c]
        for c in dict.fromkeys(condition_ids)
        if c in screening.condition_answers
    ]
    if not answers:
        return GENERAL_ANSWER
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
