"""Every custom action, run directly with rasa_sdk trackers (no servers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_contraindication import ActionAnswerContraindication, general_answer
from actions.answer_indication import ActionAnswerIndication
from actions.ask_screening_question import AskAnswersConfirmed, AskAnswerToChange
from actions.delete_my_data import ActionDeleteMyData
from actions.dont_know import ActionDontKnow
from actions.red_flag import ActionRedFlag
from actions.screening_decision import ActionScreeningDecision
from actions.session_start import ActionSessionStart
from actions.stop_screening import ActionStopScreening
from actions.validate_screening_form import ValidateScreeningForm
from clinic_assistant import PROJECT_ROOT
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.screening.rules import load_screening

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
NO_ANSWERS = {
    "pregnant": "no",
    "blood_disorder": "no",
    "current_infection": "no",
    "infection_risk": "no",
    "complaint": "knee",
}


def tracker(
    text: str = "",
    intent: str = "affirm",
    slots: Dict[str, Any] | None = None,
    active_loop: str | None = None,
    events: List[Dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker(
        sender_id="unit",
        slots={"unclear_answers": 0, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "entities": [],
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run(action, t: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    return dispatcher.messages, events


def slot_sets(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_indication_answer_names_the_injury() -> None:
    messages, events = await run(ActionAnswerIndication(), tracker("can it help my shin splints?"))
    assert "shin pain" in messages[0]["text"] and events == []


async def test_indication_answer_without_injury_lists_the_article_injuries() -> None:
    messages, _ = await run(ActionAnswerIndication(), tracker("what injuries can it treat?"))
    assert "Achilles tendon pain" in messages[0]["text"] and "hip pain" in messages[0]["text"]


async def test_contraindication_answer_for_one_condition() -> None:
    messages, _ = await run(ActionAnswerContraindication(), tracker("can diabetics have it?"))
    assert messages[0]["text"].startswith(load_screening().condition_answers["diabetes"][:40])
    assert "pregnan" not in messages[0]["text"]


async def test_contraindication_answer_in_general() -> None:
    messages, _ = await run(ActionAnswerContraindication(), tracker("who shouldn't have it?"))
    assert messages[0]["text"] == general_answer(load_screening())
    for contraindication in load_screening().contraindications.values():
        if contraindication.listed:
            assert contraindication.title in messages[0]["text"]


async def test_summary_repeats_the_answers() -> None:
    messages, _ = await run(AskAnswersConfirmed(), tracker(slots=NO_ANSWERS))
    text = messages[0]["text"]
    assert (
        "Pregnant: no" in text and "Complaint: runner's knee" in text and "Is that right?" in text
    )


async def test_change_offers_only_answered_questions() -> None:
    messages, _ = await run(
        AskAnswerToChange(), tracker(slots={"pregnant": "no", "blood_disorder": "yes"})
    )
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Pregnant",
        "Blood disease, bleeding disorder or blood thinners",
    ]


async def test_decision_clear_shows_link_and_clears_answers() -> None:
    messages, events = await run(
        ActionScreeningDecision(), tracker(slots={**NO_ANSWERS, "answers_confirmed": "yes"})
    )
    url = load_clinic_facts().booking_url
    assert url in messages[0]["text"] and messages[0]["buttons"][0]["payload"] == url
    cleared = slot_sets(events)
    assert all(cleared[slot] is None for slot in NO_ANSWERS)


async def test_decision_ruled_out_has_no_link() -> None:
    slots = {**NO_ANSWERS, "current_infection": "yes", "answers_confirmed": "yes"}
    messages, _ = await run(ActionScreeningDecision(), tracker(slots=slots))
    text = messages[0]["text"]
    assert load_clinic_facts().booking_url not in text and not messages[0]["buttons"]
    assert "infection" in text and load_clinic_facts().phone in text


async def test_decision_after_the_form_gave_up_says_nothing_more() -> None:
    messages, events = await run(
        ActionScreeningDecision(), tracker(slots={"screening_stopped": "unclear"})
    )
    assert messages == [] and slot_sets(events)["screening_stopped"] is None


async def test_stop_screening_forgets_answers() -> None:
    messages, events = await run(
        ActionStopScreening(), tracker("cancel", slots=NO_ANSWERS, active_loop="screening_form")
    )
    assert "stopped the questions" in messages[0]["text"]
    assert slot_sets(events)["pregnant"] is None


async def test_red_flag_gives_urgent_advice_without_link() -> None:
    messages, events = await run(ActionRedFlag(), tracker("I have chest pain", intent="red_flag"))
    text = messages[0]["text"]
    assert load_clinic_facts().emergency_number in text and "Chest pain" in text
    assert load_clinic_facts().booking_url not in text
    assert "pregnant" in slot_sets(events)


async def test_delete_my_data_forgets_the_slots() -> None:
    messages, events = await run(ActionDeleteMyData(), tracker("delete my data", slots=NO_ANSWERS))
    assert messages == [] and slot_sets(events)["complaint"] is None


# --- the screening form's validation --------------------------------------


async def validate(text: str, intent: str, slots: Dict[str, Any]) -> tuple[list, Dict[str, Any]]:
    messages, events = await run(
        ValidateScreeningForm(), tracker(text, intent, slots, "screening_form")
    )
    return messages, slot_sets(events)


async def test_answer_fills_the_requested_slot_and_asks_the_next() -> None:
    _, slots = await validate("nope", "deny", {"requested_slot": "pregnant"})
    assert slots["pregnant"] == "no" and slots["requested_slot"] == "blood_disorder"


async def test_eight_weeks_answers_pregnancy_and_stage_at_once() -> None:
    _, slots = await validate("yes, 8 weeks", "affirm", {"requested_slot": "pregnant"})
    assert slots["pregnant"] == "yes" and slots["pregnancy_stage"] == "8 weeks"
    assert slots["requested_slot"] == "answers_confirmed"  # ruled out: skip the rest


@pytest.mark.parametrize(
    "text",
    [
        "wait sorry, it's actually for me not him, he chickened out",
        "I'm the one getting needled, not my husband",
        "oh actually it's for my wife, she's the runner",
    ],
)
async def test_answers_given_for_another_person_are_asked_again(text: str) -> None:
    answered = {
        "pregnant": "no",
        "blood_disorder": "no",
        "current_infection": "no",
        "infection_risk": "no",
        "complaint": "knee",
        "requested_slot": "answers_confirmed",
    }
    messages, slots = await validate(text, "inform", answered)
    assert "ask them again" in messages[0]["text"]
    assert all(slots[slot] is None for slot in ("pregnant", "blood_disorder", "complaint"))
    assert slots["requested_slot"] == "pregnant"


async def test_for_me_with_nobody_else_named_keeps_the_answers() -> None:
    # "yes warfarin", then "it's actually for me": nobody else was ever named
    _, slots = await validate(
        "it's actually for me",
        "inform",
        {"blood_disorder": "yes", "requested_slot": "answers_confirmed"},
    )
    assert "blood_disorder" not in slots  # not cleared


async def test_the_same_person_keeps_their_answers() -> None:
    _, slots = await validate(
        "it's for my knee", "inform", {"pregnant": "no", "requested_slot": "blood_disorder"}
    )
    assert "pregnant" not in slots  # not cleared


async def test_unclear_answer_is_explained_and_asked_again() -> None:
    messages, slots = await validate(
        "purple", "out_of_scope", {"requested_slot": "current_infection"}
    )
    assert messages[0]["text"] == load_screening().question("current_infection").unclear
    assert slots == {"unclear_answers": 1, "requested_slot": "current_infection"}


async def test_third_unclear_answer_hands_over_to_the_clinic() -> None:
    messages, slots = await validate(
        "purple", "out_of_scope", {"requested_slot": "pregnant", "unclear_answers": 2}
    )
    assert load_clinic_facts().phone in messages[0]["text"]
    assert slots["screening_stopped"] == "unclear" and slots["requested_slot"] is None


async def test_interruption_sets_no_answer() -> None:
    messages, slots = await validate(
        "why do you ask?", "ask_why_screening", {"requested_slot": "pregnant"}
    )
    assert messages == [] and slots == {"requested_slot": "pregnant"}


async def test_cancel_phrasing_with_not_is_not_taken_as_no() -> None:
    _, slots = await validate(
        "I don't want to answer these questions",
        "stop_screening",
        {"requested_slot": "blood_disorder"},
    )
    assert "blood_disorder" not in slots


async def test_complaint_button_counts_even_if_classified_as_a_question() -> None:
    _, slots = await validate(
        "Knee", "ask_indication", {**NO_ANSWERS, "complaint": None, "requested_slot": "complaint"}
    )
    assert slots["complaint"] == "knee" and slots["requested_slot"] == "answers_confirmed"


async def test_volunteered_correction_is_acknowledged() -> None:
    messages, slots = await validate(
        "actually I do take blood thinners",
        "inform_condition",
        {"pregnant": "no", "blood_disorder": "no", "requested_slot": "current_infection"},
    )
    assert slots["blood_disorder"] == "yes"
    assert "updated your answer" in messages[0]["text"]


async def test_choosing_an_answer_to_change_asks_it_again() -> None:
    _, slots = await validate(
        "Blood disease, bleeding disorder or blood thinners",
        "ask_contraindication",
        {**NO_ANSWERS, "answers_confirmed": "no", "requested_slot": "answer_to_change"},
    )
    assert slots["blood_disorder"] is None and slots["answers_confirmed"] is None
    assert slots["requested_slot"] == "blood_disorder"


async def test_confirmation_ends_the_form() -> None:
    _, slots = await validate(
        "Yes, that's right", "affirm", {**NO_ANSWERS, "requested_slot": "answers_confirmed"}
    )
    assert slots["answers_confirmed"] == "yes" and slots["requested_slot"] is None


async def test_a_tapped_button_is_never_a_request_to_delete() -> None:
    # the classifier may read "Change an answer" as "delete my data": a tap is an answer
    at_summary = {**NO_ANSWERS, "requested_slot": "answers_confirmed"}
    _, slots = await validate("Change an answer", "delete_my_data", at_summary)
    assert slots["answers_confirmed"] == "no" and slots["requested_slot"] == "answer_to_change"
    at_choice = {**NO_ANSWERS, "answers_confirmed": "no", "requested_slot": "answer_to_change"}
    _, slots = await validate("Pregnant", "delete_my_data", at_choice)
    assert slots["requested_slot"] == "pregnant"
    at_complaint = {**NO_ANSWERS, "complaint": None, "requested_slot": "complaint"}
    _, slots = await validate("Knee", "delete_my_data", at_complaint)
    assert slots["complaint"] == "knee"
    # a real request to delete still stops the form, wherever it comes
    for text in ("delete my data", "change an answer and delete my data"):
        _, slots = await validate(text, "delete_my_data", at_summary)
        assert slots == {"requested_slot": "answers_confirmed"}, text


async def test_renamed_confirmation_buttons_still_work(clinic_copy: Path) -> None:
    path = clinic_copy / "screening.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('confirm_yes: "Yes, that\'s right"', 'confirm_yes: "Those are my answers"')
    text = text.replace('confirm_change: "Change an answer"', 'confirm_change: "Let me redo one"')
    path.write_text(text, encoding="utf-8")
    assert load_screening().messages["confirm_yes"] == "Those are my answers"

    confirming = {**NO_ANSWERS, "requested_slot": "answers_confirmed"}
    _, slots = await validate("Those are my answers", "affirm", confirming)
    assert slots["answers_confirmed"] == "yes" and slots["requested_slot"] is None
    _, slots = await validate("Let me redo one", "deny", confirming)
    assert slots["answers_confirmed"] == "no" and slots["requested_slot"] == "answer_to_change"


async def test_red_flag_is_never_an_answer() -> None:
    _, slots = await validate(
        "yes and I have chest pain", "red_flag", {"requested_slot": "current_infection"}
    )
    assert slots == {"requested_slot": "current_infection"}


async def activate(
    text: str, intent: str, slots: Dict[str, Any] | None = None, events: list | None = None
) -> tuple[list, Dict[str, Any]]:
    """The validation that runs when the form starts: Rasa's temporary tracker
    already shows the form as active, with no requested slot."""
    messages, events = await run(
        ValidateScreeningForm(), tracker(text, intent, slots, "screening_form", events=events)
    )
    return messages, slot_sets(events)


def said(*texts: str) -> List[Dict[str, Any]]:
    """Session events in which the runner typed these messages."""
    return [{"event": "session_started"}] + [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "faq"}}} for text in texts
    ]


async def test_activation_prefills_volunteered_answers() -> None:
    _, slots = await activate(
        "I'm not pregnant and I don't have diabetes, can I book?", "inform_condition"
    )
    # "no diabetes" denies only one of the four things the infection-risk question covers
    assert slots["pregnant"] == "no" and "infection_risk" not in slots
    assert slots["requested_slot"] == "blood_disorder"


async def test_a_partial_denial_is_confirmed_with_the_buttons() -> None:
    messages, slots = await validate(
        "not on warfarin", "deny", {"pregnant": "no", "requested_slot": "blood_disorder"}
    )
    assert "blood_disorder" not in slots and slots["requested_slot"] == "blood_disorder"
    assert messages[0]["text"] == load_screening().messages["check"]
    # the button answers it
    _, slots = await validate("No", "deny", {"pregnant": "no", "requested_slot": "blood_disorder"})
    assert slots["blood_disorder"] == "no"


async def test_a_named_drug_with_an_unrelated_negative_is_not_a_no() -> None:
    _, slots = await validate(
        "I never skip my rivaroxaban",
        "deny",
        {"pregnant": "no", "requested_slot": "blood_disorder"},
    )
    assert slots["blood_disorder"] in ("yes", "unsure")


async def test_a_new_fact_at_the_confirmation_updates_and_confirms_again() -> None:
    messages, slots = await validate(
        "yes that's all right, but I forgot: I'm on Eliquis",
        "affirm",
        {**NO_ANSWERS, "requested_slot": "answers_confirmed"},
    )
    assert slots["blood_disorder"] == "yes"
    assert slots.get("answers_confirmed") is None
    assert slots["requested_slot"] == "answers_confirmed"
    assert "updated your answer" in messages[0]["text"]


async def test_a_less_cautious_answer_than_before_is_noted_as_not_sure() -> None:
    messages, slots = await validate(
        "I'm not pregnant",
        "deny",
        {"pregnant": "yes", "pregnancy_stage": "8 weeks", "requested_slot": "blood_disorder"},
    )
    assert slots["pregnant"] == "unsure" and slots["requested_slot"] == "blood_disorder"
    assert "Earlier you told me something different" in messages[-1]["text"]
    assert "not sure" in messages[-1]["text"]


async def test_a_later_stage_that_contradicts_an_earlier_one_is_not_sure() -> None:
    _, slots = await validate(
        "Knee. I'm 10 weeks btw",
        "inform",
        {
            "pregnant": "yes",
            "pregnancy_stage": "more than 3 months",
            "blood_disorder": "no",
            "current_infection": "no",
            "infection_risk": "no",
            "requested_slot": "complaint",
        },
    )
    # the more cautious new stage is taken as it is
    assert slots["pregnancy_stage"] == "10 weeks"


async def test_facts_from_earlier_in_the_conversation_count_at_the_start() -> None:
    _, slots = await activate(
        "can I book?",
        "request_booking",
        events=said("I'm 8 weeks pregnant, does it hurt?", "can I book?"),
    )
    assert slots["pregnant"] == "yes" and slots["pregnancy_stage"] == "8 weeks"
    # and a later denial contradicts them
    messages, slots = await activate(
        "I'm not pregnant, can I book?",
        "request_booking",
        events=said("I'm 8 weeks pregnant", "I'm not pregnant, can I book?"),
    )
    assert slots["pregnant"] == "unsure"
    assert "Earlier you told me something different" in messages[-1]["text"]


async def test_after_a_red_flag_the_screening_does_not_start() -> None:
    messages, slots = await activate(
        "can I book now?", "request_booking", {"red_flag_raised": True}
    )
    assert slots["screening_stopped"] == "red_flag" and slots["requested_slot"] is None


async def test_a_disclosure_after_the_link_withdraws_it() -> None:
    url = load_clinic_facts().booking_url
    events = said("book") + [
        {"event": "bot", "text": "Book here", "data": {"buttons": [{"payload": url}]}},
        {"event": "user", "text": "oh wait, I'm pregnant", "parse_data": {}},
    ]
    messages, slots = await activate("oh wait, I'm pregnant", "inform_condition", events=events)
    assert "don't use the booking link" in messages[0]["text"]
    assert slots["pregnant"] == "yes"


async def test_someone_elses_condition_is_not_the_runners_answer() -> None:
    messages, slots = await activate("my wife is pregnant, can she book?", "request_booking")
    assert "pregnant" not in slots
    assert messages[0]["text"] == load_screening().messages["other_person"].strip()


async def test_an_unknown_medicine_makes_the_medicine_question_unsure() -> None:
    messages, slots = await validate(
        "I take Zontivity", "inform", {"pregnant": "no", "requested_slot": "blood_disorder"}
    )
    assert slots["blood_disorder"] == "unsure"
    assert messages[0]["text"] == load_screening().messages["unknown_medicine"].strip()


async def test_dont_know_offers_the_questions_it_may_have_meant() -> None:
    # the trained domain has the FAQ answers of data/nlu/ too
    responses = dict(DOMAIN["responses"])
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text()).get("responses") or {})
    domain = {**DOMAIN, "responses": responses}
    unsure = tracker("will insurance pay for a session", "unanswerable_question")
    unsure.latest_message["answer_suggestions"] = ["faq/cost", "faq/insurance"]
    dispatcher = CollectingDispatcher()
    await ActionDontKnow().run(dispatcher, unsure, domain)
    (message,) = dispatcher.messages
    assert message["response"] == "utter_dont_know_suggest"
    offered = [(b["title"], b["payload"]) for b in message["buttons"]]
    assert offered[:2] == [
        ("How much does it cost?", "How much does it cost?"),
        ("Will my health insurance pay for it?", "Will my health insurance pay for it?"),
    ]
    assert [title for title, _ in offered[2:]] == ["Pass my question on", "No thanks"]

    plain = tracker("is there parking", "unanswerable_question")
    dispatcher = CollectingDispatcher()
    await ActionDontKnow().run(dispatcher, plain, domain)
    assert [(m["response"], m["buttons"]) for m in dispatcher.messages] == [("utter_dont_know", [])]


def _restart_events(*before: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        *before,
        {"event": "user", "text": "/restart", "parse_data": {"intent": {"name": "restart"}}},
        {"event": "action", "name": "action_restart"},
        {"event": "restart"},
    ]


async def test_start_over_keeps_a_red_flag_and_what_was_said() -> None:
    events = _restart_events(
        {"event": "user", "text": "my calf is red, hot and swollen"},
        {"event": "slot", "name": "red_flag_raised", "value": True},
        {"event": "user", "text": "yeah warfarin"},
        {"event": "slot", "name": "infection_risk", "value": "unsure"},
        {"event": "slot", "name": "infection_risk", "value": None},  # cleared by a decision
    )
    _, started = await run(ActionSessionStart(), tracker("/restart", "restart", events=events))
    kept = slot_sets(started)
    assert kept["red_flag_raised"] is True
    assert kept["said_before_start_over"] == {"blood_disorder": "yes", "infection_risk": "unsure"}
    assert started[0]["event"] == "session_started" and started[-1]["name"] == "action_listen"


async def test_a_new_session_after_silence_starts_clean() -> None:
    events = [
        {"event": "session_started"},
        {"event": "user", "text": "yeah warfarin"},
        {"event": "slot", "name": "red_flag_raised", "value": True},
        {"event": "action", "name": "action_listen"},
    ]
    _, started = await run(ActionSessionStart(), tracker("hi", "greet", events=events))
    assert slot_sets(started) == {}


async def test_what_was_said_before_start_over_is_an_earlier_answer() -> None:
    carried = {"said_before_start_over": {"blood_disorder": "yes"}}
    _, slots = await validate("can I book for my hamstring", "request_booking", carried)
    assert slots["blood_disorder"] == "yes"


async def test_what_a_question_means_is_explained_not_taken_as_an_answer() -> None:
    asked = {**NO_ANSWERS, "infection_risk": None, "requested_slot": "infection_risk"}
    messages, slots = await validate(
        "what do you mean by a weakened immune system?", "show_my_data", asked
    )
    assert "infection_risk" not in slots
    assert load_screening().question("infection_risk").explain in [m["text"] for m in messages]
    # naming their own condition in the question is an answer, not a request to explain
    messages, slots = await validate("what do you mean, I had chemo last year", "inform", asked)
    assert slots.get("infection_risk") in ("yes", "unsure")
