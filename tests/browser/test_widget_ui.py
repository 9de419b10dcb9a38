"""The widget's finish, at desktop and phone sizes, with axe-core in every state:
privacy line, contact links, unread mark, start over, a server that cannot be
reached, the offline bar, and modal behaviour on phones."""

from __future__ import annotations

import re
import socket
import time

import pytest

from clinic_assistant.config import load_clinic_facts
from clinic_assistant.privacy import retention_days
from tests.browser.conftest import REPORTS
from tests.browser.test_widget import (
    REPLY_TIMEOUT,
    ask,
    bot_rows,
    focused,
    log,
    message_input,
    open_widget,
    reply_buttons,
    send_button,
    session_id,
    user_rows,
    wait_connected,
    wait_quiet,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
Page = sync_api.Page
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.server]


def launcher(page: Page):
    return page.locator("#clinic-chat .launcher")


def shot(page: Page, name: str) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"widget-{name}-{page.size}.png"))


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- privacy


def test_privacy_line_comes_first_with_the_configured_link_and_period(
    sized_page: Page, demo_site, axe
) -> None:
    page = sized_page
    page.goto(demo_site.url)
    expect(launcher(page)).to_be_visible()
    axe(page, "closed")
    open_widget(page, demo_site)
    notice = log(page).locator(".privacy")
    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()  # not scrolled away by the greeting, even on a phone
    # Before the greeting (and so before any health question).
    assert log(page).locator(":scope > *").first.evaluate("e => e.classList.contains('privacy')")
    days = f"{retention_days():g}"
    expect(notice).to_contain_text(f"{days} days after your last message")
    expect(notice).to_contain_text("delete my data")
    expect(notice).to_contain_text("This device keeps only a chat ID")
    link = notice.get_by_role("link", name="Privacy notice")
    expect(link).to_have_attribute("href", load_clinic_facts().privacy_url)
    expect(link).to_have_attribute("target", "_blank")
    axe(page, "open, greeted")
    shot(page, "open")


def test_privacy_link_and_period_follow_the_environment(
    page: Page, demo_site, demo_server_factory
) -> None:
    url = demo_server_factory(
        demo_site.rasa_url, PRIVACY_URL="https://clinic.test/our-privacy", RETENTION_DAYS="14"
    )
    page.goto(url)
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    notice = log(page).locator(".privacy")
    expect(notice).to_contain_text("14 days after your last message")
    expect(notice.get_by_role("link", name="Privacy notice")).to_have_attribute(
        "href", "https://clinic.test/our-privacy"
    )


# ---------------------------------------------------------------- links and marks


def test_phone_and_email_are_tap_links_and_messages_have_times(
    sized_page: Page, demo_site, axe
) -> None:
    page = sized_page
    open_widget(page, demo_site)
    ask(page, "Can I talk to a person at the clinic?")
    facts = load_clinic_facts()
    tel = log(page).locator(".row.bot a[href^='tel:']").last
    expect(tel).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(tel).to_have_attribute("href", "tel:" + re.sub(r"[^\d+]", "", facts.phone))
    expect(tel).to_have_text(facts.phone)
    mail = log(page).locator(".row.bot a[href^='mailto:']").last
    expect(mail).to_have_attribute("href", "mailto:" + facts.email)
    expect(mail).to_have_text(facts.email)
    assert tel.get_attribute("target") is None  # the phone app, not a new tab
    # a phone number never breaks across lines
    assert tel.evaluate("a => new Set([...a.getClientRects()].map(r => r.top)).size") == 1
    expect(user_rows(page).last.locator("time")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    expect(bot_rows(page).last.locator("time")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    wait_quiet(page)
    axe(page, "contact links")


def test_unread_dot_on_the_closed_launcher(sized_page: Page, demo_site, axe) -> None:
    """A reply that arrives while the panel is closed marks the launcher."""
    page = sized_page
    held: list = []
    hold = {"on": False}

    def relay(ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda m: server.send(m))

        def down(message) -> None:
            if hold["on"]:
                held.append((ws, message))  # delayed, not lost
            else:
                ws.send(message)

        server.on_message(down)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    open_widget(page, demo_site)
    expect(launcher(page).locator(".unread")).to_be_hidden()

    hold["on"] = True
    ask(page, "What is dry needling?")
    page.keyboard.press("Escape")
    expect(launcher(page)).to_be_visible()
    hold["on"] = False
    for ws, message in held:
        ws.send(message)
    expect(launcher(page).locator(".unread")).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(page.get_by_role("button", name=re.compile(r"^Open chat.*new reply"))).to_be_visible()
    axe(page, "closed with an unread reply")
    shot(page, "unread")

    launcher(page).click()
    expect(log(page).locator(".row.user ~ .row.bot").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(launcher(page).locator(".unread")).to_be_hidden()
    expect(launcher(page)).to_have_accessible_name(re.compile(r"^Open chat: [^(]*$"))


# ---------------------------------------------------------------- start over


def test_start_over_restarts_the_same_conversation(sized_page: Page, demo_site, axe) -> None:
    page = sized_page
    open_widget(page, demo_site)
    greeting = bot_rows(page).first.locator(".bubble").inner_text()
    ask(page, "I'd like to book")
    expect(page.get_by_role("button", name="No", exact=True)).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    sid = session_id(page)
    before = demo_site.user_texts(sid)

    page.get_by_role("button", name=re.compile(r"^Start over")).click()
    expect(user_rows(page)).to_have_count(0)
    expect(bot_rows(page).first.locator(".bubble")).to_have_text(greeting, timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    expect(bot_rows(page)).to_have_count(1)  # nothing of the screening came back
    expect(page.get_by_role("button", name="No", exact=True)).to_have_count(0)
    expect(log(page).locator(".privacy")).to_be_visible()
    expect(message_input(page)).to_be_focused()
    # Same sender id, so "delete my data" and retention still cover what came before.
    assert session_id(page) == sid
    if before is not None:
        assert demo_site.user_texts(sid) == [*before, "/restart", "/greet"]
    axe(page, "after start over")

    # The screening starts again from its first question.
    ask(page, "I'd like to book")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)


# ---------------------------------------------------------------- connection


def test_first_connection_failure_shows_the_clinics_contact_details(
    sized_page: Page, demo_server_factory, axe
) -> None:
    page = sized_page
    url = demo_server_factory(f"http://127.0.0.1:{unused_port()}")  # nothing listens there
    page.goto(url)
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    status = page.locator("#clinic-chat-status")
    expect(status).to_have_text(re.compile(r"can't connect"), timeout=REPLY_TIMEOUT)
    expect(status).not_to_have_text(re.compile(r"lost"))
    help_text = log(page).locator(".offline-help")
    expect(help_text).to_be_visible()
    facts = load_clinic_facts()
    expect(help_text).to_contain_text(facts.name)
    expect(help_text).to_contain_text(facts.opening_hours)
    expect(help_text.locator("a[href^='tel:']")).to_have_text(facts.phone)
    expect(help_text.locator("a[href^='mailto:']")).to_have_text(facts.email)
    expect(help_text).to_be_in_viewport()
    expect(send_button(page)).to_be_disabled()
    axe(page, "never connected")
    shot(page, "cannot-connect")


def test_offline_bar_keeps_the_answer_buttons_in_view(sized_page: Page, relayed_site, axe) -> None:
    page = sized_page
    relay, url = relayed_site
    page.goto(url)
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    wait_connected(page)
    ask(page, "I'd like to book")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)

    relay.stop()
    expect(page.locator("#clinic-chat-status")).to_have_text(
        "Connection lost, reconnecting…", timeout=REPLY_TIMEOUT
    )
    visible = page.locator("#clinic-chat-log").evaluate(
        """log => {
            const box = log.getBoundingClientRect();
            return [...log.querySelectorAll('.replies button')].map(b => {
                const r = b.getBoundingClientRect();
                return r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && b.disabled;
            });
        }"""
    )
    assert visible and all(visible), visible
    for button in reply_buttons(page).all():
        expect(button).to_be_in_viewport()
    axe(page, "offline bar")
    shot(page, "offline")


# ---------------------------------------------------------------- modal on phones


def test_phone_panel_is_modal_and_desktop_panel_is_not(sized_page: Page, demo_site, axe) -> None:
    page = sized_page
    phone = page.size == "phone"
    open_widget(page, demo_site)
    panel = page.locator("#clinic-chat-panel")
    if phone:
        expect(panel).to_have_attribute("aria-modal", "true")
    else:
        expect(panel).not_to_have_attribute("aria-modal", "true")

    # Tab and Shift+Tab: on a phone focus never leaves the panel.
    left = []
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        if not focused(page)["inWidget"]:
            left.append(key)
    if phone:
        assert not left, f"focus left the full-screen panel on {left}"
    else:
        assert left, "on a desktop the panel is not modal: Tab reaches the page"
        message_input(page).focus()

    # The page behind does not scroll while the panel covers it.
    page.mouse.move(180, 300)
    page.mouse.wheel(0, 1500)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")
    scrolled = page.evaluate("() => window.scrollY")
    if phone:
        assert scrolled == 0, scrolled
        assert page.evaluate("() => getComputedStyle(document.documentElement).overflow") == (
            "hidden"
        )
    axe(page, "panel open")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    f = focused(page)
    assert f["inWidget"] and "launcher" in f["cls"], f
    # Closed: the page scrolls again, its own style restored.
    assert page.evaluate("() => document.documentElement.style.overflow") == ""
    page.mouse.move(180, 300)
    page.mouse.wheel(0, 400)
    expect_scrolled(page)


def expect_scrolled(page: Page, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while page.evaluate("() => window.scrollY") == 0:
        assert time.monotonic() < deadline, "the page does not scroll"
        page.wait_for_timeout(100)


def test_axe_helper_reports_violations(page: Page, axe) -> None:
    """The accessibility checks above can fail: a page with known problems does."""
    page.set_content("<main><img src='data:,'><button></button></main>")
    with pytest.raises(AssertionError) as failure:
        axe(page, "broken on purpose")
    assert '"id": "image-alt"' in str(failure.value)
    assert '"id": "button-name"' in str(failure.value)
