"""The FAQ answers' titles (`metadata.title` of each utter_faq/* response in data/nlu/)."""

from __future__ import annotations

from typing import Dict

import yaml

from clinic_assistant import PROJECT_ROOT


def faq_titles() -> Dict[str, str]:
    """{"faq/cost": "How much does it cost?", ...}; an answer without a title maps to ""."""
    titles = {}
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        responses = yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        for key, variations in responses.items():
            if key.startswith("utter_faq/"):
                title = (variations[0].get("metadata") or {}).get("title") or ""
                titles[key.removeprefix("utter_")] = title
    return titles
