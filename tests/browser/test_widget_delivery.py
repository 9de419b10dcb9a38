"""Delivery the runner can trust: traffic dropped without the socket closing.

The widget reaches the real assistant through a TCP relay (conftest.TcpRelay)
that can stop passing bytes while every socket stays open, the way a mobile
connection dies. Nothing the runner sent may be lost, and nothing may reach the
assistant twice (the conversation store is checked, not only the screen).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import REPORTS
from tests.browser.test_widget import (
    REPLY_TIMEOUT,
    bot_rows,
    log,
    reply_buttons,
    session_id,
    transcript,
    user_bubbles,
    user_rows,
    wait_connected,
    wait_quiet,
)

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
Page = sync_api.Page
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

DETECT_WITHIN_S = 10  # a dead connection must show within a few seconds (it took 40 s)
LOST = "Connection lost, reconnecting…"


def open_through(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    wait_connected(page)


def bot_texts(page: Page) -> list[str]:
    return [t.strip() for t in bot_rows(page).locator(".bubble").all_inner_texts()]


@pytest.mark.parametrize("direction", ["both", "down"])
def test_dropped_traffic_loses_nothing_and_handles_nothing_twice(
    sized_page: Page, relayed_site, demo_site, direction: str, axe
) -> None:
    """both: the answer never reaches the server; down: it does, but the
    acknowledgement and the replies are lost on the way back."""
    page = sized_page
    relay, url = relayed_site
    open_through(page, url)
    page.get_by_label("Your message").fill("I'd like to book")
    page.get_by_label("Your message").press("Enter")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    question = bot_texts(page)[-1]
    sid = session_id(page)
    received = demo_site.user_texts(sid)

    relay.cut(direction)
    started = time.monotonic()
    page.get_by_role("button", name="No", exact=True).click()
    status = page.locator("#clinic-chat-status")
    expect(status).to_have_text(LOST, timeout=DETECT_WITHIN_S * 1000)
    detected = time.monotonic() - started
    print(f"dead connection ({direction}) detected after {detected:.1f} s")  # noqa: T201

    # The answer is marked, not silently gone, and it stays on screen.
    answer = user_rows(page).last
    expect(answer.locator(".bubble")).to_have_text(re.compile(r"No$"))
    retry = answer.get_by_role("button", name=re.compile(r"^Not delivered"))
    expect(retry).to_be_visible()
    expect(page.locator("#clinic-chat .typing")).to_be_hidden()
    axe(page, f"connection lost, answer not delivered ({page.size})")
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"widget-not-delivered-{page.size}.png"))
    # Impatient taps while offline must not send it twice either.
    retry.click()
    retry.click()

    relay.restore()
    expect(status).to_have_text("", timeout=REPLY_TIMEOUT)
    # Retried by itself once the connection is back, and answered.
    expect(answer.get_by_role("button", name=re.compile(r"^Not delivered"))).to_have_count(0)
    expect(answer.locator(".delivery")).to_have_text("Delivered", timeout=REPLY_TIMEOUT)
    expect(bot_rows(page).last.locator(".bubble")).not_to_have_text(question, timeout=REPLY_TIMEOUT)
    wait_quiet(page, quiet_ms=2500)
    expect(reply_buttons(page).first).to_be_visible()

    # Nothing lost, nothing twice: on screen ...
    said = [re.sub(r"^You:\s*", "", t.strip()) for t in user_bubbles(page).all_inner_texts()]
    assert said == ["I'd like to book", "No"], transcript(page)
    texts = bot_texts(page)
    assert len(texts) == len(set(texts)), f"a reply is shown twice: {texts}"
    # ... and in the assistant's conversation store: "No" arrived exactly once.
    assert received is not None, "the conversation store is needed to prove no duplicate"
    assert demo_site.user_texts(sid) == [*received, "No"]
    assert detected < DETECT_WITHIN_S


def test_an_unacknowledged_message_can_be_retried_by_tap(sized_page: Page, demo_site, axe) -> None:
    """The socket stays up but the message frames are lost (the heartbeat passes):
    the message is marked within the acknowledgement timeout, and a tap sends it
    again; it is answered once."""
    blocked = {"on": False}
    sockets: list = []

    def relay(ws) -> None:
        server = ws.connect_to_server()

        def upstream(message) -> None:
            if blocked["on"] and isinstance(message, str) and '"user_uttered"' in message:
                return  # lost on the way
            server.send(message)

        ws.on_message(upstream)
        server.on_message(lambda m: ws.send(m))
        sockets.append(ws)

    page = sized_page
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    page.goto(demo_site.url)
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    wait_connected(page)
    sid = session_id(page)
    received = demo_site.user_texts(sid)

    blocked["on"] = True
    box = page.get_by_label("Your message")
    box.fill("What is dry needling?")
    box.press("Enter")
    answer = user_rows(page).last
    retry = answer.get_by_role("button", name=re.compile(r"^Not delivered"))
    expect(retry).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(page.locator("#clinic-chat .typing")).to_be_hidden()
    # The connection itself is fine (heartbeats pass): no "connection lost".
    expect(page.locator("#clinic-chat-status")).to_have_text("")
    axe(page, f"message not acknowledged ({page.size})")
    assert received is not None, "the conversation store is needed to prove no duplicate"
    assert demo_site.user_texts(sid) == received  # it really never arrived

    blocked["on"] = False
    expect(page.get_by_role("button", name="Send")).to_be_enabled(timeout=REPLY_TIMEOUT)
    answer.get_by_role("button", name=re.compile(r"^Not delivered")).click()
    expect(answer.locator(".delivery")).to_have_text("Delivered", timeout=REPLY_TIMEOUT)
    reply = log(page).locator(".row.user ~ .row.bot").filter(has_text=re.compile(r"needl", re.I))
    expect(reply.first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page, quiet_ms=2500)
    texts = bot_texts(page)
    assert len(texts) == len(set(texts)), texts
    assert demo_site.user_texts(sid) == [*received, "What is dry needling?"]
