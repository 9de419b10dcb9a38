"""Which running injuries dry needling can help with (clinic/indications.yml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clinic_assistant import clinic_data_dir
from clinic_assistant.indications import article_list, indication_answer, load_injuries
from clinic_assistant.screening.rules import load_screening

ARTICLE_LIST = "Achilles tendon pain, calf pain, foot pain, shin pain, runner's knee and hip pain"


def test_the_article_injuries() -> None:
    injuries = load_injuries()
    in_article = [i.id for i in injuries.values() if i.in_article]
    assert in_article == ["achilles", "calf", "foot", "shin", "knee", "hip"]
    assert not injuries["hamstring"].in_article
    assert injuries["knee"].title == "runner's knee"
    assert injuries["lower_back"].button == "Lower back"


def test_every_complaint_option_is_an_injury() -> None:
    options = load_screening().question("complaint").options
    assert set(options) <= set(load_injuries())


def test_article_list() -> None:
    assert article_list(load_injuries()) == ARTICLE_LIST


@pytest.mark.parametrize("injury", ["achilles", "calf", "foot", "shin", "knee", "hip"])
def test_article_injury(injury: str) -> None:
    title = load_injuries()[injury].title
    answer = indication_answer([injury])
    assert answer.startswith(f"Yes, {title} is one of the running injuries dry needling")
    assert "trigger points" in answer and "part of a wider treatment" in answer
    assert ARTICLE_LIST not in answer


@pytest.mark.parametrize(
    "injury",
    [
        "hamstring",
        "lower_back",
        "ankle_sprain",
        "patellar_tendon",
        "tibialis_posterior",
        "peroneal",
    ],
)
def test_injury_not_in_the_article(injury: str) -> None:
    title = load_injuries()[injury].title
    answer = indication_answer([injury])
    assert not answer.startswith("Yes")
    assert f"Whether it helps with {title} depends on what the examination finds" in answer
    assert f"({ARTICLE_LIST}, among others)" in answer


@pytest.mark.parametrize("ids", [[], ["not_an_injury"], ["pregnancy"]])
def test_no_known_injury(ids: list) -> None:
    answer = indication_answer(ids)
    assert answer == (
        "Dry needling can be very effective for many running injuries, such as "
        f"{ARTICLE_LIST}. Whether it suits your complaint is decided together with the "
        "physiotherapist after an examination."
    )


def test_several_injuries_once_each_in_order() -> None:
    answer = indication_answer(["knee", "hamstring", "knee", "unknown"])
    assert answer.count("runner's knee is one of") == 1
    assert answer.index("runner's knee") < answer.index("hamstring complaints")


@pytest.fixture
def injuries_copy(clinic_copy: Path) -> Path:
    return clinic_copy / "indications.yml"


def test_indications_from_a_modified_copy(injuries_copy: Path) -> None:
    raw = yaml.safe_load(injuries_copy.read_text(encoding="utf-8"))
    raw["injuries"]["hamstring"]["in_article"] = True
    injuries_copy.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    assert indication_answer(["hamstring"]).startswith("Yes, hamstring complaints is one of")
    assert article_list(load_injuries()).endswith("hip pain and hamstring complaints")


def test_every_injury_of_the_vocabulary_has_a_title() -> None:
    vocabulary = yaml.safe_load((clinic_data_dir() / "vocabulary.yml").read_text(encoding="utf-8"))
    assert set(vocabulary["injury"]) <= set(load_injuries())
