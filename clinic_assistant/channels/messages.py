"""What the channels themselves say (clinic/channels.yml), with the clinic's facts."""

from __future__ import annotations

from functools import lru_cache
from typing import Dict

import yaml

from clinic_assistant import clinic_data_dir
from clinic_assistant.config import load_clinic_facts


@lru_cache(maxsize=4)
def _messages(folder: str) -> Dict[str, str]:
    with open(f"{folder}/channels.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["messages"]


def channel_message(key: str, **values: str) -> str:
    """A sentence from clinic/channels.yml (read once per process, like all content)."""
    return _messages(str(clinic_data_dir()))[key].format(
        **load_clinic_facts().as_template_values(), **values
    )
