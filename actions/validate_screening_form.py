"""Validation for screening_form: the screening questions of clinic/screening.yml.

Every message is read for screening facts, whatever was asked (clinic safety
principle 4): the answer to the question, facts volunteered for other
questions, corrections, facts added at the confirmation, and facts from earlier
in the conversation when the form starts. A later answer that is less cautious
than an earlier one is asked about again (principle 6).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import (
    RED_FLAG_SLOT,
    SAID_BEFORE_START_OVER_SLOT,
    booking_link_was_shown,
    cautious_answers,
    confirmation_titles,
    earlier_user_texts,
    latest_mentions,
    latest_text,
    nlp,
    other_language_in_session,
    screening_message,
)
from actions.questionnaire_form import STOPPED_SLOT, UNCLEAR_SLOT, QuestionnaireValidation
from clinic_assistant.commands import is_command
from clinic_assistant.indications import load_injuries
from clinic_assistant.nlp.pipeline import find_mentions
from clinic_assistant.screening.answers import (
    normalise,
    parse_confirmation,
    parse_pregnancy_stage,
    parse_yes_no,
    states_something,
)
from clinic_assistant.screening.prompts import question_buttons
from clinic_assistant.screening.rules import (
    CHANGE_SLOT,
    CHECK,
    CONFIRM_SLOT,
    NO,
    UNSURE,
    YES,
    load_screening,
    pregnancy_in_first_months,
    remaining_slots,
)
from clinic_assistant.screening.volunteered import (
    PRECEDENCE,
    Reading,
    asks_what_it_means,
    read_message,
    read_yes_no_answer,
)

# Words that pick the question to change, besides its number in the list.
CHANGE_KEYWORDS = {
    "pregnant": ("pregnan", "baby", "expecting"),
    "pregnancy_stage": ("far along", "weeks", "months", "trimester", "stage"),
    "blood_disorder": ("blood", "bleed", "thinner", "haemophilia", "hemophilia", "warfarin"),
    "current_infection": ("infection", "fever", "flu", "infected"),
    "infection_risk": ("risk", "diabet", "lymph", "immune"),
    "complaint": ("complaint", "injury", "pain", "problem", "brings"),
}


# "wait, it's actually for me not him", "I'm the one getting needled", "actually it's
# for my wife": the answers so far were about someone else (safety principle 8)
_PERSON = (
    r"(?:me|myself|my (?:wife|husband|partner|boyfriend|girlfriend|son|daughter|mum|mom|"
    r"dad|friend|brother|sister|mate|kid|child|other half))"
)
# someone other than the runner, named in the session: without one, "it's actually
# for me" changes nobody (and must not wipe the runner's own "yes")
_OTHER_PERSON = re.compile(
    r"\b(?:him|her|he|she|his|my (?:wife|husband|partner|boyfriend|girlfriend|son|daughter|"
    r"mum|mom|dad|friend|brother|sister|mate|kid|child|other half))\b"
)
_PATIENT_CHANGED = re.compile(
    rf"\b(?:actually|really|now|instead) (?:it'?s |its |it is )?for {_PERSON}\b"
    rf"|\bfor {_PERSON},? not (?:him|her|them|me|my)\b"
    r"|\bi'?m the one (?:getting|having|being|who)\b|\bnot for me\b"
)


class ValidateScreeningForm(QuestionnaireValidation):
    def name(self) -> str:
        return "validate_screening_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = latest_text(tracker)
        screening = load_screening()
        answered = [s for s in screening.answer_slots if tracker.get_slot(s) is not None]
        if (
            tracker.get_slot(REQUESTED_SLOT)
            and answered
            and not is_command(text)
            and _PATIENT_CHANGED.search(normalise(text))
            and any(
                _OTHER_PERSON.search(normalise(said))
                for said in [*earlier_user_texts(tracker), text]
            )
        ):
            # the answers so far were another person's: every question again
            dispatcher.utter_message(text=screening_message("patient_changed"))
            return [
                *(SlotSet(slot, None) for slot in answered),
                SlotSet(CONFIRM_SLOT, None),
                SlotSet(CHANGE_SLOT, None),
                SlotSet(UNCLEAR_SLOT, 0),
                SlotSet(REQUESTED_SLOT, self.next_slots({})[0]),
            ]
        return await super().run(dispatcher, tracker, domain)

    def next_slots(self, answers: Dict[str, Any]) -> List[str]:
        return remaining_slots(answers, load_screening())

    def parse_answer(self, slot: str, tracker: Tracker) -> Dict[str, Any] | None:
        text = latest_text(tracker)
        if slot == CONFIRM_SLOT:
            if self._reading(tracker).answers:
                return None  # "yes, but I'm on Eliquis": new facts, confirm again
            yes_title, change_title = confirmation_titles()
            answer = parse_confirmation(text, yes_title=yes_title, change_title=change_title)
            return {slot: answer} if answer else None
        if slot == CHANGE_SLOT:
            if self._reading(tracker).answers:
                # "I'm actually pregnant, 10 weeks": the new facts are the change
                return {CHANGE_SLOT: None, CONFIRM_SLOT: None}
            choice = self._question_to_change(text, tracker)
            return {slot: choice} if choice else None
        screening = load_screening()
        question = screening.question(slot)
        if question.kind == "pregnancy_stage":
            stage = parse_pregnancy_stage(text)
            return {slot: stage} if stage else None
        if question.kind == "complaint":
            return self._complaint(text, tracker)
        mentions = [] if is_command(text) else latest_mentions(tracker)
        answer = read_yes_no_answer(question, text, mentions, screening)
        if slot == "pregnant" and answer in (None, YES, CHECK):
            stage = parse_pregnancy_stage(text)  # "8 weeks" answers both questions
            if stage and stage != UNSURE:
                return {slot: YES, "pregnancy_stage": stage}
        return {slot: answer} if answer else None

    def answer_overrides_intent(
        self, slot: str, intent: str, updates: Dict[str, Any], text: str
    ) -> bool:
        if intent == "red_flag":
            return False
        if not updates:
            # "what do you mean by a weakened immune system?": the form explains it
            return intent not in self.stop_intents and self._asks_what_it_means(slot, text)
        if intent == "delete_my_data":
            # a request to delete wins, but a tapped button of the question asked is
            # never one, even when the classifier reads "Change an answer" that way
            return normalise(text) in {normalise(payload) for payload in self._payloads(slot)}
        # "Change an answer", "8 weeks" or "Knee" are answers here, whatever the
        # classifier thinks (a "no" inside "I don't want to answer" must not count)
        if slot in (CONFIRM_SLOT, CHANGE_SLOT):
            return True
        if slot == "pregnancy_stage":
            return updates.get(slot) != UNSURE
        if slot in self._yes_no_slots():
            # "NO... I mean yes" or "no, I was wrong" taken for an article question:
            # an answer read from the words counts (questions read as no answer, and
            # a "sounds like no" is only confirmed); nothing overrides a cancel
            return updates.get(slot) is not None and intent not in self.stop_intents
        return updates.get("complaint", "other") != "other"

    @staticmethod
    def _asks_what_it_means(slot: str, text: str) -> bool:
        screening = load_screening()
        question = next((q for q in screening.questions if q.slot == slot), None)
        return bool(question and question.explain) and asks_what_it_means(
            text, find_mentions(nlp(), text), screening
        )

    def _reading(self, tracker: Tracker) -> Reading:
        text = latest_text(tracker)
        screening = load_screening()
        if is_command(text) or (
            tracker.get_slot(REQUESTED_SLOT) == CHANGE_SLOT
            and normalise(text) in {normalise(q.summary) for q in screening.questions}
        ):
            return Reading()  # the button titles name conditions; they choose, not answer
        reading = read_message(text, latest_mentions(tracker), screening)
        # "I'm 10 weeks btw": once pregnant, a length of time is the stage
        requested = tracker.get_slot(REQUESTED_SLOT)
        if (
            tracker.get_slot("pregnant") == YES
            and requested != "pregnancy_stage"
            and "pregnancy_stage" not in reading.answers
        ):
            stage = parse_pregnancy_stage(text)
            if stage and stage != UNSURE:
                reading.answers["pregnancy_stage"] = stage
        return reading

    def volunteered(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        reading = self._reading(tracker)
        if reading.about_someone_else:
            dispatcher.utter_message(text=screening_message("other_person"))
        if reading.unknown_medicines:
            dispatcher.utter_message(text=screening_message("unknown_medicine"))
        answers = dict(reading.answers)
        for slot in reading.asked_about:
            if slot not in answers and tracker.get_slot(slot) in (NO, CHECK):
                # "knee. is it still ok if I'm on chemo?" after "no" to that question:
                # the "no" can no longer be trusted
                answers[slot] = UNSURE
        return answers

    def combine(self, slot: str, answered: Any, volunteered: Any) -> Any:
        if answered is None or slot not in self._yes_no_slots():
            return volunteered
        return max(answered, volunteered, key=PRECEDENCE.__getitem__)

    @staticmethod
    def _payloads(slot: str) -> List[str]:
        """What the buttons offered for a slot send: the question's answer buttons, or at
        the summary (actions/ask_screening_question.py) the confirmation buttons and,
        to choose what to change, each question's summary."""
        screening = load_screening()
        if slot in (CONFIRM_SLOT, CHANGE_SLOT):
            summaries = [question.summary for question in screening.questions]
            return [*confirmation_titles(), *summaries]
        return [
            button["payload"] for button in question_buttons(screening.question(slot), screening)
        ]

    def _yes_no_slots(self) -> List[str]:
        return [q.slot for q in load_screening().questions if q.kind == "yes_no"]

    def on_activation(
        self, tracker: Tracker, dispatcher: CollectingDispatcher
    ) -> List[EventType] | None:
        if tracker.get_slot(RED_FLAG_SLOT):
            # utter_screening_intro already said: see a doctor first (domain.yml)
            return [SlotSet(STOPPED_SLOT, "red_flag"), SlotSet(REQUESTED_SLOT, None)]
        if other_language_in_session(tracker):
            # part of the conversation could not be read: no screening here
            dispatcher.utter_message(text=screening_message("other_language_first"))
            return [SlotSet(STOPPED_SLOT, "other_language"), SlotSet(REQUESTED_SLOT, None)]
        reading = self._reading(tracker)
        new_facts = any(value in (YES, UNSURE) for value in reading.answers.values())
        if new_facts and booking_link_was_shown(tracker):
            dispatcher.utter_message(text=screening_message("link_withdrawn"))
        return None

    def earlier_answers(self, tracker: Tracker) -> Dict[str, Any]:
        """Facts from earlier messages of this session: "I'm 8 weeks pregnant" said
        before "can I book?" is an answer (only the cautious ones: yes, unsure), and
        so is what was said before "Start over" (action_session_start keeps it)."""
        carried = tracker.get_slot(SAID_BEFORE_START_OVER_SLOT) or {}
        return cautious_answers(earlier_user_texts(tracker), dict(carried))

    def contradicts(self, slot: str, before: Any, after: Any) -> bool:
        if before is None or after is None or before == after:
            return False
        if slot == "pregnancy_stage":
            screening = load_screening()
            was_early = pregnancy_in_first_months(before, screening)
            return was_early is not False and pregnancy_in_first_months(after, screening) is False
        if slot in self._yes_no_slots():
            return PRECEDENCE.get(after, 0) < PRECEDENCE.get(before, 0) and after in (NO, CHECK)
        return False

    def contradiction_value(self, slot: str) -> Any:
        return UNSURE  # until the clinic checks it with the runner

    def explain_contradiction(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        summary = load_screening().question(slot).summary.lower()
        dispatcher.utter_message(text=screening_message("contradiction", answer=summary))

    def doubted_by_unclear(self, slot: str, unclear: List[str], answer: Any) -> bool:
        # a "no" after a statement the form could not read at all ("in the pudding
        # club", "been crook all week mate") or a bare number (a button's position on
        # WhatsApp, "3" for "Not sure"): that may have been the yes (safety principle
        # 1); not after a question, "sorry, I don't understand", or a "sounds like no"
        # ("nah mate, only the pill") that the buttons only confirm
        return (
            slot in self._yes_no_slots()
            and answer in (NO, CHECK)
            and any(
                (states_something(text) and parse_yes_no(text) is None) or normalise(text).isdigit()
                for text in unclear
            )
        )

    def explain_doubt(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        summary = load_screening().question(slot).summary.lower()
        dispatcher.utter_message(text=screening_message("unread_then_no", answer=summary))

    def ask_to_confirm(self, slot: str, dispatcher: CollectingDispatcher) -> None:
        dispatcher.utter_message(text=screening_message("check"))

    def after_answers(self, answers: Dict[str, Any], requested: str | None) -> Dict[str, Any]:
        to_change = answers.get(CHANGE_SLOT)
        if to_change:  # forget that answer, so the form asks it again, then confirms again
            reset = {to_change: None, CONFIRM_SLOT: None, CHANGE_SLOT: None}
            if to_change == "pregnant":
                reset["pregnancy_stage"] = None
            return reset
        if answers.get("pregnant") in (NO, UNSURE) and answers.get("pregnancy_stage"):
            return {"pregnancy_stage": None}
        return {}

    def acknowledge_changes(self, changed: List[str], dispatcher: CollectingDispatcher) -> None:
        screening = load_screening()
        answered = [slot for slot in changed if slot in screening.answer_slots]
        if not answered:
            return
        names = ", ".join(screening.question(slot).summary.lower() for slot in answered)
        dispatcher.utter_message(text=screening_message("updated", answers=names))

    def explain_unclear(self, slot: str, dispatcher: CollectingDispatcher, text: str = "") -> None:
        screening = load_screening()
        if slot == CONFIRM_SLOT:
            reply = screening_message("confirm_unclear")
        elif slot == CHANGE_SLOT:
            reply = screening_message("choose_option")
        elif self._asks_what_it_means(slot, text):
            reply = screening.question(slot).explain  # the form then asks again
        else:
            reply = screening.question(slot).unclear
        dispatcher.utter_message(text=reply)

    def give_up(self, dispatcher: CollectingDispatcher) -> None:
        dispatcher.utter_message(text=screening_message("give_up"))

    def _complaint(self, text: str, tracker: Tracker) -> Dict[str, Any] | None:
        options = load_screening().question("complaint").options
        injuries = load_injuries()
        for mention in latest_mentions(tracker):
            if mention.label == "injury" and not mention.negated:
                return {"complaint": mention.id if mention.id in options else "other"}
        clean = normalise(text)
        for option in options:
            if clean in (
                option,
                normalise(injuries[option].button),
                normalise(injuries[option].title),
            ):
                return {"complaint": option}
        # any other description is fine: the therapist will look at it; we keep
        # only "other", not the runner's words (collect the minimum). A message
        # that tells a screening fact instead ("oh, I'm pregnant") is not one.
        if clean and not self._reading(tracker).answers and parse_yes_no(text) is None:
            return {"complaint": "other"}
        return None

    def _question_to_change(self, text: str, tracker: Tracker) -> str | None:
        answered = [s for s in load_screening().answer_slots if tracker.get_slot(s) is not None]
        clean = normalise(text)
        number = re.fullmatch(r"(\d+)", clean)
        if number and 1 <= int(number.group(1)) <= len(answered):
            return answered[int(number.group(1)) - 1]
        screening = load_screening()
        for slot in answered:
            if clean == normalise(screening.question(slot).summary):
                return slot
        for slot in answered:
            if any(keyword in clean for keyword in CHANGE_KEYWORDS.get(slot, ())):
                return slot
        return None
