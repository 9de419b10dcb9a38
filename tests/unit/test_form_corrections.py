"""The screening form over several messages: short names it cannot read, someone else
taking over the phone, corrections of an earlier answer, a stage corrected at the
summary, and a body part said in passing (tests/safety/conversations/seventh_look.yml)."""

from __future__ import annotations

import pytest

from actions.common import screening_message
from actions.validate_screening_form import (
    named_questions,
    names_something_unknown,
    referred_questions,
    someone_else_typing,
    speaks_for_two,
)
from clinic_assistant.screening.rules import load_screening
from tests.support.form_chat import YES_NO, Chat


def message(key: str, **values: str) -> str:
    return screening_message(key, **values)


# --- a short answer it cannot read: a name is no answer to forget ------------------


@pytest.mark.parametrize(
    "text", ["Arixtra", "T1DM", "Lantus + Novorapid", "Zorvaxil", "T7QX", "T2", "B12"]
)
def test_an_unknown_name_is_told_apart(text: str) -> None:
    assert names_something_unknown(text)


@pytest.mark.parametrize(
    "text",
    [
        "purple",
        "noep",
        "yse",
        "nahh",
        "yasss",
        "hmm",
        "lol",
        "brb",
        "3",
        "2nd",
        "2mins",
        "what?",
        "yh",
        "nope",
        "ok back",
        "all gucci",
        "nah fam",
    ],
)
def test_english_words_typos_of_an_answer_and_numbers_are_no_names(text: str) -> None:
    assert not names_something_unknown(text)


# names nobody will add to the vocabulary: the rule must hold for those too
@pytest.mark.parametrize(
    ("text", "slot"),
    [("Zorvaxil", "blood_disorder"), ("T7QX", "infection_risk"),
     ("Drumolin + Fenquex", "infection_risk"), ("Zorvaxil", "pregnant")],
)  # fmt: skip
async def test_a_name_given_as_the_whole_answer_is_not_sure(text: str, slot: str) -> None:
    chat = await Chat.booked_until(slot, "can I book for my hamstring")
    replies = await chat.say(text, "inform")
    assert chat.slots[slot] == "unsure"
    summary = load_screening().question(slot).summary.lower()
    assert message("unknown_name", answer=summary) in replies
    # the "No" tapped next answers the next question, not this one
    await chat.say("No", "deny")
    assert chat.slots[slot] == "unsure"


@pytest.mark.parametrize(
    ("text", "slot"),
    [("Arixtra", "blood_disorder"), ("T1DM", "infection_risk"),
     ("Lantus + Novorapid", "infection_risk")],
)  # fmt: skip
async def test_the_seventh_look_names_are_never_forgotten(text: str, slot: str) -> None:
    # known to the vocabulary (a yes) or not (not sure): never asked again as unread
    chat = Chat(pregnant="no", blood_disorder="no", current_infection="no")
    chat.slots["requested_slot"] = slot
    await chat.say(text, "inform")
    assert chat.slots[slot] in ("yes", "unsure")


async def test_a_name_counts_even_when_the_classifier_takes_it_for_a_question() -> None:
    chat = Chat(pregnant="no", requested_slot="blood_disorder")
    await chat.say("Zorvaxil", "faq")
    assert chat.slots["blood_disorder"] == "unsure"


@pytest.mark.parametrize("text", ["purple", "noep"])
async def test_gibberish_and_typos_are_still_asked_again(text: str) -> None:
    chat = Chat(pregnant="no", requested_slot="blood_disorder")
    replies = await chat.say(text, "out_of_scope")
    assert replies == [load_screening().question("blood_disorder").unclear]
    assert chat.slots["unclear_answers"] == 1 and chat.asked == "blood_disorder"


# --- someone else on the phone ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "no infection - Dan here btw, Sophie's boyfriend, she had to dash for her bus so "
        "I'm finishing this for her",
        "his wife here, he just typed no but he's type 1 diabetic, he hates admitting it",
        "this is her husband, she's gone out",
        "I'm filling the rest in for him",
        # breaking the seventh look
        "Tom here now, Sarah passed me her phone as she's in the shower. no to that one",
        "husband typing now, she's had to pop out. no infection",
    ],
)
def test_someone_else_taking_over_is_told_apart(text: str) -> None:
    assert someone_else_typing(text)


@pytest.mark.parametrize(
    "text",
    [
        "no, my husband's on warfarin, but I'm not",
        "it's her friend's wedding next week, hence the rush",
        "no. I'm doing this for my marathon",
        "knee, same as my wife",
        "no - I'm Tom's wife btw, he had needling with you last year and loved it",
        "no. running London for my grandad this year, doing it for him",
        "no 😂 my wife here says hi",
        "I'm here now, sorry",
    ],
)
def test_the_runner_talking_about_others_is_no_takeover(text: str) -> None:
    assert not someone_else_typing(text)


async def test_someone_finishing_for_the_patient_stops_the_questions() -> None:
    chat = await Chat.booked_until(
        "current_infection", "can I book dry needling for my achilles please"
    )
    replies = await chat.say(
        "no infection - Dan here btw, Sophie's boyfriend, she had to dash for her bus so "
        "I'm finishing this for her",
        "inform",
    )
    assert replies == [message("someone_else_answering")]
    # his "no infection" is not hers, and no more questions: no link on his answers
    assert chat.slots.get("current_infection") is None
    assert chat.slots["screening_stopped"] == "someone_else" and chat.asked is None


async def test_what_the_new_typist_tells_about_the_patient_is_the_patients_fact() -> None:
    chat = await Chat.booked_until("complaint", "can I book dry needling please")
    assert chat.slots["infection_risk"] == "no"
    replies = await chat.say(
        "his wife here, he just typed no but he's type 1 diabetic, he hates admitting it",
        "inform_condition",
    )
    assert replies == [message("someone_else_answering")]
    assert chat.slots["infection_risk"] == "unsure"
    assert chat.slots["screening_stopped"] == "someone_else" and chat.asked is None

    # when he starts again, her word stays: the question is noted as not sure
    chat.slots = {"unclear_answers": 0}
    await chat.say("ok it's me again, can I book", "request_booking")
    assert chat.slots["infection_risk"] == "unsure"


@pytest.mark.parametrize(
    "text",
    [
        "neither of us, no",
        "no, we're both fine",
        "nope none of us",
        "no to both of us",
        "us both no",
    ],
)
async def test_one_runner_answering_for_two_stops_the_questions(text: str) -> None:
    chat = Chat()
    await chat.say(
        "can I book me and my girlfriend in? we both have sore calves", "request_booking"
    )
    replies = await chat.say(text, "deny")
    assert replies == [message("answering_for_two")]
    # no answer is taken for the other person, and no more questions: no link
    assert chat.slots.get("pregnant") is None
    assert chat.slots["screening_stopped"] == "someone_else" and chat.asked is None


async def test_a_booking_for_two_stops_before_the_questions() -> None:
    chat = Chat()
    replies = await chat.say("ok can I book for both of us then?", "request_booking")
    assert replies == [message("answering_for_two")]
    assert chat.slots["screening_stopped"] == "someone_else" and chat.asked is None


@pytest.mark.parametrize("text", ["no", "not pregnant, my girlfriend is though", "no, us runners"])
def test_one_persons_answer_is_not_for_two(text: str) -> None:
    assert not speaks_for_two(text)


async def test_a_red_flag_still_wins_over_a_takeover() -> None:
    chat = Chat(pregnant="no", requested_slot="blood_disorder")
    await chat.say("his wife here, he's got chest pain right now", "red_flag")
    assert chat.slots.get("screening_stopped") is None and chat.asked == "blood_disorder"


async def test_the_runner_naming_their_partner_goes_on_with_the_questions() -> None:
    chat = Chat(pregnant="no", requested_slot="blood_disorder")
    await chat.say("no, my husband's on warfarin, but I'm not", "deny")
    assert chat.slots.get("screening_stopped") is None


# --- a correction of an earlier answer --------------------------------------------


async def test_fat_thumbs_meant_yes_changes_the_last_answer() -> None:
    chat = await Chat.booked_until("complaint", "hi, I'd like to book some dry needling")
    replies = await chat.say("oops, fat thumbs, meant to press yes on that last one", "inform")
    assert chat.slots["infection_risk"] == "yes"
    assert chat.slots.get("complaint") is None  # not a complaint
    assert message("updated", answers=_summary("infection_risk")) in replies


async def test_the_sugar_question_should_have_been_yes() -> None:
    chat = await Chat.booked_until("complaint", "can I book")
    replies = await chat.say(
        "left achilles. PS the answer to the sugar question should've been yes", "inform"
    )
    assert chat.slots["infection_risk"] == "yes" and chat.slots["complaint"] == "achilles"
    assert message("updated", answers=_summary("infection_risk")) in replies


async def test_the_answer_to_the_blood_question_is_yes() -> None:
    chat = await Chat.booked_until("complaint", "can I book")
    await chat.say("calf. the answer to the blood question is yes, sorry", "inform")
    assert chat.slots["blood_disorder"] == "yes" and chat.slots["complaint"] == "calf"


async def test_i_lied_on_the_sugar_one_leaves_it_open() -> None:
    chat = await Chat.booked_until("complaint", "can I book")
    await chat.say("knee - also I lied on the sugar one, sorry", "inform")
    assert chat.slots["infection_risk"] in ("yes", "unsure") and chat.slots["complaint"] == "knee"


async def test_a_wrong_tap_on_a_no_leaves_it_open() -> None:
    chat = await Chat.booked_until("current_infection", "book please")
    await chat.say("sorry, pressed the wrong button there", "inform")
    # the truth is something other than that "No": not sure, not asked again
    assert chat.slots["blood_disorder"] == "unsure"
    assert chat.asked == "current_infection"  # this question is still open


async def test_a_slipped_yes_is_asked_again_and_a_tapped_no_then_counts() -> None:
    chat = Chat()
    await chat.say("book please", "request_booking")
    await chat.say("Yes", "affirm")
    assert chat.asked == "pregnancy_stage"
    replies = await chat.say("sorry no!! fat thumbs. not pregnant, I'm a 58 year old man")
    assert chat.asked == "pregnant" and chat.slots["pregnant"] is None
    assert chat.slots["pregnancy_stage"] is None
    assert any("cleared that answer (pregnant)" in reply for reply in replies)
    assert not any("something different" in reply for reply in replies)
    await chat.say("No", "deny")
    assert chat.slots["pregnant"] == "no" and chat.asked == "blood_disorder"


async def test_a_slipped_yes_then_yes_again_stays_yes() -> None:
    chat = await Chat.booked_until("current_infection", "book please")
    await chat.say("Yes", "affirm")
    await chat.say("oops misclicked that one")
    assert chat.asked == "current_infection" and chat.slots["current_infection"] is None
    await chat.say("Yes", "affirm")
    assert chat.slots["current_infection"] == "yes"


async def test_a_slipped_yes_with_a_new_fact_keeps_the_fact() -> None:
    chat = await Chat.booked_until("blood_disorder", "book please")
    await chat.say("Yes", "affirm")
    assert chat.asked == "answers_confirmed"  # a yes goes straight to the summary
    await chat.say("wrong button sorry, but I do have type 1 diabetes")
    assert chat.slots["blood_disorder"] is None
    assert chat.slots["infection_risk"] == "yes" and chat.asked == "answers_confirmed"


async def test_a_lie_about_a_yes_is_no_slipped_tap() -> None:
    chat = await Chat.booked_until("current_infection", "book please")
    await chat.say("Yes", "affirm")
    await chat.say("I lied on that last one")
    assert chat.slots["current_infection"] == "unsure"


# --- a slip with something more in the same message (tests/safety tenth_break) --------


async def test_a_slipped_yes_with_a_blood_thinner_keeps_the_yes() -> None:
    # tb_slip_yes_then_baby_aspirin: the aspirin said with the slip is read (principle 4)
    chat = await Chat.booked_until("blood_disorder", "can I book dry needling for my calf")
    await chat.say("Yes", "affirm")
    replies = await chat.say("sorry wrong button, it's just a baby aspirin every morning")
    assert chat.slots["blood_disorder"] == "yes"
    assert not any("cleared that answer" in reply for reply in replies)
    assert chat.asked == "answers_confirmed"
    await chat.say("No", "deny")  # no question is open again for a "No" to answer
    assert chat.slots["blood_disorder"] == "yes"


async def test_a_slipped_yes_then_not_sure_stays_not_sure() -> None:
    # tb_slip_yes_then_not_sure_borderline_sugar: the "not sure" is the answer
    chat = await Chat.booked_until("infection_risk", "book dry needling for my hamstring please")
    await chat.say("Yes", "affirm")
    replies = await chat.say(
        "misclicked sorry 🙈 honestly not sure, my GP said my sugar was borderline last time"
    )
    assert chat.slots["infection_risk"] == "unsure"
    assert not any("cleared that answer" in reply for reply in replies)
    assert chat.asked != "infection_risk"


@pytest.mark.parametrize(
    "text",
    ["wrong button, I think", "misclick, not that I know of", "fat thumbs, I'm not on warfarin"],
)
async def test_a_slipped_yes_with_a_hedge_or_a_partial_denial_is_not_sure(text: str) -> None:
    chat = await Chat.booked_until("blood_disorder", "book please")
    await chat.say("Yes", "affirm")
    await chat.say(text)
    # never asked again for a fresh "No" (principles 2, 4 and 6)
    assert chat.slots["blood_disorder"] == "unsure" and chat.asked != "blood_disorder"


async def test_a_slipped_later_stage_is_not_sure() -> None:
    # tb_slip_stage_button_more_than_3_months: the other stages all rule needling out
    chat = Chat()
    await chat.say("can I book dry needling for my calf", "request_booking")
    await chat.say("Yes", "affirm")
    await chat.say("More than 3 months", "inform")
    assert chat.asked == "blood_disorder"
    await chat.say("oops wrong button sorry 🙈")
    assert chat.slots["pregnancy_stage"] == "unsure"
    assert chat.slots["pregnant"] == "yes"
    await chat.say("No", "deny")  # the "No" answers the blood question, not the stage
    assert chat.slots["pregnancy_stage"] == "unsure"


async def test_a_slipped_early_stage_is_asked_again() -> None:
    chat = Chat()
    await chat.say("book please", "request_booking")
    await chat.say("Yes", "affirm")
    await chat.say("Up to 3 months", "inform")
    replies = await chat.say("sorry, misclicked")
    assert chat.asked == "pregnancy_stage" and chat.slots["pregnancy_stage"] is None
    assert any("cleared that answer (how far along)" in reply for reply in replies)


async def test_a_slip_with_an_early_stage_keeps_that_stage() -> None:
    chat = Chat()
    await chat.say("book please", "request_booking")
    await chat.say("Yes", "affirm")
    await chat.say("More than 3 months", "inform")
    await chat.say("wrong button, I'm 9 weeks")
    assert chat.slots["pregnancy_stage"] == "9 weeks"


async def test_a_slip_said_about_the_first_one_is_about_the_first_one() -> None:
    # tb_slip_said_about_the_first_one: a slipped "No" to pregnancy is not sure
    chat = await Chat.booked_until("blood_disorder", "can I book dry needling for my calf")
    await chat.say("Not sure", "inform")
    assert chat.asked == "current_infection"
    replies = await chat.say("hang on, the first one was a misclick sorry")
    assert chat.slots["pregnant"] == "unsure"
    assert chat.slots["blood_disorder"] == "unsure"  # never taken back
    assert not any("cleared that answer" in reply for reply in replies)
    assert chat.asked == "current_infection"


async def test_a_slip_said_about_the_sugar_one_reopens_that_yes() -> None:
    answers = dict(pregnant="no", blood_disorder="unsure", current_infection="no")
    chat = Chat(**answers, infection_risk="yes", complaint="knee")
    chat.slots["requested_slot"] = "answers_confirmed"
    await chat.say("the sugar one was a misclick, sorry")
    assert chat.asked == "infection_risk" and chat.slots["infection_risk"] is None
    assert chat.slots["blood_disorder"] == "unsure"


@pytest.mark.parametrize(
    "text",
    [
        "accidentally pressed yes 🤦‍♂️ not pregnant, I'm a bloke",
        "accidently tapped that, no",
        "pressed yes by mistake, not pregnant",
        "hit yes by accident sorry",
        "didn't mean to press yes, not pregnant",
    ],
)
async def test_an_accidental_press_is_a_slip(text: str) -> None:
    # tb_ok_slip_accidentally_pressed_yes
    chat = Chat()
    await chat.say("can I book for my achilles", "request_booking")
    await chat.say("Yes", "affirm")
    assert chat.asked == "pregnancy_stage"
    replies = await chat.say(text)
    assert chat.asked == "pregnant" and chat.slots["pregnant"] is None
    assert not any("something different" in reply for reply in replies)
    await chat.say("No", "deny")
    assert chat.slots["pregnant"] == "no" and chat.asked == "blood_disorder"


@pytest.mark.parametrize(
    "text", ["accidentally pressed no", "didn't mean to press no", "misclicked that one"]
)
async def test_a_slipped_no_is_never_asked_again(text: str) -> None:
    chat = await Chat.booked_until("current_infection", "book please")
    await chat.say(text)
    assert chat.slots["blood_disorder"] == "unsure" and chat.asked == "current_infection"


async def test_i_lied_about_a_yes_with_a_denial_stays_not_sure() -> None:
    chat = await Chat.booked_until("current_infection", "book please")
    await chat.say("Yes", "affirm")
    await chat.say("I lied on that last one, no infection")
    assert chat.slots["current_infection"] == "unsure"


async def test_an_accident_that_is_no_tap_is_no_slip() -> None:
    chat = await Chat.booked_until("infection_risk", "book please")
    await chat.say("no, I accidentally hit my shin on a hurdle though", "deny")
    assert chat.slots["current_infection"] == "no"  # the tap before is left alone
    chat = await Chat.booked_until("infection_risk", "book please")
    await chat.say("Yes", "affirm")
    assert chat.asked == "answers_confirmed"
    await chat.say("it's my knee, I accidentally hit it on a hurdle")
    assert chat.slots["infection_risk"] == "yes"  # never cleared by an accident


def test_a_question_is_referred_to_by_name_not_in_passing() -> None:
    assert referred_questions("hang on the first one was a misclick sorry") == ["pregnant"]
    assert referred_questions("wrong button on the sugar question") == ["infection_risk"]
    assert referred_questions("the weeks one was a misclick") == ["pregnancy_stage"]
    assert referred_questions("sorry wrong button it's just a baby aspirin every morning") == []
    assert referred_questions("oops misclicked that one") == []


async def test_a_wrong_tap_of_change_an_answer_opens_no_answer() -> None:
    answers = dict(pregnant="no", blood_disorder="no", current_infection="no")
    chat = Chat(**answers, infection_risk="no", complaint="knee")
    chat.slots["requested_slot"] = "answers_confirmed"
    await chat.say("Change an answer", "deny")
    assert chat.asked == "answer_to_change"
    await chat.say("oops, wrong button", "inform")
    assert all(chat.slots[slot] == "no" for slot in YES_NO)


async def test_a_sentence_that_only_sounds_like_a_correction_changes_nothing() -> None:
    chat = await Chat.booked_until("complaint", "can I book")
    await chat.say("knee, I tried no running for a week and it's no better", "inform")
    assert all(chat.slots[slot] == "no" for slot in YES_NO)
    assert chat.slots["complaint"] == "knee"


async def test_a_correction_to_no_is_a_contradiction() -> None:
    chat = Chat(pregnant="no", blood_disorder="yes", requested_slot="current_infection")
    replies = await chat.say("the blood one should have been no", "inform")
    assert chat.slots["blood_disorder"] == "unsure"
    assert any("Earlier you told me something different" in reply for reply in replies)


async def test_meant_yes_at_the_summary_reopens_the_last_yes_no_question() -> None:
    answered = dict(pregnant="no", blood_disorder="no", current_infection="no")
    chat = Chat(**answered, infection_risk="no", complaint="knee")
    chat.slots["requested_slot"] = "answers_confirmed"
    await chat.say("meant to tap yes for the diabetes one", "inform")
    assert chat.slots["infection_risk"] == "yes"
    assert chat.slots.get("answers_confirmed") is None


async def test_no_wait_i_mean_yes_answers_the_question_asked() -> None:
    chat = Chat(pregnant="no", requested_slot="blood_disorder")
    await chat.say("no wait, I mean yes", "affirm")
    assert chat.slots["pregnant"] == "no"  # the earlier answer is left alone
    assert chat.slots["blood_disorder"] in ("yes", "unsure")


def test_the_questions_are_named_in_the_runners_words() -> None:
    assert named_questions("the answer to the sugar question should've been yes") == [
        "infection_risk"
    ]
    assert named_questions("the blood sugar one") == ["infection_risk"]
    assert named_questions("the blood one") == ["blood_disorder"]
    assert named_questions("higher risk of infection") == ["infection_risk"]


async def test_the_sugar_one_is_the_diabetes_question_to_change() -> None:
    answers = dict(pregnant="no", blood_disorder="no", current_infection="no")
    chat = Chat(**answers, infection_risk="no", complaint="knee", answers_confirmed="no")
    chat.slots["requested_slot"] = "answer_to_change"
    await chat.say("the sugar one", "inform")
    assert chat.asked == "infection_risk" and chat.slots["blood_disorder"] == "no"


# --- the stage corrected at the summary -------------------------------------------


async def test_thirteen_and_a_bit_at_the_summary_corrects_the_stage() -> None:
    chat = Chat()
    await chat.say("can I book for my hamstring", "request_booking")
    await chat.say("yes", "affirm")
    await chat.say("14 weeks", "inform")
    await chat.answer_no_until("answers_confirmed")  # the hamstring is the complaint
    assert chat.slots["pregnancy_stage"] == "14 weeks"
    replies = await chat.say("yes that's right, well 13 and a bit if I'm honest", "affirm")
    assert chat.slots["pregnancy_stage"] in ("13 weeks", "unsure", "about 13 weeks")
    assert chat.slots.get("answers_confirmed") is None and chat.asked == "answers_confirmed"
    assert message("updated", answers=_summary("pregnancy_stage")) in replies


async def test_a_number_that_is_no_stage_confirms() -> None:
    chat = Chat(pregnant="no", blood_disorder="no", current_infection="no")
    chat.slots.update(infection_risk="no", complaint="knee", requested_slot="answers_confirmed")
    await chat.say("yes that's right", "affirm")
    assert chat.slots["answers_confirmed"] == "yes"


# --- a body part in passing is no new complaint -----------------------------------


async def test_a_groin_dissection_does_not_replace_the_calf() -> None:
    chat = Chat()
    await chat.say("book for my calf", "request_booking")
    assert chat.slots["complaint"] == "calf"
    await chat.answer_no_until("infection_risk")
    await chat.say("no, though I did have a groin dissection for melanoma in 2022", "deny")
    assert chat.slots["complaint"] == "calf"


@pytest.mark.parametrize(
    "text", ["actually it's my hip, not the calf", "sorry I meant my hip", "my hip, not my calf"]
)
async def test_an_explicit_change_of_the_complaint_counts(text: str) -> None:
    chat = Chat(pregnant="no", complaint="calf", requested_slot="blood_disorder")
    await chat.say(text, "inform")
    assert chat.slots["complaint"] == "hip"


def _summary(slot: str) -> str:
    return load_screening().question(slot).summary.lower()


# --- whatever the classifier makes of it ------------------------------------------


@pytest.mark.parametrize("intent", ["faq", "unanswerable_question", "nlu_fallback", "deny"])
async def test_a_correction_is_read_whatever_the_intent(intent: str) -> None:
    answers = dict(pregnant="no", blood_disorder="no", current_infection="no")
    chat = Chat(**answers, infection_risk="no", requested_slot="complaint")
    await chat.say("oops, fat thumbs, meant to press yes on that last one", intent)
    assert chat.slots["infection_risk"] == "yes"


@pytest.mark.parametrize("intent", ["faq", "unanswerable_question", "nlu_fallback", "deny"])
async def test_a_takeover_is_read_whatever_the_intent(intent: str) -> None:
    chat = Chat(pregnant="no", requested_slot="blood_disorder")
    await chat.say("her boyfriend here, I'm filling in the rest for her", intent)
    assert chat.slots["screening_stopped"] == "someone_else"
