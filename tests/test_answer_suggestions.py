"""The questions the honest "I can't answer that" offers (actions/dont_know.py):
a tapped title must get its own answer from the trained model."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent

from tests.conftest import require_model
from tests.support.answers import faq_titles

pytestmark = pytest.mark.slow  # needs the trained model


async def test_every_answer_title_is_read_as_its_own_question() -> None:
    agent = Agent.load(str(require_model()))
    misread = {}
    for key, title in faq_titles().items():
        parsed = await agent.parse_message(title)
        selected = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
        got = selected.get("intent_response_key") if parsed["intent"]["name"] == "faq" else None
        if got != key:
            misread[title] = got or parsed["intent"]["name"]
    assert misread == {}
