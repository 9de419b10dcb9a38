"""A message's sentences, for rules that hold within one sentence only."""

from __future__ import annotations

import re
from typing import List

_SENTENCE = re.compile(r"[^.!?\n…]+")


def sentences(text: str) -> List[str]:
    """The sentences of a message, split at . ! ? … and new lines."""
    return _SENTENCE.findall(text)
