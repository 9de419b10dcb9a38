"""Which messages are Rasa commands ("/restart", "/inform{...}") and not words to read.

Rasa takes a message that starts with "/" as an intent typed by hand. The buttons here
send plain words, so only the widget's "Start over" sends a command; a runner may still
type "/book, on warfarin btw". Such text is read like any other message (safety principle
4): only a message that is nothing but a command skips the reading.
"""

from __future__ import annotations

import re

_COMMAND = re.compile(r"^/[A-Za-z_][\w-]*(@[0-9.]+)?(\{[^{}]*\})?$")


def is_command(text: str) -> bool:
    return bool(_COMMAND.match(text.strip()))
