"""End-to-end tests of the chat widget on the demo page, against the real assistant.

Each test gets a fresh browser context, so sessionStorage (session id and
transcript) starts empty. Playwright's CSS locators pierce the widget's open
shadow root, so `#clinic-chat-log` etc. are found directly.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
Page = sync_api.Page
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

REPORTS = Path(__file__).resolve().parents[2] / "reports"
REPLY_TIMEOUT = 30_000  # ms; the first turns of a fresh Rasa can be slow on 2 cores
NEEDLES = re.compile(r"\bneedles?\b", re.I)


# ---------------------------------------------------------------- helpers


def log(page: Page):
    return page.locator("#clinic-chat-log")


def message_input(page: Page):
    return page.get_by_label("Your message")


def send_button(page: Page):
    return page.locator("#clinic-chat .send")


def bot_rows(page: Page):
    return log(page).locator(".row.bot")


def user_rows(page: Page):
    return log(page).locator(".row.user")


def reply_buttons(page: Page):
    return log(page).locator(".replies button")


def focused(page: Page) -> dict:
    """What has focus, looking inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            let el = document.activeElement;
            const host = el && el.id === 'clinic-chat' ? el : null;
            if (host && host.shadowRoot.activeElement) el = host.shadowRoot.activeElement;
            return {
                inWidget: !!host,
                id: el ? el.id : null,
                cls: el ? String(el.className) : null,
                text: el ? (el.textContent || '').trim() : null,
                tag: el ? el.tagName : null,
            };
        }"""
    )


def wait_quiet(page: Page, quiet_ms: int = 1200, timeout_ms: int = REPLY_TIMEOUT) -> None:
    """Wait until the typing indicator is gone and no bot message arrived for a while.

    Rasa sends one `bot_uttered` per message part, so an answer can come in pieces.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    typing = page.locator("#clinic-chat .typing")
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = bot_rows(page).count()
        now = time.monotonic()
        if count != last_count:
            last_count, last_change = count, now
        elif typing.is_hidden() and (now - last_change) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(100)
    raise AssertionError(
        "no quiet moment: the assistant did not answer (typing indicator still on) "
        "or kept sending"
    )


def open_widget(page: Page, site) -> None:
    page.goto(site.url)
    page.get_by_role("button", name=re.compile(r"^Open chat")).click()
    expect(message_input(page)).to_be_focused()
    wait_connected(page)


def wait_connected(page: Page) -> None:
    expect(send_button(page)).to_be_enabled(timeout=REPLY_TIMEOUT)
    wait_quiet(page)  # the greeting (initPayload "/greet") settles first


def ask(page: Page, text: str) -> None:
    box = message_input(page)
    box.fill(text)
    box.press("Enter")
    expect(user_rows(page).last).to_contain_text(text)


def transcript(page: Page) -> list[str]:
    return [t.strip() for t in log(page).locator(".row").all_inner_texts()]


def session_id(page: Page) -> str:
    stored = page.evaluate(
        "() => Object.keys(sessionStorage).filter(k => k.startsWith('clinic-chat:'))"
        ".map(k => JSON.parse(sessionStorage.getItem(k)))"
    )
    assert len(stored) == 1, stored
    return stored[0]["sessionId"]


def click_through_screening(page: Page, complaint: str = "Knee") -> None:
    """Answer "No" to each yes/no question until the complaint buttons show."""
    for _ in range(12):
        expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
        titles = [t.strip() for t in reply_buttons(page).all_inner_texts()]
        if complaint in titles:
            page.get_by_role("button", name=complaint, exact=True).click()
            return
        assert "No" in titles, f"expected a yes/no question, got buttons {titles}"
        page.get_by_role("button", name="No", exact=True).click()
        expect(user_rows(page).last).to_have_text(re.compile(r"No$"))
    raise AssertionError(f"no {complaint!r} button after 12 questions:\n{transcript(page)}")


# ---------------------------------------------------------------- tests


def test_answers_a_question(page: Page, demo_site) -> None:
    open_widget(page, demo_site)
    expect(log(page)).to_have_attribute("role", "log")
    expect(log(page)).to_have_attribute("aria-live", "polite")

    ask(page, "What is dry needling?")
    answer = log(page).locator(".row.user ~ .row.bot").filter(has_text=NEEDLES)
    expect(answer.first).to_be_visible(timeout=REPLY_TIMEOUT)


def test_screening_by_buttons_ends_with_booking_link(page: Page, demo_site) -> None:
    open_widget(page, demo_site)
    ask(page, "I'd like to book")
    click_through_screening(page, "Knee")
    expect(user_rows(page).last).to_have_text(re.compile(r"Knee$"))

    confirm = page.get_by_role("button", name="Yes, that's right", exact=True)
    expect(confirm).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / "widget.png"))
    confirm.click()

    link = log(page).locator(f'a[href="{demo_site.booking_url}"]')
    expect(link.first).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(link.first).to_have_attribute("target", "_blank")
    expect(link.first).to_have_attribute("rel", "noopener noreferrer")


def test_reload_keeps_transcript_and_conversation(page: Page, demo_site) -> None:
    open_widget(page, demo_site)
    ask(page, "What is dry needling?")
    expect(log(page).locator(".row.user ~ .row.bot").filter(has_text=NEEDLES).first).to_be_visible(
        timeout=REPLY_TIMEOUT
    )
    wait_quiet(page)
    ask(page, "I'd like to book")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    before = transcript(page)
    first_question = bot_rows(page).last.inner_text()
    sid = session_id(page)

    page.reload()
    # The panel reopens with the same messages and the same session id.
    expect(log(page)).to_be_visible()
    expect(send_button(page)).to_be_enabled(timeout=REPLY_TIMEOUT)
    assert transcript(page) == before
    assert session_id(page) == sid
    expect(reply_buttons(page).first).to_be_visible()

    # The Rasa conversation goes on: answering the restored question moves the
    # screening on to the next question (a new conversation would not know it).
    page.get_by_role("button", name="No", exact=True).click()
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    assert bot_rows(page).last.inner_text() != first_question
    titles = [t.strip() for t in reply_buttons(page).all_inner_texts()]
    assert "No" in titles, titles
    assert session_id(page) == sid


def test_keyboard_only(page: Page, demo_site) -> None:
    page.goto(demo_site.url)
    page.locator("body").click(position={"x": 5, "y": 300})  # start from the page, not the URL bar
    for _ in range(30):
        page.keyboard.press("Tab")
        f = focused(page)
        if f["inWidget"] and "launcher" in f["cls"]:
            break
    else:
        raise AssertionError("Tab never reached the chat launcher")

    page.keyboard.press("Enter")
    expect(message_input(page)).to_be_focused()
    wait_connected(page)

    page.keyboard.type("I'd like to book")
    page.keyboard.press("Enter")
    expect(user_rows(page).last).to_contain_text("I'd like to book")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    expect(message_input(page)).to_be_focused()

    # The suggested answers sit just above the input: Shift+Tab reaches them.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        f = focused(page)
        if f["inWidget"] and "reply" in f["cls"] and f["tag"] == "BUTTON":
            break
    else:
        raise AssertionError("Shift+Tab never reached a suggested-answer button")
    chosen = f["text"]
    page.keyboard.press("Enter")
    expect(user_rows(page).last).to_have_text(re.compile(re.escape(chosen) + "$"))
    expect(message_input(page)).to_be_focused()  # focus is not lost with the buttons

    # Escape closes and returns focus to the launcher; Space reopens.
    page.keyboard.press("Escape")
    expect(log(page)).to_be_hidden()
    f = focused(page)
    assert f["inWidget"] and "launcher" in f["cls"], f
    page.keyboard.press(" ")
    expect(message_input(page)).to_be_focused()


def test_xss_is_rendered_as_text(page: Page, demo_site) -> None:
    # A malicious "bot" message, injected into the real socket: proves the bot
    # side is rendered as safely as the user side.
    evil_bot = {
        "text": (
            '<img src=x onerror="window.__xss=1"> [click](javascript:window.__xss=1) '
            "<script>window.__xss=1</script> http://plain.example/ "
            "data:text/html,<b>x</b>"
        ),
        "quick_replies": [
            {
                "title": '<img src=x onerror="window.__xss=1">',
                "payload": "javascript:window.__xss=1",
            }
        ],
        "attachment": {"type": "image", "payload": {"src": "javascript:window.__xss=1"}},
    }
    routes: list = []

    def relay(ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda m: server.send(m))
        server.on_message(lambda m: ws.send(m))
        routes.append(ws)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    open_widget(page, demo_site)

    for text in ('<img src=x onerror="window.__xss=1">', "[click](javascript:window.__xss=1)"):
        ask(page, text)
        expect(user_rows(page).last.locator(".bubble")).to_have_text(re.compile(re.escape(text)))
        wait_quiet(page)

    assert routes, "the websocket was not routed"
    before = bot_rows(page).count()
    routes[-1].send("42" + json.dumps(["bot_uttered", evil_bot]))
    expect(bot_rows(page)).to_have_count(before + 2)  # the text (+ its button) and the image
    page.wait_for_timeout(500)  # give any injected handler a chance to run

    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert log(page).locator("img, script, iframe, object, embed").count() == 0
    hrefs = page.evaluate(
        """() => {
            const root = document.getElementById('clinic-chat').shadowRoot;
            return [...document.querySelectorAll('a'), ...root.querySelectorAll('a')]
                .map(a => a.getAttribute('href'));
        }"""
    )
    assert not [h for h in hrefs if h and not h.startswith(("https:", "#"))], hrefs
    widget_hrefs = log(page).locator("a").evaluate_all("els => els.map(a => a.href)")
    assert all(h.startswith("https://") for h in widget_hrefs), widget_hrefs
    expect(log(page).get_by_text("<script>window.__xss=1</script>", exact=False)).to_be_visible()
    # The button's title stays text; its javascript: payload is not a link.
    evil_button = log(page).locator(".replies button").last
    expect(evil_button).to_have_text('<img src=x onerror="window.__xss=1">')


def test_no_third_party_requests(context, demo_site) -> None:
    seen: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: seen.append(r.url))
    page = context.new_page()
    page.on("websocket", lambda ws: seen.append(ws.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    open_widget(page, demo_site)
    ask(page, "What is dry needling?")
    expect(log(page).locator(".row.user ~ .row.bot").first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)

    assert any(u.startswith(("ws://", "wss://")) or "/socket.io/" in u for u in seen), seen
    foreign = [
        u
        for u in seen
        if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc not in demo_site.origins
    ]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"console errors (CSP violations?): {errors}"


def test_usable_at_360px(browser, demo_site) -> None:
    ctx = browser.new_context(viewport={"width": 360, "height": 640}, has_touch=True)
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        open_widget(page, demo_site)
        panel = page.locator("#clinic-chat-panel").bounding_box()
        assert panel and panel["x"] == 0 and panel["y"] == 0, panel
        assert panel["width"] == 360 and panel["height"] == 640, panel  # full screen
        close_button = page.get_by_role("button", name="Close chat")
        for part in (message_input(page), send_button(page), close_button):
            box = part.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
            assert box["y"] >= 0 and box["y"] + box["height"] <= 640, box
            assert box["height"] >= 44  # touch target

        ask(page, "What is dry needling?")
        answer = log(page).locator(".row.user ~ .row.bot").filter(has_text=NEEDLES).first
        expect(answer).to_be_visible(timeout=REPLY_TIMEOUT)
        expect(answer).to_be_in_viewport()
        overflow = log(page).evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 0, "the conversation scrolls sideways at 360 px"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    finally:
        ctx.close()


CONTRAST_JS = """(root) => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bgOf = el => {
    for (let e = el; e; e = e.parentElement || (e.getRootNode() && e.getRootNode().host)) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.getClientRects().length || el.closest('.sr-only')) continue;
    const fg = parse(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(bgOf(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push({text: n.textContent.trim().slice(0, 40), ratio});
  }
  return out;
}"""


def test_accessible_labels_and_contrast(page: Page, demo_site) -> None:
    open_widget(page, demo_site)
    ask(page, "I'd like to book")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    expect(page.get_by_role("dialog", name="Ask Running Solutions")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your message")).to_be_visible()
    results = page.locator("#clinic-chat-panel").evaluate(CONTRAST_JS)
    assert len(results) > 5
    low = [r for r in results if r["ratio"] < 4.5]
    assert not low, f"text below WCAG AA 4.5:1: {low}"


class TcpRelay:
    """A loopback TCP relay we can cut and restore, to play "the server is down"."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener:
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def test_reconnects_after_connection_loss(page: Page, demo_site, demo_server_factory) -> None:
    relay = TcpRelay(urlsplit(demo_site.rasa_url).port)
    relay.start()
    try:
        url = demo_server_factory(f"http://127.0.0.1:{relay.port}")
        page.goto(url)
        page.get_by_role("button", name=re.compile(r"^Open chat")).click()
        wait_connected(page)
        sid = session_id(page)

        relay.stop()
        status = page.locator("#clinic-chat-status")
        expect(status).to_have_text("Connection lost, reconnecting…", timeout=REPLY_TIMEOUT)
        expect(send_button(page)).to_be_disabled()
        page.wait_for_timeout(1500)  # let a retry or two fail

        relay.start()
        expect(status).to_have_text("", timeout=REPLY_TIMEOUT)
        expect(send_button(page)).to_be_enabled()
        assert session_id(page) == sid
        ask(page, "What is dry needling?")
        answer = log(page).locator(".row.user ~ .row.bot").filter(has_text=NEEDLES)
        expect(answer.first).to_be_visible(timeout=REPLY_TIMEOUT)
    finally:
        relay.stop()
