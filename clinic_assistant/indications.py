"""Answers about which running injuries dry needling can help (clinic/indications.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Sequence

import yaml

from clinic_assistant import clinic_data_dir


@dataclass(frozen=True)
class Injury:
    id: str
    title: str
    button: str
    in_article: bool


@lru_cache(maxsize=1)
def _load_file() -> Dict[str, Any]:
    with open(clinic_data_dir() / "indications.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_injuries() -> Dict[str, Injury]:
    return {key: Injury(id=key, **value) for key, value in _load_file()["injuries"].items()}


def indication_message(key: str, injury: str = "") -> str:
    """A sentence from clinic/indications.yml `messages`."""
    return _load_file()["messages"][key].format(
        injuries=article_list(load_injuries()),
        injury=injury,
        Injury=injury[:1].upper() + injury[1:],
    )


def article_list(injuries: Dict[str, Injury]) -> str:
    titles = [i.title for i in injuries.values() if i.in_article]
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def indication_answer(injury_ids: Sequence[str]) -> str:
    injuries = load_injuries()
    known: List[Injury] = [injuries[i] for i in dict.fromkeys(injury_ids) if i in injuries]
    if not known:
        return indication_message("general")
    return " ".join(
        indication_message("in_article" if injury.in_article else "not_in_article", injury.title)
        for injury in known
    )
