"""Fixtures for the chat widget's browser tests.

They need the `assistant` fixture (tests/conftest.py: the real action server and
Rasa server, yielding an object with `.url`) or WIDGET_TEST_RASA_URL, npm (to
build the widget) and Debian's Chromium at /usr/bin/chromium, driven by the
playwright pip package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


@dataclass
class DemoSite:
    url: str  # e.g. http://127.0.0.1:8123/
    rasa_url: str
    booking_url: str

    @property
    def origins(self) -> set[str]:
        """host:port of the two servers the page may talk to."""
        return {urlsplit(self.url).netloc, urlsplit(self.rasa_url).netloc}


def start_demo_server(rasa_url: str, booking_url: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, RASA_URL=rasa_url, BOOKING_URL=booking_url)
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
    rasa_url = (external or request.getfixturevalue("assistant").url).rstrip("/")
    booking_url = load_clinic_facts().booking_url
    proc, url = start_demo_server(rasa_url, booking_url)
    try:
        yield DemoSite(url=url, rasa_url=rasa_url, booking_url=booking_url)
    finally:
        stop(proc)


@pytest.fixture
def demo_server_factory(widget_bundle):
    """Starts extra demo servers (stopped after the test): factory(rasa_url) -> page URL."""
    procs: list[subprocess.Popen] = []

    def factory(rasa_url: str) -> str:
        proc, url = start_demo_server(rasa_url, load_clinic_facts().booking_url)
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
