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


def stage_buttons(screening: Screening) -> List[Dict[str, str]]:
    """Either side of the pregnancy limit, in words from its one setting."""
    limit = screening.limit_phrase
    return [
        {"title": f"Up to {limit}", "payload": f"up to {limit}"},
        {"title": f"More than {limit}", "payload": f"more than {limit}"},
        {"title": "Not sure", "payload": "Not sure"},
    ]


def question_buttons(
    question: Question, screening: Screening | None = None
) -> List[Dict[str, str]]:
    if question.kind == "complaint":
        injuries = load_injuries()
        return [
            {"title": injuries[o].button, "payload": injuries[o].button} for o in question.options
        ]
    if question.kind == "pregnancy_stage":
        return stage_buttons(screening or load_screening())
    return [dict(button) for button in YES_NO_BUTTONS]


def question_responses(screening: Screening | None = None) -> Dict[str, List[Dict[str, Any]]]:
    """`utter_ask_<slot>` for every screening question, in Rasa's response format."""
    screening = screening or load_screening()
    return {
        f"utter_ask_{q.slot}": [{"text": q.ask, "buttons": question_buttons(q, screening)}]
        for q in screening.questions
    }
