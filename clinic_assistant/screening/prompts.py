"""The screening questions as Rasa responses, built from clinic/screening.yml.

The form asks each question with the response `utter_ask_<slot>`; ClinicNLG
takes the text and buttons from here, so staff edit a question in one place and
asking it costs no action server round trip. Buttons send plain words ("No"), so
they read the same in the widget, in rasa shell and as a numbered list on
WhatsApp/SMS.
"""

from __future__ import annotations

from typing import Any, Dict, List

from clinic_assistant.indications import load_injuries
from clinic_assistant.screening.rules import Question, Screening, load_screening

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


def question_buttons(question: Question) -> List[Dict[str, str]]:
    if question.kind == "complaint":
        injuries = load_injuries()
        return [
            {"title": injuries[o].button, "payload": injuries[o].button} for o in question.options
        ]
    buttons = STAGE_BUTTONS if question.kind == "pregnancy_stage" else YES_NO_BUTTONS
    return [dict(button) for button in buttons]


def question_responses(screening: Screening | None = None) -> Dict[str, List[Dict[str, Any]]]:
    """`utter_ask_<slot>` for every screening question, in Rasa's response format."""
    return {
        f"utter_ask_{q.slot}": [{"text": q.ask, "buttons": question_buttons(q)}]
        for q in (screening or load_screening()).questions
    }
