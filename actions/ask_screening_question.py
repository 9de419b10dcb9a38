"""The form's two dynamic prompts: the summary of the answers, and which answer to change.

The screening questions themselves are responses (`utter_ask_<slot>`, text and
buttons from clinic/screening.yml via ClinicNLG), so asking them needs no
action server round trip; these two depend on the answers given so far.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import confirmation_titles, screening_message
from clinic_assistant.indications import load_injuries
from clinic_assistant.screening.rules import load_screening, summary_lines


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
            text=screening_message("summary", answers="\n".join(lines)),
            buttons=[{"title": title, "payload": title} for title in confirmation_titles()],
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
        dispatcher.utter_message(text=screening_message("choose_answer"), buttons=buttons)
        return []
