"""The answer guard: an article answer, or an injury/condition answer, only when
the classifier is sure; otherwise the honest "I can't answer that one"."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from clinic_assistant.rasa.answer_guard import UNANSWERABLE_INTENT, AnswerGuard
from clinic_assistant.rasa.nearest_examples import NearestExamples

GUARD = AnswerGuard({"response_threshold": 0.5, "answer_intent_threshold": 0.7})


def parsed(intent: str, confidence: float, answer_confidence: float | None = None) -> Message:
    data = {
        "text": "a question",
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    if answer_confidence is not None:
        data["response_selector"] = {
            "faq": {
                "response": {"confidence": answer_confidence, "intent_response_key": "faq/cost"}
            }
        }
    return Message(data=data)


def intent_after(message: Message) -> str:
    return GUARD.process([message])[0].get("intent")["name"]


def test_a_sure_answer_passes() -> None:
    assert intent_after(parsed("faq", 0.9, 0.8)) == "faq"
    assert intent_after(parsed("ask_indication", 0.95)) == "ask_indication"


def test_an_unsure_answer_becomes_an_honest_dont_know() -> None:
    message = GUARD.process([parsed("faq", 0.9, 0.3)])[0]
    assert message.get("intent")["name"] == UNANSWERABLE_INTENT
    # the classifier's own ranking stays, after the guard's verdict
    assert [r["name"] for r in message.get("intent_ranking")] == [UNANSWERABLE_INTENT, "faq"]
    assert intent_after(parsed("ask_contraindication", 0.5)) == UNANSWERABLE_INTENT


def test_other_intents_and_buttons_are_left_alone() -> None:
    assert intent_after(parsed("greet", 0.3)) == "greet"
    button = parsed("faq", 0.9, 0.1)
    button.set("text", "/faq")
    assert intent_after(button) == "faq"


def test_words_unknown_to_the_training_data_redirect_content_answers() -> None:
    guard = AnswerGuard(
        {"response_threshold": 0.5, "answer_intent_threshold": 0.7},
        known_words=["needles", "sterile", "wear", "appointment", "session"],
    )
    # a typing slip is still a known word
    assert guard.unknown_share("are the neeedles sterile") == 0.0
    assert guard.verdict(parsed_text("are the neeedles sterile", 0.9)) is None
    # another world: mostly unknown words
    assert guard.verdict(parsed_text("how to sterilise baby bottles", 0.9)) == "out_of_scope"
    # two known words run together are known
    assert guard.unknown_share("sterile overneedles") == 0.0
    assert guard.unknown_share("appointmentstadium") == 1.0
    # a few unknown words in a question about the clinic: the answer stands
    assert guard.verdict(parsed_text("what to wear for my session at the stadium", 0.9)) is None


def parsed_text(text: str, answer_confidence: float) -> Message:
    message = parsed("faq", 0.95, answer_confidence)
    message.set("text", text)
    return message


def test_an_answer_the_nearest_examples_do_not_point_to_is_not_given() -> None:
    examples = [
        ("how much does a session cost", "faq/cost"),
        ("what is the price of dry needling", "faq/cost"),
        ("is there parking at the clinic", "unanswerable_question"),
        ("can i bring my dog along", "unanswerable_question"),
    ]
    guard = AnswerGuard(
        {"response_threshold": 0.5, "answer_intent_threshold": 0.7, "agreement_bypass": 0.95},
        examples=examples,
    )
    # both methods agree: the answer stands
    assert guard.verdict(parsed_text("how much would a session cost me", 0.8)) is None
    # the classifier says price, the examples say "no answer covers this"
    assert guard.verdict(parsed_text("can i bring my dog", 0.8)) == UNANSWERABLE_INTENT
    # unless the classifier is very sure
    assert guard.verdict(parsed_text("can i bring my dog", 0.97)) is None
    # the same check for an injury/condition question
    injury = parsed("ask_indication", 0.9)
    injury.set("text", "is there parking at the clinic")
    assert guard.verdict(injury) == UNANSWERABLE_INTENT


def test_the_second_opinion_ranks_labels_by_their_nearest_example() -> None:
    nearest = NearestExamples(
        ["what to wear", "what should i wear to my appointment", "how long is a session"],
        ["faq/what_to_wear", "faq/what_to_wear", "faq/session_length"],
    )
    ranked = nearest.ranked("what do i wear")
    assert ranked[0][0] == "faq/what_to_wear" and len(ranked) == 2
    assert nearest.label("how long does a session take") == "faq/session_length"


def test_an_unsure_answer_keeps_the_questions_it_may_have_meant() -> None:
    examples = [
        ("how much does a session cost", "faq/cost"),
        ("does my health insurance pay for it", "faq/insurance"),
        ("how long does a session take", "faq/session_length"),
        ("is there parking at the clinic", "unanswerable_question"),
        ("how do i fix my bike chain", "out_of_scope"),
    ]
    guard = AnswerGuard({"response_threshold": 0.5}, examples=examples)

    def suggested(text: str, answer_confidence: float) -> list:
        message = guard.process([parsed_text(text, answer_confidence)])[0]
        return message.get("answer_suggestions")

    # the classifier's choice (faq/cost) first, then what the nearest examples say
    assert suggested("will my insurance pay for the session", 0.3) == ["faq/cost", "faq/insurance"]
    # nearest examples of "no answer covers this" or unrelated: nothing to offer
    assert suggested("is there parking near the clinic", 0.3) == []
    assert suggested("how do i fix a bike chain", 0.3) == []
    # an answer given is not a suggestion
    assert suggested("how much does a session cost", 0.9) is None
