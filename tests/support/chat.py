"""A tiny REST-channel client for conversation tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from clinic_assistant.channels.safe import RESTART_COMMAND
from clinic_assistant.config import load_clinic_facts


def post(url: str, body: bytes, timeout: float = 60) -> Tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class Chat:
    url: str
    sender: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")
    transcript: List[Tuple[str, List[Dict[str, Any]]]] = field(default_factory=list)

    def say(self, text: str) -> List[Dict[str, Any]]:
        status, replies = post(
            self.url, json.dumps({"sender": self.sender, "message": text}).encode()
        )
        assert status == 200, f"{text!r} -> HTTP {status}: {replies}"
        # every message gets a reply, except "Start over": the widget greets after it
        assert replies or text == RESTART_COMMAND, f"no reply to {text!r}"
        self.transcript.append((text, replies))
        return replies

    def say_all(self, *texts: str) -> List[Dict[str, Any]]:
        replies: List[Dict[str, Any]] = []
        for text in texts:
            replies = self.say(text)
        return replies

    @property
    def all_text(self) -> str:
        return "\n".join(r.get("text") or "" for _, replies in self.transcript for r in replies)


def text_of(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def booking_link_shown(replies: List[Dict[str, Any]], booking_url: str | None = None) -> bool:
    url = booking_url or load_clinic_facts().booking_url
    in_text = any(url in (r.get("text") or "") for r in replies)
    in_button = any(b.get("payload") == url for r in replies for b in r.get("buttons") or [])
    return in_text or in_button
