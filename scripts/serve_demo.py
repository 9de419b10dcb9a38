#!/usr/bin/env python3
"""Serve the clinic's demo page with the chat widget (stdlib only).

    python scripts/serve_demo.py [PORT]      # or DEMO_PORT=8000; 0 picks a free port

Routes (one origin, bound to 127.0.0.1):
    /                 widget/demo/index.html, with the snippet's serverUrl set to
                      $RASA_URL (default http://localhost:5005), bookingUrl to
                      $BOOKING_URL if set, and the values the assistant's responses use
                      ({{clinic_phone}}, {{privacy_url}}, {{retention_days}}, ...; from
                      clinic/clinic.yml and the environment: nlg.response_values)
    /clinic-chat.js   widget/dist/clinic-chat.js (build it first: widget/build.sh)
    /<file>           other files in widget/demo/

The page is sent with a Content-Security-Policy that allows scripts from this
origin only and connections to this origin and the Rasa server only, so a
widget that tried to reach any other host would be blocked (and show up in the
browser console). Prints one line at start: the demo URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import warnings
from html import escape as escape_html
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "widget" / "demo"
BUNDLE = ROOT / "widget" / "dist" / "clinic-chat.js"
DEFAULT_RASA_URL = "http://localhost:5005"

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}

INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _js_string_body(value: str) -> str:
    """`value` for inside a JS string literal in an inline <script>."""
    return json.dumps(value)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e")


def widget_values() -> dict[str, str]:
    """Placeholder values: the ones the assistant's responses use (the clinic's facts,
    the privacy link, the retention period), so the widget's privacy line matches."""
    with warnings.catch_warnings():  # rasa/sqlalchemy import-time warnings: not for this server
        warnings.simplefilter("ignore")
        from clinic_assistant.rasa.nlg import response_values

    return response_values()


def render_page(rasa_url: str, booking_url: str | None) -> tuple[bytes, str]:
    """The demo page with the configured URLs, and its CSP header value."""
    html = (DEMO_DIR / "index.html").read_text(encoding="utf-8")
    # the clinic's facts come from clinic/clinic.yml (and the environment), the one place they
    # live: escaped for JS inside inline scripts (the widget config), for HTML elsewhere
    values = widget_values()

    def fill(text: str, escape: Callable[[str], str]) -> str:
        return PLACEHOLDER.sub(
            lambda m: escape(values[m.group(1)]) if m.group(1) in values else m.group(0), text
        )

    parts = re.split(r"(<script>.*?</script>)", html, flags=re.S)
    html = "".join(
        fill(part, _js_string_body) if part.startswith("<script>") else fill(part, escape_html)
        for part in parts
    )
    html = re.sub(r'serverUrl:\s*"[^"]*"', "serverUrl: " + json.dumps(rasa_url), html, count=1)
    if booking_url:
        html = re.sub(
            r'bookingUrl:\s*"[^"]*"', "bookingUrl: " + json.dumps(booking_url), html, count=1
        )
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    )
    rasa = _origin(rasa_url)
    ws = rasa.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    csp = (
        "default-src 'none'; "
        f"script-src 'self' {hashes}; "
        "style-src 'unsafe-inline'; "  # the page's <style> and the widget's shadow-root <style>
        f"connect-src 'self' {rasa} {ws}; "
        "img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return html.encode("utf-8"), csp


class Handler(BaseHTTPRequestHandler):
    server_version = "ClinicDemo/1.0"
    rasa_url = DEFAULT_RASA_URL
    booking_url: str | None = None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        if os.environ.get("DEMO_VERBOSE"):
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            body, csp = render_page(self.rasa_url, self.booking_url)
            self._send(HTTPStatus.OK, body, TYPES[".html"], {"Content-Security-Policy": csp})
            return
        if path == "/clinic-chat.js":
            if not BUNDLE.is_file():
                msg = b"widget/dist/clinic-chat.js is missing: run widget/build.sh\n"
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, msg, "text/plain; charset=utf-8")
                return
            self._send(HTTPStatus.OK, BUNDLE.read_bytes(), TYPES[".js"])
            return
        if path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            return
        candidate = (DEMO_DIR / path.lstrip("/")).resolve()
        if candidate.is_file() and DEMO_DIR.resolve() in candidate.parents:
            ctype = TYPES.get(candidate.suffix, "application/octet-stream")
            self._send(HTTPStatus.OK, candidate.read_bytes(), ctype)
            return
        self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")


def main(argv: list[str]) -> int:
    port = int(argv[1]) if len(argv) > 1 else int(os.environ.get("DEMO_PORT", "8000"))
    Handler.rasa_url = os.environ.get("RASA_URL") or DEFAULT_RASA_URL
    Handler.booking_url = os.environ.get("BOOKING_URL") or None
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    host, real_port = httpd.server_address[:2]
    note = "" if BUNDLE.is_file() else " (bundle missing: run widget/build.sh)"
    print(f"Demo: http://{host}:{real_port}/ (Rasa: {Handler.rasa_url}){note}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
