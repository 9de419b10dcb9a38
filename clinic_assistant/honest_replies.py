"""Names the NLU, the actions and the console share for the honest "I can't answer
that one" (data/nlu/unanswerable.yml). A light module: the action server imports
it without Rasa's NLU."""

DONT_KNOW, DONT_KNOW_WITH_SUGGESTIONS = "utter_dont_know", "utter_dont_know_suggest"
DONT_KNOW_RESPONSES = frozenset({DONT_KNOW, DONT_KNOW_WITH_SUGGESTIONS})
# the parsed message's FAQ answers the question may have meant (answer_guard.py)
SUGGESTIONS = "answer_suggestions"
