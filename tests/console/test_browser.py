"""The console in headless Chromium (Debian's, driven by the playwright package):
login, the overview, reviewing a group, teaching an example and a new answer,
deleting a left question. Writes reports/console-overview.png and
reports/console-review.png.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

from clinic_assistant.privacy import open_store
from clinic_assistant.questions import left_questions
from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture)
from tests.console.conftest import PASSWORD, console_app, copy_project, populate_demo
from tests.support.endpoints import sqlite_endpoints

pytestmark = pytest.mark.browser
REPORTS = Path(__file__).resolve().parents[2] / "reports"


class LiveConsole:
    def __init__(self, tmp: Path) -> None:
        import waitress

        self.project = copy_project(tmp / "project")
        self.endpoints = sqlite_endpoints(tmp, tmp / "conversations.db")
        self.store = open_store(self.endpoints)
        populate_demo(self.store)
        self.app = console_app(self.endpoints, tmp / "console.sqlite", project_root=self.project)
        self.server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[LiveConsole]:  # noqa: F811
    live = LiveConsole(tmp_path_factory.mktemp("console"))
    try:
        yield live
    finally:
        live.close()


@pytest.fixture
def page(browser, console: LiveConsole):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(60_000)  # teaching runs `rasa data validate`
    page = context.new_page()
    page.goto(console.url + "/")
    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(console.url + "/")
    try:
        yield page
    finally:
        context.close()


def test_login_refuses_a_wrong_password(browser, console: LiveConsole) -> None:  # noqa: F811
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(console.url + "/review")
        assert page.url.startswith(console.url + "/login")
        page.fill("#name", "anna")
        page.fill("#password", "not the password")
        page.click("button:has-text('Log in')")
        assert "do not match" in page.inner_text("[role=alert]")
        page.fill("#name", "anna")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_url(console.url + "/review")  # back where it was going
        page.click("button:has-text('Log out')")
        page.wait_for_url(console.url + "/login")
        page.goto(console.url + "/")
        assert page.url.startswith(console.url + "/login")
    finally:
        context.close()


def test_overview_shows_counts_and_a_chart(page, console: LiveConsole) -> None:
    assert int(page.inner_text("#total-conversations")) > 0
    assert int(page.inner_text("#total-screenings")) > 0
    assert int(page.inner_text("#total-not-answered")) > 0
    assert page.inner_text("#total-questions") == "3"
    assert page.locator("svg.chart rect").count() > 14 * 3
    assert page.locator("#outcomes meter").count() == 5
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / "console-overview.png"), full_page=True)


def test_reviewing_a_group_and_teaching_an_example(page, console: LiveConsole) -> None:
    page.click("nav >> text=Could not answer")
    rows = page.locator("tr.group")
    # the click navigates: wait for the new page's rows before counting them
    rows.nth(4).wait_for(state="attached")
    assert rows.count() >= 5
    listed = page.inner_text("table.groups")
    for secret in ("Siobhan", "tom.baker", "Jansen", "0612345678", "12 March", "warfarin"):
        assert secret not in listed
    page.screenshot(path=str(REPORTS / "console-review.png"), full_page=True)
    card = page.locator("tr.group", has_text="pay")
    card.locator("a:has-text('Review')").click()
    assert "&lt;email&gt;" in page.content() or "<email>" in page.inner_text("main")
    form = page.locator("#teach-example")
    form.locator("select").select_option("faq/cost")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/teaching?changed=faq/cost")
    assert "just changed" in page.inner_text("#taught-faq-cost")
    assert "make run" in page.inner_text("#retrain-notice")
    taught = (console.project / "data" / "nlu" / "staff_taught.yml").read_text()
    assert "intent: faq/cost" in taught and "can I pay with my card" in taught
    page.click("nav >> text=Could not answer")
    assert "pay" not in page.inner_text("table.groups")


def teach_new_answer(page, *, group: str, key: str, answer: str) -> None:
    """Opens the 'could not answer' group whose row mentions `group` and sends its
    new-answer form."""
    page.click("nav >> text=Could not answer")
    page.locator("tr.group", has_text=group).locator("a:has-text('Review')").click()
    form = page.locator("#teach-answer")
    form.locator("#key").fill(key)
    form.locator("#answer").fill(answer)
    form.locator("button[type=submit]").click()


def test_teaching_a_new_answer(page, console: LiveConsole) -> None:
    answer = "Yes, there are lockers at {clinic_name} for your bag."
    teach_new_answer(page, group="lockers", key="lockers", answer=answer)
    page.wait_for_url("**/teaching?changed=faq/lockers")
    section = page.inner_text("#taught-faq-lockers")
    assert "New answer: Yes, there are lockers" in section
    assert "Siobhan" not in section and "<name>" in section
    # a refused change: the same key again
    teach_new_answer(page, group="bike", key="lockers", answer="Bikes can go in the rack.")
    assert "exists already" in page.inner_text("[role=alert]")
    page.locator("#dismiss button").click()
    assert "bike" not in page.inner_text("main")
    page.click("nav >> text=Audit log")
    log = page.inner_text("table.audit")
    assert "taught new_answer" in log and "dismissed" in log and "Bikes" not in log


def test_deleting_and_marking_done_a_left_question(page, console: LiveConsole) -> None:
    page.click("nav >> text=Questions left")
    rows = page.locator("tr.question")
    assert rows.count() == 3
    first = left_questions(console.store)[0]
    row = page.locator(f"#question-{first.id}")
    assert first.question in row.inner_text()
    row.locator("button:has-text('Delete')").click()
    page.wait_for_load_state()
    assert page.locator("tr.question").count() == 2
    assert first.question not in page.inner_text("main")
    assert first.id not in [q.id for q in left_questions(console.store)]
    second = page.locator("tr.question").first
    second.locator("button:has-text('Mark done')").click()
    assert page.locator("tr.question.done").count() == 1
