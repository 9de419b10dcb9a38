"""One way for the clinic's NLU components to overrule the classifier's intent."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def replace_intent(message: Message, name: str, confidence: float = 1.0) -> None:
    """Make `name` the intent, first in the ranking; the classifier's own ranking
    stays below it (for the logs and the evaluation)."""
    intent = {"name": name, "confidence": confidence}
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
