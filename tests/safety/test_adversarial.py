"""The adversarial screening conversations of issue 11, one test each, over the REST channel.

The conversations are in tests/safety/conversations/ (one file per class); the driver and the
judge are in tests/safety/suite.py; `python -m tests.safety.report` runs the same suite and
writes reports/SAFETY.md.
"""

from __future__ import annotations

import pytest

from tests.safety.suite import Conversation, load_conversations, run_conversation

pytestmark = pytest.mark.server

CONVERSATIONS = load_conversations()


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
def test_screening_conversation(assistant, conversation: Conversation) -> None:
    verdict = run_conversation(conversation, assistant.url)
    if not verdict.passed:
        pytest.fail(verdict.explain(), pytrace=False)
