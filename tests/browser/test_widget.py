"""End-to-end tests of the chat widget on the demo page, against the real assistant.

Each test gets a fresh browser context, so sessionStorage (the session id; the
widget keeps no transcript) starts empty. Playwright's CSS locators pierce the
widget's open shadow root, so `#clinic-chat-log` etc. are found directly.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clinic_assistant.config import load_clinic_facts

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


def user_bubbles(page: Page):
    """What the runner wrote (a user row also shows its time and delivery state)."""
    return log(page).locator(".row.user .bubble")


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
    expect(user_bubbles(page).last).to_contain_text(text)


def transcript(page: Page) -> list[str]:
    """The messages as shown (bubbles and buttons, without times and delivery marks)."""
    return [
        t.strip()
        for t in log(page)
        .locator(".row")
        .evaluate_all(
            """rows => rows.map(r => [...r.querySelectorAll('.bubble, .replies, .cta')]
                .map(e => e.innerText).join('\\n'))"""
        )
    ]


def stored(page: Page) -> dict:
    """The widget's sessionStorage entry (there must be exactly one)."""
    entries = page.evaluate(
        "() => Object.keys(sessionStorage).filter(k => k.startsWith('clinic-chat:'))"
        ".map(k => JSON.parse(sessionStorage.getItem(k)))"
    )
    assert len(entries) == 1, entries
    return entries[0]


def session_id(page: Page) -> str:
    return stored(page)["sessionId"]


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
        expect(user_bubbles(page).last).to_have_text(re.compile(r"No$"))
    raise AssertionError(f"no {complaint!r} button after 12 questions:\n{transcript(page)}")


# ---------------------------------------------------------------- tests


def test_answers_a_question(page: Page, demo_site) -> None:
    open_widget(page, demo_site)
    expect(log(page)).to_have_attribute("role", "log")
    expect(log(page)).to_have_attribute("aria-live", "polite")

    ask(page, "What is dry needling?")
    answer = log(page).locator(".row.user ~ .row.bot").filter(has_text=NEEDLES)
    expect(answer.first).to_be_visible(timeout=REPLY_TIMEOUT)


def test_screening_by_buttons_ends_with_one_booking_button(
    sized_page: Page, demo_site, axe
) -> None:
    page = sized_page
    open_widget(page, demo_site)
    ask(page, "I'd like to book")
    click_through_screening(page, "Knee")
    expect(user_bubbles(page).last).to_have_text(re.compile(r"Knee$"))

    confirm = page.get_by_role("button", name="Yes, that's right", exact=True)
    expect(confirm).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"widget-screening-{page.size}.png"))
    confirm.click()

    # One call to action: a filled button that says it opens the booking page ...
    link = log(page).locator(f'a[href="{demo_site.booking_url}"]')
    expect(link).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(link).to_have_class("cta")
    expect(link).to_have_text(re.compile(r"Book an appointment.*Opens the booking page", re.S))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_be_in_viewport()
    wait_quiet(page)
    style = link.evaluate(
        "a => { const s = getComputedStyle(a); return [s.backgroundColor, s.color]; }"
    )
    assert style[0] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), style  # filled
    # ... and the raw address is not shown anywhere in the conversation.
    assert demo_site.booking_url not in log(page).inner_text()
    assert "running-solutions.example/book" not in log(page).inner_text()
    # The button's text never breaks inside a word, even at 360 px.
    words = link.evaluate(
        """a => {
            const out = [];
            const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const text = n.textContent;
                const re = /\\S+/g;
                let m;
                while ((m = re.exec(text))) {
                    const r = document.createRange();
                    r.setStart(n, m.index);
                    r.setEnd(n, m.index + m[0].length);
                    out.push({word: m[0], lines: new Set([...r.getClientRects()]
                        .map(c => Math.round(c.top))).size});
                }
            }
            return out;
        }"""
    )
    assert words and all(w["lines"] == 1 for w in words), words
    page.screenshot(path=str(REPORTS / f"widget-booking-{page.size}.png"))
    axe(page, f"booking button ({page.size})")


def test_reload_keeps_no_transcript_on_the_device(sized_page: Page, demo_site, axe) -> None:
    page = sized_page
    open_widget(page, demo_site)
    ask(page, "I'd like to book")
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    page.get_by_role("button", name="No", exact=True).click()  # a screening answer
    expect(user_bubbles(page).last).to_have_text(re.compile(r"No$"))
    expect(reply_buttons(page).first).to_be_visible(timeout=REPLY_TIMEOUT)
    wait_quiet(page)
    question = bot_rows(page).last.locator(".bubble").inner_text()
    sid = session_id(page)

    # Only the session id, the last message's id and UI state are on the device:
    # no message text, no answers.
    kept = stored(page)
    assert set(kept) == {"sessionId", "lastMessageId", "open"}, kept
    everything = page.evaluate(
        "() => JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])"
    )
    for said in ("I'd like to book", question[:40]):
        assert said not in everything, f"{said!r} is stored on the device: {everything}"

    page.reload()
    # The panel reopens with the same session; nothing of the transcript came from
    # the device, and the server sends the last question again.
    expect(log(page)).to_be_visible()
    expect(send_button(page)).to_be_enabled(timeout=REPLY_TIMEOUT)
    assert session_id(page) == sid
    expect(log(page)).to_contain_text("Earlier messages are not kept on this device.")
    expect(user_rows(page)).to_have_count(0)
    expect(bot_rows(page).last.locator(".bubble")).to_have_text(question, timeout=REPLY_TIMEOUT)
    expect(reply_buttons(page).first).to_be_visible()
    axe(page, f"after a reload ({page.size})")

    # The Rasa conversation goes on: answering the restored question moves the
    # screening on to the next question (a new conversation would not know it).
    wait_quiet(page)
    restored_rows = bot_rows(page).count()
    page.get_by_role("button", name="No", exact=True).click()
    wait_quiet(page)
    assert bot_rows(page).count() > restored_rows
    assert bot_rows(page).last.locator(".bubble").inner_text() != question
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
    expect(user_bubbles(page).last).to_contain_text("I'd like to book")
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
    expect(user_bubbles(page).last).to_have_text(re.compile(re.escape(chosen) + "$"))
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
        expect(user_bubbles(page).last).to_have_text(re.compile(re.escape(text)))
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
    # https: links, and the clinic's own phone number and e-mail address as tap links
    facts = load_clinic_facts()
    clinic_links = {
        "tel:" + re.sub(r"[^\d+]", "", facts.phone),
        "mailto:" + facts.email,
    }
    assert not [
        h for h in hrefs if h and not h.startswith(("https:", "#")) and h not in clinic_links
    ], hrefs
    widget_hrefs = log(page).locator("a").evaluate_all("els => els.map(a => a.href)")
    assert all(h.startswith("https://") or h in clinic_links for h in widget_hrefs), widget_hrefs
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


def test_reconnects_after_connection_loss(page: Page, relayed_site) -> None:
    relay, url = relayed_site
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
