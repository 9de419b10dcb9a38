"""The console on conversations the real assistant stored (its store, its events)."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import console_app, honest_non_answer, logged_in_client
from tests.console.test_end_to_end import say, texts

pytestmark = pytest.mark.server

CLEAR = ["can I book?", "no", "no", "no", "no", "my calf", "yes"]
RULED_OUT = ["can I book?", "no", "yes, I take warfarin", "no", "no", "my calf", "yes"]


def test_counts_and_unanswered_questions_from_real_conversations(assistant, tmp_path) -> None:
    replies = [texts(say(assistant.url, "console-clear", text)) for text in CLEAR]
    assert "Nothing in your answers rules dry needling out" in replies[-1]
    replies = [texts(say(assistant.url, "console-ruled-out", text)) for text in RULED_OUT]
    assert "Nothing in your answers rules dry needling out" not in replies[-1]
    assert "Because of" in replies[-1]
    assert "doctor" in texts(say(assistant.url, "console-red", "I have sudden chest pain"))
    question = "Do you have lockers for my bag? I'm Siobhan, siobhan@example.ie"
    assert honest_non_answer(texts(say(assistant.url, "console-q", question)))

    app = console_app(
        assistant.run_dir / "endpoints.yml", tmp_path / "console.sqlite", run_rasa_validate=False
    )
    client = logged_in_client(app)
    overview = client.get("/").text
    # other tests share this assistant: at least ours are counted
    assert int(re.search(r'data-outcome="clear">(\d+)<', overview).group(1)) >= 1
    assert int(re.search(r'data-outcome="ruled_out">(\d+)<', overview).group(1)) >= 1
    assert int(re.search(r'id="total-red-flags">(\d+)<', overview).group(1)) >= 1
    honest = sum(
        int(re.search(rf'data-kind="{kind}">(\d+)<', overview).group(1))
        for kind in ("dont_know", "fallback")
    )
    assert honest >= 1
    review = client.get("/review").text
    assert "Do you have lockers for my bag? I&#39;m &lt;name&gt;, &lt;email&gt;" in review
    for secret in ("Siobhan", "siobhan@", "warfarin", "my calf", "chest pain"):
        assert secret not in review
