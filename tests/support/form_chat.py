"""The screening form's validation over a conversation, without servers: the unit
tests of the form send messages with the intent the classifier would give them."""

from __future__ import annotations

from typing import Any, Dict, List

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.validate_screening_form import ValidateScreeningForm
from clinic_assistant import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
YES_NO = ("pregnant", "blood_disorder", "current_infection", "infection_risk")
# the questions before each one, answered "No"
BEFORE = {
    "blood_disorder": {"pregnant": "no"},
    "current_infection": {"pregnant": "no", "blood_disorder": "no"},
    "infection_risk": {"pregnant": "no", "blood_disorder": "no", "current_infection": "no"},
}


class Chat:
    """The form's validation over a conversation, as Rasa runs it: the slots and the
    session's events carry over from one message to the next."""

    def __init__(self, **slots: Any) -> None:
        self.slots: Dict[str, Any] = {"unclear_answers": 0, **slots}
        self.events: List[Dict[str, Any]] = [{"event": "session_started"}]
        self.replies: List[str] = []
        self.returned: List[Dict[str, Any]] = []

    @classmethod
    def at(cls, slot: str) -> Chat:
        """A chat at the question `slot`, the questions before it answered "No"."""
        return cls(**BEFORE.get(slot, {}), requested_slot=slot)

    async def say(self, text: str, intent: str = "inform") -> List[str]:
        self.events.append(
            {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
        )
        tracker = Tracker(
            sender_id="unit",
            slots=dict(self.slots),
            latest_message={
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "intent_ranking": [{"name": intent, "confidence": 0.9}],
                "entities": [],
            },
            events=list(self.events),
            paused=False,
            followup_action=None,
            active_loop={"name": "screening_form"},
            latest_action_name="action_listen",
        )
        dispatcher = CollectingDispatcher()
        self.returned = await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN)
        for event in self.returned:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            self.events.append(event)
        self.replies = [message.get("text") or "" for message in dispatcher.messages]
        return self.replies

    @property
    def asked(self) -> str | None:
        return self.slots.get("requested_slot")

    @property
    def gave_way(self) -> bool:
        """Whether the form left the message to the rules (a cancel, an FAQ answer):
        it only kept the question requested, so Rasa rejects the form."""
        return all(
            event.get("event") == "slot" and event.get("name") == "requested_slot"
            for event in self.returned
        )

    @classmethod
    async def booked_until(cls, slot: str, request: str = "can I book") -> Chat:
        """A chat that asked to book, then answered "No" up to the question `slot`."""
        chat = cls()
        await chat.say(request, "request_booking")
        await chat.answer_no_until(slot)
        return chat

    async def answer_no_until(self, slot: str) -> None:
        for _ in range(8):
            if self.asked == slot:
                return
            assert self.asked in YES_NO, self.asked
            await self.say("No", "deny")
        raise AssertionError(f"{slot} was never asked")
