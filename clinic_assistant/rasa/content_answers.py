"""What the answer guard (answer_guard.py) knows that the actions, the console and
measure/ read too: which predictions answer from the clinic's content, how
confident the chosen FAQ answer was, the guard's default thresholds, and the
names of the honest "I can't answer that one" (data/nlu/unanswerable.yml). A light
module: the action server and the console import it without Rasa's NLU (TensorFlow)."""

from __future__ import annotations

from typing import Any, Dict

RETRIEVAL_INTENT = "faq"
# a question about the clinic or running that no answer covers (data/nlu/unanswerable.yml)
UNANSWERABLE_INTENT = "unanswerable_question"
ANSWER_INTENTS = frozenset({"ask_indication", "ask_contraindication"})
# predictions whose reply comes from the clinic's content
CONTENT_INTENTS = frozenset({RETRIEVAL_INTENT, *ANSWER_INTENTS})
DONT_KNOW, DONT_KNOW_WITH_SUGGESTIONS = "utter_dont_know", "utter_dont_know_suggest"
DONT_KNOW_RESPONSES = frozenset({DONT_KNOW, DONT_KNOW_WITH_SUGGESTIONS})
# the parsed message's FAQ answers an unsure question may have meant (actions/dont_know.py)
SUGGESTIONS = "answer_suggestions"
# AnswerGuard's settings where config.yml sets none
GUARD_DEFAULTS: Dict[str, Any] = {
    "answer_threshold": 0.5,
    "classifier_weight": 0.2,
    "unknown_share_out_of_scope": 0.5,
    # ...unless the two classifiers together are this sure of a specific answer: on the
    # development sets, 7 more right answers ("what r trigger pts", "doet het pijn?
    # sorry, I mean does it hurt") and no other change from 0.6 to 0.9
    "sure_answer_threshold": 0.8,
    # "Pulled my calf at parkrun. Worth trying needling for it?": a question that names
    # a running injury and the treatment gets the indication answer when the two
    # classifiers lean that way this much (on the development sets: 6 more right
    # answers, none wrong)
    "indication_threshold": 0.2,
    # a request to book, to talk to someone or to see one's data that the lexical
    # classifier gives less than this is no request when the two classifiers lean
    # to "no answer covers it" ("how do I cancel my appointment", "Siobhan here, any
    # lockers for my bag?"); on the tests' and development sets' messages it changed
    # only those and three like them (a later "can I book?" still reads them all)
    "request_minimum": 0.2,
    # answers to questions people ask about anything ("how much", "how long"), and
    # the words that say a message is about the clinic (with the vocabulary's)
    "generic_answers": [],
    "domain_words": [],
    # treatments, tests and products other than dry needling: a question about one
    # of them that does not name needling gets no indication answer
    "other_treatments": [],
    # a request to book that asks whether a referral is needed ("can I book straight in
    # or do I need my GP?") gets the referral answer, which says how to book too
    "referral_words": [],
}


def selected_answer_confidence(parsed: Any) -> float | None:
    """The chosen FAQ answer's confidence in a parsed message (a Rasa Message or
    the parse data stored with a user event)."""
    selector = (parsed.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    return (selector.get("response") or {}).get("confidence")
