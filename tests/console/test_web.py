"""The console over HTTP (Flask's test client): login, CSRF, pages, privacy."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinic_assistant import PROJECT_ROOT, privacy
from clinic_assistant.console.db import FAILED_LOGIN_LIMIT, ConsoleDB
from clinic_assistant.questions import left_questions
from tests.console.conftest import (
    PASSWORD,
    Conversation,
    csrf_token,
    log_in,
    save,
    staff_names,
    table_counts,
)

PAGES = ["/", "/review", "/teaching", "/questions", "/audit", "/review/0123456789abcdef"]
FORMS = [
    "/logout",
    "/review/0123456789abcdef/example",
    "/review/0123456789abcdef/new-answer",
    "/review/0123456789abcdef/dismiss",
    "/questions/1/done",
    "/questions/1/delete",
]
RUNNER_TEXT = "Hi I'm Siobhan, siobhan@example.ie, 0871234567: do you have lockers for my bag?"


def populate(store) -> None:
    now = time.time() - 300
    save(
        store,
        Conversation("runner-1", now).not_answered(RUNNER_TEXT),
        Conversation("runner-2", now + 10).not_answered("Are there lockers for bags?"),
        Conversation("runner-3", now + 20)
        .screening(["no", "I take warfarin"], "ruled_out")
        .leaves_question("can I bring my dog?", "runner3@example.com"),
    )


def group_id(client, wording: str = "lockers") -> str:
    """The id of the group whose listed wording contains `wording`."""
    for row in client.get("/review").text.split('<tr class="group">')[1:]:
        if wording in row.split("</td>")[0]:
            return re.search(r'href="/review/([0-9a-f]{16})"', row).group(1)
    raise AssertionError(f"no group with {wording!r}")


def test_every_page_and_form_refuses_unauthenticated_access(app, store) -> None:
    populate(store)
    question_id = left_questions(store)[0].id
    client = app.test_client()
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/login"), path
    token = csrf_token(client)  # a valid CSRF token is not a login
    forms = [f.replace("/questions/1/", f"/questions/{question_id}/") for f in FORMS]
    forms += [f"/review/{'f' * 16}/dismiss"]
    for path in forms:
        response = client.post(path, data={"csrf_token": token, "intent": "greet", "key": "x"})
        assert response.status_code == 403, path
    assert len(left_questions(store)) == 1  # nothing was deleted
    assert app.extensions["clinic_console_db"].reviewed() == {}


def test_a_post_without_the_csrf_token_is_refused(client, store) -> None:
    populate(store)
    question = left_questions(store)[0]
    gid = group_id(client)
    for path in (
        f"/questions/{question.id}/delete",
        f"/questions/{question.id}/done",
        f"/review/{gid}/dismiss",
        "/logout",
    ):
        assert client.post(path).status_code == 400, path
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 400, path
    assert left_questions(store) == [question]
    assert client.get("/").status_code == 200  # still logged in
    # a login form without the token is refused too
    assert client.post("/login", data={"name": "anna", "password": PASSWORD}).status_code == 400


def test_failed_logins_are_limited(app) -> None:
    client = app.test_client()
    for _ in range(FAILED_LOGIN_LIMIT):
        response = log_in(client, password="wrong password!")
        assert response.status_code == 401
        assert "do not match" in response.text
    response = log_in(client)  # the right password, but too late
    assert response.status_code == 401
    assert "Too many failed logins" in response.text
    assert client.get("/").status_code == 302
    # an unknown name is refused the same way, and counts too
    other = app.test_client()
    assert log_in(other, name="nobody").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_login_never_redirects_off_the_console(app, target: str) -> None:
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"name": "anna", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302 and response.location == "/"


def test_logout_ends_the_session_on_the_server(app) -> None:
    client = app.test_client()
    assert log_in(client).status_code == 302
    cookie = client.get_cookie("clinic_console")
    assert client.get("/").status_code == 200
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    replay = app.test_client()  # the old cookie, replayed, no longer logs in
    replay.set_cookie("clinic_console", cookie.value)
    assert replay.get("/").status_code == 302


def test_session_cookie_flags(app) -> None:
    client = app.test_client()
    response = log_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    secure = app.test_client()
    response = secure.get("/login", base_url="https://localhost")
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
    response = secure.post(
        "/login",
        data={"name": "anna", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    page = secure.get("/", base_url="https://localhost")
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_pages_show_counts_and_masked_questions(client, store) -> None:
    populate(store)
    overview = client.get("/").text
    assert re.search(r'id="total-conversations">3<', overview)
    assert re.search(r'data-outcome="ruled_out">1<', overview)
    assert re.search(r'id="total-questions">1<', overview)
    review = client.get("/review").text
    assert "Siobhan" not in review and "siobhan@" not in review and "0871234567" not in review
    assert "warfarin" not in review  # a screening answer
    assert re.search(r'class="n count">2<', review)  # the two lockers questions, grouped
    group = client.get(f"/review/{group_id(client)}").text
    assert "Are there lockers for bags?" in group
    assert "Hi I&#39;m &lt;name&gt;, &lt;email&gt;, &lt;phone&gt;: do you have lockers" in group
    assert "Siobhan" not in group and "siobhan@" not in group and "0871234567" not in group
    questions = client.get("/questions").text
    assert "can I bring my dog?" in questions and "runner3@example.com" in questions


def test_teaching_a_group_and_dismissing_one(client, store, app, project: Path) -> None:
    populate(store)
    gid = group_id(client)
    page = client.get(f"/review/{gid}").text
    token = csrf_token(client, f"/review/{gid}")
    wordings = re.findall(r'name="wording" value="([^"]+)"', page)[:2]
    wordings = [html.unescape(w) for w in wordings]
    assert len(wordings) == 2
    response = client.post(
        f"/review/{gid}/new-answer",
        data={
            "csrf_token": token,
            "wording": wordings,
            "key": "lockers",
            "answer": "Yes, there are lockers at {clinic_name}.",
        },
    )
    assert response.status_code == 302 and "/teaching" in response.location
    taught = (project / "data" / "nlu" / "staff_taught.yml").read_text()
    assert "intent: faq/lockers" in taught and "utter_faq/lockers" in taught
    assert "Siobhan" not in taught and "<name>" in taught
    page = client.get(response.location).text
    assert "faq/lockers" in page and "just changed" in page and "make run" in page
    # the group is reviewed: gone from the list
    assert "lockers" not in client.get("/review").text
    # a refused change shows why and writes nothing
    populate(store)  # the same wordings again: already reviewed, so no group
    save(store, Conversation("runner-9", time.time()).not_answered("can I pay by cheque?"))
    gid = group_id(client, "cheque")
    before = (project / "data" / "nlu" / "staff_taught.yml").read_text()
    response = client.post(
        f"/review/{gid}/example",
        data={"csrf_token": token, "wording": ["can I pay by cheque?"], "intent": "red_flag"},
        follow_redirects=True,
    )
    assert "There is no answer called red_flag" in response.text
    assert (project / "data" / "nlu" / "staff_taught.yml").read_text() == before
    response = client.post(f"/review/{gid}/dismiss", data={"csrf_token": token})
    assert response.status_code == 302
    assert "cheque" not in client.get("/review").text
    audit = client.get("/audit").text
    assert "taught new_answer" in audit and "dismissed" in audit and "anna" in audit


def test_questions_can_be_marked_done_and_deleted(client, store, app) -> None:
    populate(store)
    question = left_questions(store)[0]
    token = csrf_token(client, "/questions")
    client.post(f"/questions/{question.id}/done", data={"csrf_token": token})
    assert re.search(
        rf'<tr class="question done" id="question-{question.id}"', client.get("/questions").text
    )
    client.post(f"/questions/{question.id}/delete", data={"csrf_token": token})
    assert left_questions(store) == []
    assert "can I bring my dog?" not in client.get("/questions").text
    assert table_counts(app.extensions["clinic_console_db"])["question_done"] == 0
    assert f"question {question.id}" in client.get("/audit").text


def test_erasure_removes_a_conversation_from_every_console_page(
    client, store, app, endpoints
) -> None:
    populate(store)
    question = left_questions(store)[0]
    token = csrf_token(client, "/questions")
    client.post(f"/questions/{question.id}/done", data={"csrf_token": token})
    gid = group_id(client)
    assert "&lt;email&gt;" in client.get(f"/review/{gid}").text  # opened: in the audit log
    before = {path: client.get(path).text for path in ("/", "/review", "/questions", "/audit")}
    assert "dog" in before["/questions"]
    # erase two runners with the staff command, as `make erase SENDER=...` does
    for sender in ("runner-1", "runner-3"):
        assert privacy.main(["--endpoints", str(endpoints), "erase", "--sender", sender]) == 0
    after = {path: client.get(path).text for path in ("/", "/review", "/questions", "/audit")}
    assert "dog" not in after["/questions"] and "runner3@" not in after["/questions"]
    assert "Are there lockers for bags?" in after["/review"]  # runner-2 stays
    assert "+1 similar" in before["/review"] and "+1 similar" not in after["/review"]
    assert "&lt;email&gt;" not in client.get(f"/review/{group_id(client)}").text
    assert re.search(r'id="total-conversations">1<', after["/"])
    assert re.search(r'data-outcome="ruled_out">0<', after["/"])
    # and the console's own tables hold nothing of them: no text, no conversation id
    db: ConsoleDB = app.extensions["clinic_console_db"]
    assert table_counts(db)["question_done"] == 0
    raw = db.path.read_bytes() + b"".join(
        p.read_bytes() for p in db.path.parent.glob(db.path.name + "-*")
    )
    for secret in (b"runner-1", b"runner-3", b"Siobhan", b"lockers", b"dog", b"warfarin"):
        assert secret not in raw, secret
    for text in after.values():
        assert "runner-1" not in text and "runner-3" not in text


def test_staff_user_command_creates_an_account(tmp_path: Path) -> None:
    db_path = tmp_path / "console.sqlite"
    env = {**os.environ, "CONSOLE_PASSWORD": "a long enough password", "CONSOLE_DB": str(db_path)}
    command = [sys.executable, "-m", "clinic_assistant.console", "add-user", "--name", "ben"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    db = ConsoleDB(db_path)
    assert staff_names(db) == ["ben"]
    assert db.check_password("ben", "a long enough password", "test")
    stored = db_path.read_bytes()
    assert b"a long enough password" not in stored and b"$argon2id$" in stored
    short = {**env, "CONSOLE_PASSWORD": "short"}
    result = subprocess.run(command, env=short, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 1 and "at least" in result.stderr


@pytest.mark.parametrize("path", ["/login", "/"])
def test_no_page_is_cached_or_framed(app, path: str) -> None:
    response = app.test_client().get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
