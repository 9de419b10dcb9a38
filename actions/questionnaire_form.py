"""Generic form validation: one base class for any question-by-question form.

It reads the answer to the requested question from free text or a button,
accepts answers the runner volunteers for other questions (and corrections),
explains and re-asks an unclear answer, and stops politely after too many.
Messages that are not answers (an article question, "why do you ask?") are
left to the rules, which answer them and return to the form.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from typing import Any, Dict, FrozenSet, List, Tuple

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import earlier_user_texts, latest_text
from clinic_assistant import PROJECT_ROOT
from clinic_assistant.commands import is_command

RULES_DIR = PROJECT_ROOT / "data" / "rules"
UNCLEAR_SLOT = "unclear_answers"
STOPPED_SLOT = "screening_stopped"


@cache
def rule_interruptions(form: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(interruptions, stops) of a form, read from the rules (data/rules/), their one home.

    A rule that applies while the form is active and starts with an intent makes
    that intent an interruption: not an answer, the rule handles it. If the rule
    also deactivates the form (`active_loop: null`), the intent stops the form.
    """
    interruptions, stops = set(), set()
    for path in sorted(RULES_DIR.glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            steps = rule.get("steps") or []
            if {"active_loop": form} not in (rule.get("condition") or []):
                continue
            if not steps or "intent" not in steps[0]:
                continue
            interruptions.add(steps[0]["intent"])
            if {"active_loop": None} in steps:
                stops.add(steps[0]["intent"])
    return frozenset(interruptions), frozenset(stops)


class QuestionnaireValidation(FormValidationAction, ABC):
    max_unclear_answers = 2

    @property
    def interruption_intents(self) -> FrozenSet[str]:
        """Intents that are not answers: the rules handle them, then the form resumes."""
        return rule_interruptions(self.form_name())[0]

    @property
    def stop_intents(self) -> FrozenSet[str]:
        """Intents that always win over any answer in the message: the rules stop the
        form (a red flag in "I'm pregnant and have chest pain" is never missed)."""
        return rule_interruptions(self.form_name())[1]

    # an answer read with this value is not stored: the runner confirms it first
    confirm_value = "check"

    @abstractmethod
    def next_slots(self, answers: Dict[str, Any]) -> List[str]:
        """The slots still to ask, in order, given the answers so far."""

    @abstractmethod
    def parse_answer(self, slot: str, tracker: Tracker) -> Dict[str, Any] | None:
        """Slot values read from the latest message as an answer to `slot`."""

    @abstractmethod
    def volunteered(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        """Answers to any question found in the latest message (every message is
        read, whatever was asked); may tell the runner how it was read."""

    @abstractmethod
    def explain_unclear(self, slot: str, dispatcher: CollectingDispatcher, text: str = "") -> None:
        """What to say when `text` did not answer `slot`."""

    @abstractmethod
    def ask_to_confirm(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        """The answer sounded like `confirm_value`: ask the runner to confirm it."""

    @abstractmethod
    def give_up(self, dispatcher: CollectingDispatcher) -> None: ...

    def on_activation(
        self, tracker: Tracker, dispatcher: CollectingDispatcher
    ) -> List[EventType] | None:
        """Runs once when the form starts; events returned end it at once."""
        return None

    def earlier_answers(self, tracker: Tracker) -> Dict[str, Any]:
        """Answers given before the form started (read from earlier messages)."""
        return {}

    def contradicts(self, slot: str, before: Any, after: Any) -> bool:
        """Whether a new answer contradicts the earlier one."""
        return False

    def contradiction_value(self, slot: str) -> Any:
        """What a contradicted answer becomes (e.g. "not sure" until someone checks)."""
        return None

    def explain_contradiction(self, slot: str, dispatcher: CollectingDispatcher) -> None: ...

    def doubted_by_unclear(self, slot: str, unclear: List[str], answer: Any) -> bool:
        """Whether what the runner wrote before (`unclear`: the answers to this question
        the form could not read) casts doubt on the answer it can read now."""
        return False

    def explain_doubt(self, slot: str, dispatcher: CollectingDispatcher) -> None: ...

    def answer_overrides_intent(
        self, slot: str, intent: str, updates: Dict[str, Any], text: str
    ) -> bool:
        """Whether an answer read from the message counts even though the message
        was classified as an interruption (e.g. the button "Knee" as a question)."""
        return False

    def asks_to_stop(self, intent: str, text: str) -> bool:
        """Whether a message the classifier took for a stop intent (`intent`) really is
        one; a form may require the words of a request, so that a statement the
        classifier misread ("I wouldn't call it weakened, ...") is no cancel."""
        return True

    def latest_intent(self, tracker: Tracker) -> str | None:
        """The classifier's own verdict on the latest message: nlu_fallback is not
        replaced by the runner-up intent (rasa_sdk's default), which may look like an
        interruption; a stop intent without the words of a stop is none (None)."""
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        text = latest_text(tracker)
        if (
            intent in self.stop_intents
            and not is_command(text)
            and not self.asks_to_stop(intent, text)
        ):
            return None
        return intent

    def after_answers(self, answers: Dict[str, Any], requested: str | None) -> Dict[str, Any]:
        """Extra slot changes implied by new answers (e.g. reset a question to re-ask)."""
        return {}

    def acknowledge_changes(self, changed: List[str], dispatcher: CollectingDispatcher) -> None:
        """Tell the runner an earlier answer was updated."""

    def domain_answers(self, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        return {slot: tracker.get_slot(slot) for slot in self.domain_slots(domain)}

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[str]:
        return self.next_slots(self.domain_answers(tracker, domain))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # Rasa runs the validation with no requested slot only when the form starts
        # (its temporary tracker already shows the form as the active loop)
        activating = tracker.get_slot(REQUESTED_SLOT) is None
        if activating:
            stop = self.on_activation(tracker, dispatcher)
            if stop is not None:
                return stop
        requested = tracker.get_slot(REQUESTED_SLOT)
        intent = self.latest_intent(tracker)
        is_payload = is_command(latest_text(tracker))
        updates = dict((self.parse_answer(requested, tracker) if requested else None) or {})
        if (
            requested
            and intent in self.interruption_intents
            and not is_payload
            and not self.answer_overrides_intent(requested, intent, updates, latest_text(tracker))
        ):
            if intent in self.stop_intents:
                return [SlotSet(REQUESTED_SLOT, requested)]
            updates = {}
        to_confirm = updates.get(requested) == self.confirm_value
        if to_confirm:
            del updates[requested]
        # every message is read for new facts; the answer to the question asked
        # and what the message volunteers are combined by the subclass's rules
        volunteered = self.volunteered(tracker, dispatcher)
        for slot, value in volunteered.items():
            updates[slot] = self.combine(slot, updates.get(slot), value)
        answers = self.domain_answers(tracker, domain)
        if activating:  # facts from before the form count as earlier answers
            for slot, value in self.earlier_answers(tracker).items():
                if answers.get(slot) is None:
                    answers[slot] = value
                    updates.setdefault(slot, value)

        if requested and not updates:
            if to_confirm:
                return self._unclear(requested, tracker, dispatcher, confirm=True)
            if intent in self.interruption_intents and not self.answer_overrides_intent(
                requested, intent, updates, latest_text(tracker)
            ):
                # Not an answer: Rasa rejects the form, a rule answers, and the form
                # resumes with the same question (no slot is set, only kept requested).
                return [SlotSet(REQUESTED_SLOT, requested)]
            return self._unclear(requested, tracker, dispatcher)

        contradicted = [
            slot
            for slot, value in updates.items()
            if self.contradicts(slot, answers.get(slot), value)
        ]
        # "in the pudding club 🙈" could not be read, then "No": which one is true?
        unclear_count = int(tracker.get_slot(UNCLEAR_SLOT) or 0)
        doubted = (
            requested in updates
            and requested not in contradicted
            and unclear_count > 0
            and self.doubted_by_unclear(
                requested, earlier_user_texts(tracker)[-unclear_count:], updates[requested]
            )
        )
        if doubted:
            contradicted.append(requested)
        changed = [
            s
            for s, v in updates.items()
            if s != requested and answers.get(s) not in (None, v) and s not in contradicted
        ]
        answers.update(updates)
        for slot in contradicted:
            updates[slot] = answers[slot] = self.contradiction_value(slot)
        updates.update(self.after_answers(answers, requested))
        answers.update(updates)
        if changed:
            self.acknowledge_changes(changed, dispatcher)
        if doubted:
            self.explain_doubt(requested, dispatcher)
        elif contradicted:
            self.explain_contradiction(contradicted[0], dispatcher)
        next_slot = next((s for s in self.next_slots(answers) if answers.get(s) is None), None)
        return [
            *(SlotSet(slot, value) for slot, value in updates.items()),
            SlotSet(UNCLEAR_SLOT, 0),
            SlotSet(REQUESTED_SLOT, next_slot),
        ]

    def combine(self, slot: str, answered: Any, volunteered: Any) -> Any:
        """The answer to the question asked and a fact the message volunteers for
        the same slot; by default the volunteered fact wins."""
        return volunteered

    def _unclear(
        self,
        requested: str,
        tracker: Tracker,
        dispatcher: CollectingDispatcher,
        confirm: bool = False,
    ) -> List[EventType]:
        count = int(tracker.get_slot(UNCLEAR_SLOT) or 0) + 1
        if count > self.max_unclear_answers:
            self.give_up(dispatcher)
            return [
                SlotSet(UNCLEAR_SLOT, 0),
                SlotSet(STOPPED_SLOT, "unclear"),
                SlotSet(REQUESTED_SLOT, None),
            ]
        if confirm:
            self.ask_to_confirm(requested, dispatcher)
        else:
            self.explain_unclear(requested, dispatcher, latest_text(tracker))
        return [SlotSet(UNCLEAR_SLOT, count), SlotSet(REQUESTED_SLOT, requested)]
