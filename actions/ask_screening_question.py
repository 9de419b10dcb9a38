"""The `action_ask_<slot>` actions: each screening question, with buttons.

Question texts come from clinic/screening.yml, so staff edit them in one place.
Buttons send plain words ("No"), so they read the same in the widget, in
rasa shell and as a numbered list on WhatsApp/SMS.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from clinic_assistant.indications import load_injuries
from clinic_assistant.screening.rules import load_screening, summary_lines

YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "Yes"},
    {"title": "No", "payload": "No"},
    {"title": "Not sure", "payload": "Not sure"},
]
STAGE_BUTTONS = [
    {"title": "Up to 3 months", "payload": "up to 3 months"},
    {"title": "More than 3 months", "payload": "more than 3 months"},
    {"title": "Not sure", "payload": "Not sure"},
]


def question_buttons(slot: str) -> List[Dict[str, str]]:
    question = load_screening().question(slot)
    if question.kind == "complaint":
        injuries = load_injuries()
        return [
            {"title": injuries[o].button, "payload": injuries[o].button} for o in question.options
        ]
    return STAGE_BUTTONS if question.kind == "pregnancy_stage" else YES_NO_BUTTONS


class AskScreeningQuestion(Action, ABC):
    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for; subclasses set it as a class attribute."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        question = load_screening().question(self.slot)
        dispatcher.utter_message(text=question.ask, buttons=question_buttons(self.slot))
        return []


class AskPregnant(AskScreeningQuestion):
    slot = "pregnant"


class AskPregnancyStage(AskScreeningQuestion):
    slot = "pregnancy_stage"


class AskBloodDisorder(AskScreeningQuestion):
    slot = "blood_disorder"


class AskCurrentInfection(AskScreeningQuestion):
    slot = "current_infection"


class AskInfectionRisk(AskScreeningQuestion):
    slot = "infection_risk"


class AskComplaint(AskScreeningQuestion):
    slot = "complaint"


def current_answers(tracker: Tracker) -> Dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in load_screening().answer_slots}


class AskAnswersConfirmed(Action):
    """Repeats the answers back before the conclusion, so they can be corrected."""

    def name(self) -> str:
        return "action_ask_answers_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        titles = {key: injury.title for key, injury in load_injuries().items()}
        lines = summary_lines(current_answers(tracker), load_screening(), titles)
        dispatcher.utter_message(
            text="Here's what you told me:\n" + "\n".join(lines) + "\nIs that right?",
            buttons=[
                {"title": "Yes, that's right", "payload": "Yes, that's right"},
                {"title": "Change an answer", "payload": "Change an answer"},
            ],
        )
        return []


class AskAnswerToChange(Action):
    def name(self) -> str:
        return "action_ask_answer_to_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        screening = load_screening()
        answered = [s for s, v in current_answers(tracker).items() if v is not None]
        buttons = [
            {"title": screening.question(s).summary, "payload": screening.question(s).summary}
            for s in answered
        ]
        dispatcher.utter_message(text="Which answer would you like to change?", buttons=buttons)
        return []
