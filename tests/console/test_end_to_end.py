"""End to end: a question the assistant could not answer, taught through the
console and retrained, is answered.

Slow (one training, waiting for /tmp/train.lock if someone else trains): the
real assistant answers runners over REST, the console (with `rasa data
validate`) teaches a new answer into a temporary copy of the training data,
`rasa train` writes a temporary model (never models/), and a second assistant
started on that model answers the question.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import QUIET_ENV
from tests.conftest import start_assistant
from tests.console.conftest import (
    console_app,
    copy_project,
    csrf_token,
    honest_non_answer,
    logged_in_client,
)

pytestmark = pytest.mark.server

QUESTIONS = [
    ("runner-a", "Do you have lockers for my bag?"),
    ("runner-b", "do you have lockers for bags"),
    ("runner-c", "Siobhan here, are there any lockers for my bag"),
    ("runner-d", "is there a locker for my gym bag"),
]
ANSWER = "Yes, there are lockers at the clinic for your bag and running gear."
TRAIN_LOCK = "/tmp/train.lock"
# What the console owns is the training data it writes, not how long the neural
# classifiers train: 10 of the configured 45 epochs keep this test to about 7
# minutes of the 90 CI allows (the full configuration trains for about 12).
TEST_EPOCHS = 10


def with_fewer_epochs(config: Path) -> None:
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    trained = [c for c in settings["pipeline"] if "epochs" in c]
    assert trained, "no component of config.yml trains in epochs any more"
    for component in trained:
        component["epochs"] = min(component["epochs"], TEST_EPOCHS)
    config.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")


def say(url: str, sender: str, text: str) -> list:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def texts(replies: list) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def test_a_question_taught_in_the_console_is_answered_after_retraining(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    first = start_assistant(tmp_path / "before")
    try:
        for sender, text in QUESTIONS:
            assert honest_non_answer(texts(say(first.url, sender, text)))
        # a screening answer that reads as a fallback must never reach the console
        for text in ("can I book?", "my name is Siobhan and I take xarelto, 0871234567"):
            say(first.url, "runner-x", text)
    finally:
        first.stop()

    app = console_app(
        first.run_dir / "endpoints.yml", tmp_path / "console.sqlite", project_root=project
    )
    client = logged_in_client(app)
    review = client.get("/review").text
    assert "Siobhan" not in review and "xarelto" not in review and "0871234567" not in review
    rows = [r for r in review.split('<tr class="group">')[1:] if "lockers" in r]
    assert len(rows) == 1, "the lockers questions are one group"
    assert re.search(r'class="n count">4<', rows[0])
    group_id = re.search(r'href="/review/([0-9a-f]{16})"', rows[0]).group(1)
    page = client.get(f"/review/{group_id}").text
    wordings = [html.unescape(w) for w in re.findall(r'name="wording" value="([^"]+)"', page)]
    assert len(set(wordings)) == 4 and not any("Siobhan" in w for w in wordings)
    response = client.post(
        f"/review/{group_id}/new-answer",
        data={
            "csrf_token": csrf_token(client, f"/review/{group_id}"),
            "wording": wordings,
            "key": "lockers",
            "answer": ANSWER,
        },
    )
    assert response.status_code == 302, client.get("/review").text
    assert "utter_faq/lockers" in (project / "data" / "nlu" / "staff_taught.yml").read_text()

    with_fewer_epochs(project / "config.yml")
    models = tmp_path / "models"
    log = tmp_path / "train.log"
    with open(log, "wb") as handle:
        result = subprocess.run(
            [
                "flock",
                TRAIN_LOCK,
                sys.executable,
                "-m",
                "rasa",
                "train",
                "--data",
                str(project / "data"),
                "--domain",
                str(project / "domain.yml"),
                "--config",
                str(project / "config.yml"),
                "--out",
                str(models),
                "--fixed-model-name",
                "taught",
            ],  # fmt: skip
            cwd=PROJECT_ROOT,  # the config names the spaCy pipeline under build/
            env={**os.environ, **QUIET_ENV},
            stdout=handle,
            stderr=subprocess.STDOUT,
            timeout=3600,
        )
    assert result.returncode == 0, log.read_bytes()[-300:].decode(errors="replace")
    model = models / "taught.tar.gz"
    assert model.is_file()

    second = start_assistant(tmp_path / "after", model=model)
    try:
        assert ANSWER in texts(say(second.url, "runner-e", "Do you have lockers for my bag?"))
        # the rest of the assistant still works
        assert "dry needling" in texts(say(second.url, "runner-f", "What is dry needling?")).lower()
    finally:
        second.stop()
