"""Fixtures for the chat widget's browser tests.

They need the `assistant` fixture (tests/conftest.py: the real action server and
Rasa server, yielding an object with `.url`) or WIDGET_TEST_RASA_URL, npm (to
build the widget) and Debian's Chromium at /usr/bin/chromium, driven by the
playwright pip package.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clinic_assistant.config import load_clinic_facts

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPORTS = ROOT / "reports"
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True},
}


@dataclass
class DemoSite:
    url: str  # e.g. http://127.0.0.1:8123/
    rasa_url: str
    booking_url: str
    tracker_db: Path | None = None  # the assistant's SQLite conversation store, if known

    def user_texts(self, sender: str) -> list[str] | None:
        """What the assistant received from `sender` (its stored user events), in order."""
        if self.tracker_db is None or not self.tracker_db.is_file():
            return None
        with contextlib.closing(sqlite3.connect(f"file:{self.tracker_db}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (sender,),
            ).fetchall()
        return [json.loads(data).get("text") for (data,) in rows]

    @property
    def origins(self) -> set[str]:
        """host:port of the two servers the page may talk to."""
        return {urlsplit(self.url).netloc, urlsplit(self.rasa_url).netloc}


def start_demo_server(
    rasa_url: str, booking_url: str, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, RASA_URL=rasa_url, BOOKING_URL=booking_url, **(extra_env or {}))
    env.pop("DEMO_PORT", None)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_demo.py"), "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("Demo: "):
        proc.kill()
        pytest.fail(f"serve_demo.py did not start: {line!r}")
    url = line.split()[1]
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(url + "clinic-chat.js", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"demo server at {url} is not serving the widget bundle")
            time.sleep(0.2)
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def widget_bundle() -> Path:
    """Builds widget/dist/clinic-chat.js (fast no-op when up to date)."""
    if not shutil.which("npm") or not shutil.which("node"):
        pytest.skip("node/npm not installed: cannot build the chat widget")
    result = subprocess.run(
        ["bash", str(ROOT / "widget" / "build.sh")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"widget/build.sh failed:\n{result.stdout}\n{result.stderr}")
    bundle = ROOT / "widget" / "dist" / "clinic-chat.js"
    assert bundle.is_file()
    return bundle


@pytest.fixture(scope="module")
def demo_site(request, browser, widget_bundle) -> DemoSite:
    """scripts/serve_demo.py on a free port, pointed at the running assistant.

    The assistant is the `assistant` fixture (tests/conftest.py), or an already
    running Rasa server if WIDGET_TEST_RASA_URL is set (e.g. http://127.0.0.1:5005).
    """
    # `browser` comes first so that a missing Chromium skips before the assistant starts.
    external = os.environ.get("WIDGET_TEST_RASA_URL")
    if external:
        rasa_url = external.rstrip("/")
        db = os.environ.get("WIDGET_TEST_TRACKER_DB")
        tracker_db = Path(db) if db else None
    else:
        assistant = request.getfixturevalue("assistant")
        rasa_url = assistant.url.rstrip("/")
        tracker_db = assistant.run_dir / "data" / "conversations.db"
    booking_url = load_clinic_facts().booking_url
    proc, url = start_demo_server(rasa_url, booking_url)
    try:
        yield DemoSite(url=url, rasa_url=rasa_url, booking_url=booking_url, tracker_db=tracker_db)
    finally:
        stop(proc)


@pytest.fixture
def demo_server_factory(widget_bundle):
    """Starts extra demo servers (stopped after the test): factory(rasa_url, **env) -> page URL."""
    procs: list[subprocess.Popen] = []

    def factory(rasa_url: str, **env: str) -> str:
        proc, url = start_demo_server(rasa_url, load_clinic_facts().booking_url, env)
        procs.append(proc)
        return url

    try:
        yield factory
    finally:
        for proc in procs:
            stop(proc)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser context (own sessionStorage) per test, desktop-sized."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(params=sorted(VIEWPORTS))
def sized_page(request, browser):
    """A page at desktop and at phone size (360 x 640, touch): `sized_page.size`."""
    ctx = browser.new_context(locale="en-GB", **VIEWPORTS[request.param])
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        page.size = request.param
        yield page
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run widget/build.sh (installs axe-core)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """axe(page, state) -> asserts axe-core finds no violations in the page as it is now."""

    def check(page, state: str) -> None:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)  # DevTools evaluation: not subject to the page's CSP
        violations = page.evaluate(
            """async () => {
                const result = await window.axe.run(document, {resultTypes: ['violations']});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
                }));
            }"""
        )
        assert not violations, f"axe-core violations ({state}):\n" + json.dumps(
            violations, indent=1
        )

    return check


class TcpRelay:
    """A loopback TCP relay in front of the Rasa server that can cut traffic.

    `cut()` drops the bytes (both ways, or only "down" = server to browser) while
    every socket stays open: a mobile connection that stops passing data without
    closing. A direction of a connection that lost bytes stays dead after
    `restore()` (its stream is broken, as it would be); new connections pass.
    `stop()` closes everything (the server is gone).
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.cutting: str | None = None  # None, "both" or "down"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self, direction: str = "both") -> None:
        assert direction in ("both", "down")
        self.cutting = direction

    def restore(self) -> None:
        self.cutting = None

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

    def _passes(self, down: bool) -> bool:
        return self.cutting is None or (self.cutting == "down" and not down)

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
            for a, b, down in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(target=self._pipe, args=(a, b, down), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, down: bool) -> None:
        broken = False
        try:
            while data := src.recv(65536):
                broken = broken or not self._passes(down)
                if not broken:
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed_site(demo_site, demo_server_factory):
    """(relay, page URL): a demo page whose widget reaches the assistant through a TcpRelay."""
    relay = TcpRelay(urlsplit(demo_site.rasa_url).port)
    relay.start()
    try:
        yield relay, demo_server_factory(f"http://127.0.0.1:{relay.port}")
    finally:
        relay.stop()
