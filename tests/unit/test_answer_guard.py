"""The answer guard: an answer from the content only when the two classifiers,
weighed together, are sure of it; otherwise the honest "I can't answer that one"."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from clinic_assistant.rasa.answer_guard import (
    UNANSWERABLE_INTENT,
    AnswerGuard,
    classifier_probabilities,
    combine,
)
from clinic_assistant.rasa.lexical_classifier import LexicalClassifier

# the neural classifiers alone (no lexical classifier trained)
GUARD = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2})

EXAMPLES: List[Tuple[str, str]] = [
    ("how much does a session cost", "faq/cost"),
    ("what is the price of dry needling", "faq/cost"),
    ("what do you charge per appointment", "faq/cost"),
    ("does my health insurance pay for it", "faq/insurance"),
    ("will my insurer cover the treatment", "faq/insurance"),
    ("is physio covered by my insurance policy", "faq/insurance"),
    ("is there parking at the clinic", "unanswerable_question"),
    ("can i bring my dog along", "unanswerable_question"),
    ("where do i leave my car", "unanswerable_question"),
    ("do you have lockers for my bag", "unanswerable_question"),
    ("how do i fix my bike chain", "out_of_scope"),
    ("what's the weather tomorrow", "out_of_scope"),
    ("recommend a good film", "out_of_scope"),
    ("sudden chest pain on my run", "red_flag"),
    ("my chest feels tight and i can't breathe", "red_flag"),
    ("i fainted during my run", "red_flag"),
]


@pytest.fixture(scope="module")
def lexical() -> LexicalClassifier:
    return fitted(EXAMPLES)


def parsed(
    intent: str,
    confidence: float,
    answers: Dict[str, float] | None = None,
    text: str = "a question",
) -> Message:
    """A message as the classifiers leave it: the intent ranking (the intent first,
    the rest spread over greet) and the answer selector's ranking."""
    data = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [
            {"name": intent, "confidence": confidence},
            {"name": "greet", "confidence": 1.0 - confidence},
        ],
    }
    if answers:
        best = max(answers, key=answers.__getitem__)
        data["response_selector"] = {
            "faq": {
                "response": {"confidence": answers[best], "intent_response_key": best},
                "ranking": [
                    {"intent_response_key": key, "confidence": c} for key, c in answers.items()
                ],
            }
        }
    return Message(data=data)


def fitted(examples: List[Tuple[str, str]]) -> LexicalClassifier:
    return LexicalClassifier.fit([text for text, _ in examples], [key for _, key in examples])


def intent_after(message: Message, guard: AnswerGuard = GUARD) -> str:
    return guard.process([message])[0].get("intent")["name"]


def test_the_classifiers_confidence_is_shared_out_over_the_selected_answers() -> None:
    message = parsed("faq", 0.8, {"faq/cost": 0.75, "faq/insurance": 0.25})
    message.set(
        "intent_ranking",
        [*message.get("intent_ranking"), {"name": "nlu_fallback", "confidence": 0.4}],
    )
    probabilities = classifier_probabilities(message)
    assert probabilities == pytest.approx({"faq/cost": 0.6, "faq/insurance": 0.2, "greet": 0.2})


def test_two_opinions_are_weighed_together() -> None:
    ranking = combine({"faq/cost": 0.9, "greet": 0.1}, {"faq/insurance": 1.0}, 0.2)
    assert ranking[0] == ("faq/insurance", pytest.approx(0.8))
    assert dict(ranking)["faq/cost"] == pytest.approx(0.18)
    # without a lexical classifier, the neural classifiers decide alone
    assert combine({"faq/cost": 0.9}, {}, 0.2) == [("faq/cost", pytest.approx(0.9))]


def test_a_sure_answer_passes_with_its_combined_confidence() -> None:
    message = GUARD.process([parsed("faq", 0.9, {"faq/cost": 0.9, "faq/insurance": 0.1})])[0]
    assert message.get("intent") == {"name": "faq", "confidence": pytest.approx(0.81)}
    response = message.get("response_selector")["faq"]["response"]
    assert response["intent_response_key"] == "faq/cost"
    assert response["utter_action"] == "utter_faq/cost"
    assert response["confidence"] == pytest.approx(0.81)
    what_it_helps = parsed("ask_indication", 0.95, text="what can dry needling help with")
    assert intent_after(what_it_helps) == "ask_indication"


def test_an_unsure_answer_becomes_an_honest_dont_know() -> None:
    message = GUARD.process([parsed("faq", 0.9, {"faq/cost": 0.4, "faq/insurance": 0.35})])[0]
    assert message.get("intent")["name"] == UNANSWERABLE_INTENT
    # the classifier's own ranking stays, after the guard's verdict
    assert [r["name"] for r in message.get("intent_ranking")][:2] == [UNANSWERABLE_INTENT, "faq"]
    assert intent_after(parsed("ask_contraindication", 0.45)) == UNANSWERABLE_INTENT


def test_other_intents_and_buttons_are_left_alone(lexical: LexicalClassifier) -> None:
    guard = AnswerGuard({}, lexical=lexical)
    # a greeting stays a greeting, whatever the lexical classifier thinks of it
    assert intent_after(parsed("greet", 0.3, text="how much does a session cost"), guard) == "greet"
    assert intent_after(parsed("request_booking", 0.6, text="what do you charge"), guard) == (
        "request_booking"
    )
    button = parsed("faq", 0.9, {"faq/cost": 0.1, "faq/insurance": 0.05})
    button.set("text", "/faq")
    assert intent_after(button) == "faq"


def test_the_indication_answer_is_for_running_injuries_and_body_parts() -> None:
    def indication(text: str, entities: List[str] = (), value: str = "x") -> Message:
        message = parsed("ask_indication", 0.9, text=text)
        message.set("entities", [{"entity": e, "value": value} for e in entities])
        return message

    for text in ("can dry needling help with my migraines", "is it any good for fibromyalgia?"):
        assert intent_after(indication(text)) == UNANSWERABLE_INTENT
    assert intent_after(indication("which running injuries can it help with?")) == "ask_indication"
    # chat words and typing slips name no problem of their own
    for text in (
        "what kinda running injuries do u use it for",
        "wat running injuries is it for",
        "which runnin injuries is it actualy good for",
    ):
        assert intent_after(indication(text)) == "ask_indication", text
    # but a word one slip away from no general word still does
    assert intent_after(indication("is it any good for migranes")) == UNANSWERABLE_INTENT
    assert intent_after(indication("would it help my sore quads", ["body_part"])) == (
        "ask_indication"
    )
    assert intent_after(indication("is it good for shin splints", ["injury"])) == "ask_indication"
    # a neck, a shoulder or an arm is no running complaint
    neck = indication("can u needle my neck for tension headaches", ["body_part"], "neck")
    assert intent_after(neck) == UNANSWERABLE_INTENT
    thigh = indication("can you needle my thigh", ["body_part"], "thigh")
    assert intent_after(thigh) == "ask_indication"


def test_the_indication_answer_is_not_for_another_treatment() -> None:
    guard = AnswerGuard({"other_treatments": ["prp", "insoles", "foam roller", "stretch"]})

    def indication(text: str) -> Message:
        message = parsed("ask_indication", 0.9, text=text)
        message.set("entities", [{"entity": "injury", "value": "achilles"}])
        return message

    for text in (
        "is PRP any good for achilles?",
        "best insoles for runners knee",
        "is a foam  roller better for a tight calf",
    ):
        assert intent_after(indication(text), guard) == UNANSWERABLE_INTENT, text
    # naming needling (a typo or "dn" too), it is a question about dry needling again
    for text in (
        "is dry needling or PRP better for achilles",
        "dn or a stretch for my calf?",
        "would needeling help more than insoles",
    ):
        assert intent_after(indication(text), guard) == "ask_indication", text
    # a word that only contains one ("stretchy", "prpl") is no treatment
    assert intent_after(indication("is it good for a stretchy achilles"), guard) == (
        "ask_indication"
    )
    # the list has one home, config.yml: by default there is none
    assert GUARD.other_treatments is None


def test_a_question_after_a_greeting_is_the_question(lexical: LexicalClassifier) -> None:
    guard = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2}, lexical=lexical)
    greeting = parsed("greet", 0.7, text="Hi, what do you charge per appointment?")
    message = guard.process([greeting])[0]
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/cost"
    )
    thanks = parsed("thank", 0.6, text="thanks! and will my insurer cover the treatment?")
    assert intent_after(thanks, guard) == "faq"
    no_answer = parsed("greet", 0.7, text="hello there, can i bring my dog along?")
    assert intent_after(no_answer, guard) == UNANSWERABLE_INTENT
    # a greeting alone, or with no question after it, stays a greeting
    for text in ("hi there", "hello, hoping you can help", "hey! what's up"):
        assert intent_after(parsed("greet", 0.7, text=text), guard) == "greet"


def test_the_lexical_classifier_finds_the_answer_the_neural_ones_missed(
    lexical: LexicalClassifier,
) -> None:
    guard = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2}, lexical=lexical)
    # the intent classifier was unsure and said "out of scope"; the words say price
    message = parsed("out_of_scope", 0.5, {"faq/insurance": 0.6, "faq/cost": 0.4})
    message.set("text", "what is the price of a session")
    message = guard.process([message])[0]
    assert message.get("intent")["name"] == "faq"
    assert message.get("response_selector")["faq"]["response"]["utter_action"] == "utter_faq/cost"
    # the answer selector's choice is overruled when the words point elsewhere
    message = parsed("faq", 0.9, {"faq/cost": 0.7, "faq/insurance": 0.3})
    message.set("text", "will my insurance policy cover it")
    message = guard.process([message])[0]
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == (
        "faq/insurance"
    )


def test_a_question_no_answer_covers_gets_no_answer(lexical: LexicalClassifier) -> None:
    guard = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2}, lexical=lexical)
    # the selector says price; the words say "no answer covers this"
    message = parsed("faq", 0.8, {"faq/cost": 0.7, "faq/insurance": 0.3})
    message.set("text", "is there parking for my car at the clinic")
    assert intent_after(message, guard) == UNANSWERABLE_INTENT
    # an out-of-scope message stays out of scope
    message = parsed("out_of_scope", 0.9, {"faq/cost": 0.5, "faq/insurance": 0.5})
    message.set("text", "how do i fix the chain on my bike")
    assert intent_after(message, guard) == "out_of_scope"


def test_words_unknown_to_the_training_data_redirect_content_answers() -> None:
    guard = AnswerGuard(
        {"answer_threshold": 0.5},
        known_words=["needles", "sterile", "wear", "appointment", "session"],
    )
    # a typing slip is still a known word
    assert guard.unknown_share("are the neeedles sterile") == 0.0
    assert guard.verdict(faq_about("are the neeedles sterile"))[0] == "faq/sterile_needles"
    # another world: mostly unknown words
    assert guard.verdict(faq_about("how to sterilise baby bottles"))[0] == "out_of_scope"
    # two known words run together are known
    assert guard.unknown_share("sterile overneedles") == 0.0
    assert guard.unknown_share("appointmentstadium") == 1.0
    # a few unknown words in a question about the clinic: the answer stands
    assert guard.verdict(faq_about("what to wear for my session at the stadium"))[0] == (
        "faq/sterile_needles"
    )


def test_unknown_words_beside_a_question_both_classifiers_are_sure_of() -> None:
    examples = [
        ("are the needles sterile", "faq/sterile_needles"),
        ("are needles single use and sterile", "faq/sterile_needles"),
        ("do you use clean sterile needles", "faq/sterile_needles"),
        ("how much does it cost", "faq/cost"),
        ("what is the price", "faq/cost"),
        ("how to bake bread", "out_of_scope"),
        ("what is the weather", "out_of_scope"),
    ]
    lexical = fitted(examples)
    guard = AnswerGuard(
        {"answer_threshold": 0.5, "classifier_weight": 0.2},
        known_words=["needles", "sterile", "use", "single", "clean"],
        lexical=lexical,
    )
    # two words of another language beside a question both classifiers are sure of
    text = "zijn de naalden steriel? sorry: are the needles sterile"
    assert guard.unknown_share(text) >= 0.5
    assert guard.verdict(faq_about(text))[0] == "faq/sterile_needles"
    # the neural classifiers alone are never sure enough for that
    neural_only = AnswerGuard({}, known_words=["needles", "sterile"])
    assert neural_only.verdict(faq_about("how to sterilise baby bottles"))[0] == "out_of_scope"
    # nor when the lexical classifier chooses another answer
    assert guard.verdict(faq_about("quanto costa? how much is the price"))[0] == "out_of_scope"


def faq_about(text: str) -> Message:
    return parsed("faq", 0.95, {"faq/sterile_needles": 0.9, "faq/cost": 0.1}, text=text)


def test_an_unsure_answer_keeps_the_questions_it_may_have_meant(
    lexical: LexicalClassifier,
) -> None:
    guard = AnswerGuard({"answer_threshold": 0.9, "classifier_weight": 0.2}, lexical=lexical)

    def suggested(text: str) -> list:
        message = parsed("faq", 0.9, {"faq/cost": 0.5, "faq/insurance": 0.5}, text=text)
        return guard.process([message])[0].get("answer_suggestions")

    # the likeliest answers, by both classifiers
    assert suggested("will my insurance pay for the session") == ["faq/insurance", "faq/cost"]
    # when the likeliest is "no answer covers this" or unrelated: nothing to offer
    assert suggested("is there parking near the clinic") == []
    assert suggested("how do i fix a bike chain") == []
    # an answer given is not a suggestion
    sure = AnswerGuard({"answer_threshold": 0.3}, lexical=lexical)
    message = parsed("faq", 0.9, {"faq/cost": 0.9, "faq/insurance": 0.1}, text="price?")
    assert sure.process([message])[0].get("answer_suggestions") is None


def test_the_lexical_classifier_is_stored_and_loaded(
    lexical: LexicalClassifier, tmp_path: Path
) -> None:
    lexical.save(tmp_path / "lexical.joblib")
    loaded = LexicalClassifier.load(tmp_path / "lexical.joblib")
    text = "does insurance pay"
    assert loaded.probabilities(text) == lexical.probabilities(text)
    assert sum(loaded.probabilities(text).values()) == pytest.approx(1.0)
    assert max(loaded.probabilities(text).items(), key=lambda item: item[1])[0] == "faq/insurance"


def test_one_classifier_saying_red_flag_is_enough(lexical: LexicalClassifier) -> None:
    guard = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2}, lexical=lexical)
    # the intent classifier was unsure, but its first choice was a red flag
    unsure = Message(
        data={
            "text": "bloodthiners since my stroke",
            "intent": {"name": "nlu_fallback", "confidence": 0.4},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.4},
                {"name": "red_flag", "confidence": 0.38},
                {"name": "delete_my_data", "confidence": 0.22},
            ],
        }
    )
    assert intent_after(unsure, guard) == "red_flag"
    # the intent classifier saw a question; the words say a red flag
    message = parsed("faq", 0.99, {"faq/cost": 0.9, "faq/insurance": 0.1})
    message.set("text", "oh and my chest was really tight on the run")
    assert intent_after(message, guard) == "red_flag"
    # a question the words do not take for a red flag stays a question
    message = parsed("faq", 0.99, {"faq/cost": 0.9, "faq/insurance": 0.1}, text="price?")
    assert intent_after(message, guard) == "faq"


def test_a_request_may_become_no_answer_but_never_an_answer(lexical: LexicalClassifier) -> None:
    guard = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2}, lexical=lexical)
    # "store" read as a request to see one's data; the words say a clinic question
    lockers = parsed("ask_my_data", 0.7, text="are there lockers for my bag")
    assert intent_after(lockers, guard) == UNANSWERABLE_INTENT
    # "book" read as a request to book; the words say unrelated
    film = parsed("request_booking", 0.9, text="recommend a good film or book")
    assert intent_after(film, guard) == "out_of_scope"
    # a request whose words point to an answer stays a request
    price = parsed("request_booking", 0.9, text="what is the price of dry needling")
    assert intent_after(price, guard) == "request_booking"
    # "questions" read as a question to leave for the clinic; the words say unrelated
    quiz = parsed("leave_question", 0.6, text="give me some good pub quiz questions")
    assert intent_after(quiz, guard) in ("out_of_scope", UNANSWERABLE_INTENT)


def test_a_generic_answer_needs_a_question_about_the_clinic() -> None:
    guard = AnswerGuard(
        {
            "answer_threshold": 0.5,
            "generic_answers": ["faq/cost"],
            "domain_words": ["session", "you"],
        },
        known_words=["cost", "price", "needles", "sterile", "session", "needling", "shin"],
    )

    def cost_question(text: str) -> Message:
        return parsed("faq", 0.95, {"faq/cost": 0.9, "faq/sterile_needles": 0.1}, text=text)

    # only words the assistant knows: about the clinic
    assert guard.verdict(cost_question("how much does it cost"))[0] == "faq/cost"
    # an unknown word, but a word of the clinic's world (config, or the vocabulary's
    # injuries and body parts)
    student = cost_question("price of a needling session for a student")
    assert guard.verdict(student)[0] == "faq/cost"
    assert guard.verdict(cost_question("cost of needling for shin splints"))[0] == "faq/cost"
    # an unknown word and nothing of the clinic's: another world's price
    assert (
        guard.verdict(cost_question("what would the price of a plumber cost"))[0]
        == UNANSWERABLE_INTENT
    )
    assert guard.verdict(cost_question("price of a ps5"))[0] == UNANSWERABLE_INTENT
    # answers that are not generic keep their answer
    needles = parsed("faq", 0.95, {"faq/sterile_needles": 0.9, "faq/cost": 0.1}, text="are")
    needles.set("text", "are the needles sterile in the stadium")
    assert guard.verdict(needles)[0] == "faq/sterile_needles"


def test_mostly_unknown_words_that_no_answer_covers_get_the_honest_no_answer(
    lexical: LexicalClassifier,
) -> None:
    # a name and an e-mail address are unknown words too
    guard = AnswerGuard({"answer_threshold": 0.5}, known_words=["lockers", "bag"], lexical=lexical)
    lockers = faq_about("do you have lockers for my bag, siobhan murphy siobhan@example.ie")
    assert guard.verdict(lockers)[0] == UNANSWERABLE_INTENT
    assert guard.verdict(faq_about("best etf for beginners"))[0] == "out_of_scope"


def test_an_unsure_question_naming_an_injury_and_the_treatment_gets_the_indication_answer() -> None:
    def unsure(text: str, injury: str | None, intent: str = "ask_indication") -> Message:
        message = parsed(intent, 0.4, text=text)
        message.set(
            "intent_ranking",
            [
                {"name": "ask_indication", "confidence": 0.4},
                {"name": UNANSWERABLE_INTENT, "confidence": 0.3},
                {"name": "out_of_scope", "confidence": 0.3},
            ],
        )
        if injury:
            start = text.index(injury)
            entity = {
                "entity": "injury",
                "value": injury,
                "start": start,
                "end": start + len(injury),
            }
            message.set("entities", [entity])
        return message

    guard = AnswerGuard({"answer_threshold": 0.5, "indication_threshold": 0.3})
    hamstrings = "does it work for tight hamstrings"
    assert guard.verdict(unsure(hamstrings, "tight hamstrings")) == ("ask_indication", 0.4)
    # also when the intent classifier said no answer covers it
    no_answer = unsure(hamstrings, "tight hamstrings", intent=UNANSWERABLE_INTENT)
    assert guard.verdict(no_answer) == ("ask_indication", 0.4)
    # no injury named, no word of the treatment, or the lean too weak: honest
    assert guard.verdict(unsure(hamstrings, None))[0] == UNANSWERABLE_INTENT
    running = "should i keep running on tight hamstrings"
    assert guard.verdict(unsure(running, "tight hamstrings"))[0] == UNANSWERABLE_INTENT
    strict = AnswerGuard({"answer_threshold": 0.5, "indication_threshold": 0.45})
    assert strict.verdict(unsure(hamstrings, "tight hamstrings"))[0] == UNANSWERABLE_INTENT


def test_an_unsure_question_naming_a_problem_and_needling_gets_the_indication_answer() -> None:
    def unsure(text: str, entity: str | None, first: str = "ask_indication") -> Message:
        message = parsed(UNANSWERABLE_INTENT, 0.6, text=text)
        ranking = [
            {"name": UNANSWERABLE_INTENT, "confidence": 0.6},
            {"name": first, "confidence": 0.3},
            {"name": "ask_indication" if first != "ask_indication" else "faq", "confidence": 0.1},
        ]
        message.set("intent_ranking", ranking)
        if entity:
            start = text.index(entity)
            found = {"entity": "body_part", "value": entity, "start": start, "end": start + 9}
            message.set("entities", [found])
        return message

    question = "adductors are tight from hill reps, something you'd needle?"
    assert intent_after(unsure(question, "adductors")) == "ask_indication"
    # a neck, a shoulder or an arm is no running complaint on this path either
    for part in ("neck", "shoulder"):
        other = f"my {part} is stiff from the desk, something you'd needle?"
        assert intent_after(unsure(other, part)) == UNANSWERABLE_INTENT
    # nothing named, needling not asked about, or another answer likelier: honest
    assert intent_after(unsure(question, None)) == UNANSWERABLE_INTENT
    stretches = "good stretches for tight adductors?"
    assert intent_after(unsure(stretches, "adductors")) == UNANSWERABLE_INTENT
    cost = unsure(question, "adductors", first="faq")
    cost.set(
        "response_selector",
        {"faq": {"ranking": [{"intent_response_key": "faq/cost", "confidence": 1.0}]}},
    )
    assert intent_after(cost) == UNANSWERABLE_INTENT


def test_a_request_the_lexical_classifier_hardly_sees_is_no_request() -> None:
    examples = [*EXAMPLES, ("can i book an appointment", "request_booking")]
    examples.append(("i would like to book a session", "request_booking"))
    lexical = fitted(examples)
    text = "siobhan here, any lockers for my bag"
    assert lexical.probabilities(text)["request_booking"] < 0.2

    def unsure_request() -> Message:
        message = parsed("request_booking", 0.45, text=text)
        ranking = [
            {"name": "request_booking", "confidence": 0.45},
            {"name": UNANSWERABLE_INTENT, "confidence": 0.4},
            {"name": "greet", "confidence": 0.15},
        ]
        message.set("intent_ranking", ranking)
        return message

    # the neural classifier weighs most here, so together they stay unsure (< 0.5)
    settings = {"answer_threshold": 0.5, "classifier_weight": 0.9}
    guard = AnswerGuard(settings, lexical=lexical)
    assert guard.opinions(unsure_request()).ranking[0][1] < 0.5
    assert intent_after(unsure_request(), guard) == UNANSWERABLE_INTENT
    lenient = AnswerGuard({**settings, "request_minimum": 0.0}, lexical=lexical)
    assert intent_after(unsure_request(), lenient) == "request_booking"


def test_a_question_beside_a_complaint_gets_its_answer() -> None:
    examples = [
        ("what is dry needling", "faq/what_is_dry_needling"),
        ("what is it exactly, in simple terms", "faq/what_is_dry_needling"),
        ("explain dry needling to me", "faq/what_is_dry_needling"),
        ("how much does it cost", "faq/cost"),
        ("what is the price", "faq/cost"),
        ("my calf has been sore for weeks", "inform_condition"),
        ("i have a sore knee", "inform_condition"),
        ("my hamstring is tight", "inform_condition"),
    ]
    lexical = fitted(examples)
    guard = AnswerGuard({"answer_threshold": 0.5, "classifier_weight": 0.2}, lexical=lexical)

    def taken_for_a_statement(text: str, answers: Dict[str, float] | None = None) -> Message:
        answers = answers or {"faq/what_is_dry_needling": 1.0}
        message = parsed("inform_condition", 0.5, answers, text=text)
        ranking = [{"name": "inform_condition", "confidence": 0.5}]
        message.set("intent_ranking", ranking + [{"name": "faq", "confidence": 0.5}])
        return message

    # "my calf" made the classifier take the question for a statement of a condition
    question = "what is dry needling in simple terms? my physio mentioned it for my calf"
    answer, confidence = guard.verdict(taken_for_a_statement(question))
    assert answer == "faq/what_is_dry_needling" and confidence >= 0.5
    # a statement stays a statement, for the screening
    statement = "my calf has been sore for weeks since the marathon"
    assert guard.verdict(taken_for_a_statement(statement)) == (None, 0.0)
    # an answer the classifiers are unsure of leaves it to the screening as well
    unsure = {"faq/what_is_dry_needling": 0.5, "faq/cost": 0.5}
    assert GUARD.verdict(taken_for_a_statement(question, unsure)) == (None, 0.0)


def test_why_do_you_ask_needs_words_that_ask_why() -> None:
    examples = [*EXAMPLES, ("why do you ask", "ask_why_screening")]
    examples += [
        ("why do you need to know that", "ask_why_screening"),
        ("why?", "ask_why_screening"),
    ]
    lexical = fitted(examples)
    guard = AnswerGuard({"request_minimum": 0.2}, lexical=lexical)
    assert intent_after(parsed("ask_why_screening", 0.95, text="why do u need that"), guard) == (
        "ask_why_screening"
    )
    snow = parsed("ask_why_screening", 0.95, text="is it going to snow this weekend")
    assert intent_after(snow, guard) == "out_of_scope"


def test_why_do_you_ask_needs_words_the_assistant_knows() -> None:
    examples = [*EXAMPLES, ("why do you ask", "ask_why_screening")]
    examples += [("why do you need to know that", "ask_why_screening")]
    known = ["need", "know", "ask", "pregnant", "why"]
    guard = AnswerGuard({"request_minimum": 0.2}, known_words=known, lexical=fitted(examples))
    asked = parsed("ask_why_screening", 0.9, text="why do you need to know if im pregnant")
    assert intent_after(asked, guard) == "ask_why_screening"
    onions = parsed("ask_why_screening", 0.9, text="why do onions make you cry")
    assert intent_after(onions, guard) == "out_of_scope"


def test_a_vocabulary_change_retrains_the_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa restores a component from its cache when its fingerprint is unchanged; the
    guard reads clinic/vocabulary.yml in train(), so the file is part of it."""
    monkeypatch.setenv("CLINIC_DATA_DIR", str(tmp_path))
    vocabulary = tmp_path / "vocabulary.yml"
    vocabulary.write_text("injury:\n  calf: [calf]\n", encoding="utf-8")
    before = AnswerGuard.fingerprint_addon({})
    assert AnswerGuard.fingerprint_addon({}) == before
    vocabulary.write_text("injury:\n  calf: [calf, calves]\n", encoding="utf-8")
    assert AnswerGuard.fingerprint_addon({}) != before


def test_a_request_to_book_that_asks_about_a_referral_gets_the_referral_answer() -> None:
    guard = AnswerGuard({"referral_words": ["referral", "gp", "doctor", "doctors letter"]})
    for text in (
        "can i just book straight in myself without going through the gp",
        "does the physio need a referral from my doctor or can i book directly",
        "no doctors letter, can i still book myself in",
    ):
        message = guard.process([parsed("request_booking", 0.9, text=text)])[0]
        assert message.get("intent")["name"] == "faq", text
        selected = message.get("response_selector")["faq"]["response"]["intent_response_key"]
        assert selected == "faq/referral", text
    # naming the GP without asking whether one is needed is a request to book
    for text in ("my gp referred me, can i book for tuesday", "book me in please"):
        assert intent_after(parsed("request_booking", 0.9, text=text), guard) == (
            "request_booking"
        ), text
    # the list has one home, config.yml: by default there is none
    assert intent_after(parsed("request_booking", 0.9, text="can i book without a gp")) == (
        "request_booking"
    )
