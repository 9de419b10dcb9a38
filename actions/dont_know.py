"""The honest "I can't answer that one", with the questions it may have meant.

When the answer guard was unsure (clinic_assistant/rasa/answer_guard.py), it
names up to two FAQ answers the question may have meant. They are offered as
buttons with each answer's title (its `metadata.title` in data/nlu/), before
the offer to pass the question on: tapping one sends the title, which is an
example of its own question, so the runner gets that answer. Never an answer
given on a guess.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.red_flag import alarm_if_told_in_pieces
from clinic_assistant.rasa.content_answers import DONT_KNOW, DONT_KNOW_WITH_SUGGESTIONS, SUGGESTIONS


def answer_title(domain: DomainDict, key: str) -> str | None:
    """The short question that names an FAQ answer ("faq/cost": "How much does it cost?")."""
    variations = domain.get("responses", {}).get(f"utter_{key}") or [{}]
    return (variations[0].get("metadata") or {}).get("title")


def suggestion_buttons(tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
    keys = tracker.latest_message.get(SUGGESTIONS) or []
    titles = [title for title in (answer_title(domain, key) for key in keys) if title]
    return [{"title": title, "payload": title} for title in titles]


class ActionDontKnow(Action):
    def name(self) -> str:
        return "action_dont_know"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # "my heart went like the clappers" / "just my head went all spinny" after the
        # link: neither message is a question or a red flag alone, together they are one
        # (principles 4 and 5: every message read, a false alarm before a missed one)
        if (alarm := alarm_if_told_in_pieces(dispatcher, tracker)) is not None:
            return alarm
        suggestions = suggestion_buttons(tracker, domain)
        if not suggestions:
            dispatcher.utter_message(response=DONT_KNOW)
            return []
        # the offer's own buttons (pass the question on, no thanks) follow the suggestions
        offer = domain["responses"][DONT_KNOW][0].get("buttons") or []
        dispatcher.utter_message(response=DONT_KNOW_WITH_SUGGESTIONS, buttons=suggestions + offer)
        return []
