"""The runner's right of access, in the chat: "what do you store about me?"

A readable summary of what the conversation store keeps of this conversation:
the runner's messages, the screening answers recorded (the stored events keep
them even after the assistant forgot them), a question left for the clinic,
and how long it is kept (utter_my_data_kept, which reads the retention period
from the same setting as the clean-up). Built only from the tracker of this
conversation, so it can show nobody else's data. The tracker the action server
receives holds the current session; older sessions of the same conversation id
are mentioned, not shown (staff can export everything: `make export`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import RED_FLAG_SLOT, screening_message
from actions.validate_question_form import CONTACT_SLOT, NO_CONTACT, QUESTION_SLOT
from clinic_assistant.indications import load_injuries
from clinic_assistant.screening.rules import load_screening, summary_lines

SHOWN_MESSAGES = 8  # the latest ones, word for word
CLIP = 120  # characters of each shown message


def _time(event: Dict[str, Any]) -> str:
    stamp = event.get("timestamp")
    if stamp is None:
        return ""
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%d %b %H:%M UTC")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def recorded_values(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The last value each slot was given in these events (a later None clears
    the live slot, not the stored event, so it does not hide the value)."""
    values: Dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot" and event.get("value") not in (None, "", 0):
            values[event["name"]] = event["value"]
    return values


def summary_text(events: List[Dict[str, Any]]) -> str:
    messages = [e for e in events if e.get("event") == "user" and e.get("text")]
    lines = [screening_message("my_data_intro")]
    lines.append(screening_message("my_data_messages", count=str(len(messages))))
    shown = messages[-SHOWN_MESSAGES:]
    if len(messages) > len(shown):
        lines.append("  " + screening_message("my_data_latest", count=str(len(shown))))
    lines += [f"  {_time(e)}: “{_clip(e['text'])}”" for e in shown]
    lines.append(screening_message("my_data_replies"))
    values = recorded_values(events)
    screening = load_screening()
    titles = {key: injury.title for key, injury in load_injuries().items()}
    answers = summary_lines({slot: values.get(slot) for slot in screening.answer_slots},
                            screening, titles)  # fmt: skip
    if answers:
        lines.append(screening_message("my_data_answers"))
        lines += ["  " + line for line in answers]
    else:
        lines.append(screening_message("my_data_no_answers"))
    if values.get(RED_FLAG_SLOT):
        lines.append(screening_message("my_data_red_flag"))
    if values.get(QUESTION_SLOT):
        contact = values.get(CONTACT_SLOT)
        contact = (
            screening_message("my_data_no_contact")
            if contact in (None, NO_CONTACT)
            else screening_message("my_data_contact", contact=contact)
        )
        question = _clip(values[QUESTION_SLOT])
        lines.append(screening_message("my_data_question", question=question, contact=contact))
    return "\n".join(lines)


class ActionShowMyData(Action):
    def name(self) -> str:
        return "action_show_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(text=summary_text(list(tracker.events)))
        dispatcher.utter_message(response="utter_my_data_kept")
        return []
