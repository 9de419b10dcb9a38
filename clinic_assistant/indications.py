"""Answers about which running injuries dry needling can help (clinic/indications.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Sequence

import yaml

from clinic_assistant import clinic_data_dir


@dataclass(frozen=True)
class Injury:
    id: str
    title: str
    button: str
    in_article: bool


@lru_cache(maxsize=1)
def load_injuries() -> Dict[str, Injury]:
    with open(clinic_data_dir() / "indications.yml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)["injuries"]
    return {key: Injury(id=key, **value) for key, value in raw.items()}


def article_list(injuries: Dict[str, Injury]) -> str:
    titles = [i.title for i in injuries.values() if i.in_article]
    return ", ".join(titles[:-1]) + " and " + titles[-1]


def indication_answer(injury_ids: Sequence[str]) -> str:
    injuries = load_injuries()
    known: List[Injury] = [injuries[i] for i in dict.fromkeys(injury_ids) if i in injuries]
    listed = article_list(injuries)
    if not known:
        return (
            "Dry needling can be very effective for many running injuries, such as "
            f"{listed}. Whether it suits your complaint is decided together with the "
            "physiotherapist after an examination."
        )
    parts = []
    for injury in known:
        if injury.in_article:
            parts.append(
                f"Yes, {injury.title} is one of the running injuries dry needling is often used "
                "for. If the examination shows trigger points in the muscles involved, you and the "
                "physiotherapist can decide together to use it, as part of a wider treatment."
            )
        else:
            parts.append(
                f"Dry needling is used for many running injuries ({listed}, among others). "
                f"Whether it helps with {injury.title} depends on what the examination finds: "
                "if there are trigger points in the muscles involved, the physiotherapist may "
                "suggest it as part of your treatment."
            )
    return " ".join(parts)
