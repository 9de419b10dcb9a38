"""The clinic's contact facts: clinic/clinic.yml, overridable by environment variables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from clinic_assistant import PROJECT_ROOT, clinic_data_dir, config
from clinic_assistant.config import ENV_OVERRIDES, ClinicFacts, load_clinic_facts

FILE_FACTS = ClinicFacts(
    name="Running Solutions",
    phone="+44 20 7946 0958",
    email="info@running-solutions.example",
    opening_hours="Monday to Friday, 8:00 to 18:00",
    booking_url="https://running-solutions.example/book/dry-needling",
    doctor="your GP (family doctor)",
    emergency_number="112",
    price=yaml.safe_load((PROJECT_ROOT / "clinic" / "clinic.yml").read_text())["price"],
    insurance=yaml.safe_load((PROJECT_ROOT / "clinic" / "clinic.yml").read_text())["insurance"],
    referral=yaml.safe_load((PROJECT_ROOT / "clinic" / "clinic.yml").read_text())["referral"],
    session_length=yaml.safe_load((PROJECT_ROOT / "clinic" / "clinic.yml").read_text())[
        "session_length"
    ],
    privacy_url="https://running-solutions.example/privacy",
)


def test_facts_from_clinic_yml() -> None:
    assert load_clinic_facts(env={}) == FILE_FACTS


def test_values_are_strings_even_when_yaml_reads_numbers() -> None:
    facts = load_clinic_facts(env={})
    assert facts.emergency_number == "112"
    assert all(isinstance(value, str) for value in facts.as_template_values().values())


@pytest.mark.parametrize(("field", "variable"), sorted(ENV_OVERRIDES.items()))
def test_each_environment_variable_overrides_its_field(field: str, variable: str) -> None:
    facts = load_clinic_facts(env={variable: "from the environment"})
    assert getattr(facts, field) == "from the environment"
    others = {f for f in ENV_OVERRIDES if f != field}
    assert all(getattr(facts, f) == getattr(FILE_FACTS, f) for f in others)


def test_booking_url_override_from_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKING_URL", "https://clinic.test/book")
    monkeypatch.setenv("EMERGENCY_NUMBER", "999")
    facts = load_clinic_facts()
    assert facts.booking_url == "https://clinic.test/book"
    assert facts.emergency_number == "999"
    assert facts.as_template_values()["booking_url"] == "https://clinic.test/book"


def test_empty_variables_do_not_blank_a_fact() -> None:
    facts = load_clinic_facts(env={"BOOKING_URL": "", "CLINIC_PHONE": ""})
    assert facts.booking_url == FILE_FACTS.booking_url
    assert facts.phone == FILE_FACTS.phone


def test_every_field_has_an_override() -> None:
    assert set(ENV_OVERRIDES) == set(ClinicFacts.__dataclass_fields__)
    assert ENV_OVERRIDES["booking_url"] == "BOOKING_URL"


def test_template_values() -> None:
    values = FILE_FACTS.as_template_values()
    assert values == {
        "clinic_name": "Running Solutions",
        "clinic_phone": "+44 20 7946 0958",
        "clinic_email": "info@running-solutions.example",
        "clinic_opening_hours": "Monday to Friday, 8:00 to 18:00",
        "clinic_booking_url": "https://running-solutions.example/book/dry-needling",
        "clinic_doctor": "your GP (family doctor)",
        "clinic_emergency_number": "112",
        "clinic_price": FILE_FACTS.price,
        "clinic_insurance": FILE_FACTS.insurance,
        "clinic_referral": FILE_FACTS.referral,
        "clinic_session_length": FILE_FACTS.session_length,
        "clinic_privacy_url": "https://running-solutions.example/privacy",
        "booking_url": "https://running-solutions.example/book/dry-needling",
        "emergency_number": "112",
        "privacy_url": "https://running-solutions.example/privacy",
        "contact_line": FILE_FACTS.contact_line(),
    }
    template = "Call {clinic_phone} ({clinic_opening_hours}) or book at {booking_url}."
    assert template.format(**values) == (
        "Call +44 20 7946 0958 (Monday to Friday, 8:00 to 18:00) or book at "
        "https://running-solutions.example/book/dry-needling."
    )


def test_contact_line() -> None:
    assert FILE_FACTS.contact_line() == (
        "+44 20 7946 0958 or info@running-solutions.example (Monday to Friday, 8:00 to 18:00)"
    )


def test_clinic_data_dir_default_and_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLINIC_DATA_DIR", raising=False)
    assert clinic_data_dir() == PROJECT_ROOT / "clinic"
    monkeypatch.setenv("CLINIC_DATA_DIR", str(tmp_path))
    assert clinic_data_dir() == tmp_path


def test_facts_from_a_modified_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "clinic"
    shutil.copytree(PROJECT_ROOT / "clinic", folder)
    raw = yaml.safe_load((folder / "clinic.yml").read_text(encoding="utf-8"))
    raw.update(name="Harbour Physio", emergency_number=999)
    (folder / "clinic.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("CLINIC_DATA_DIR", str(folder))

    facts = load_clinic_facts(env={"CLINIC_NAME": ""})
    assert facts.name == "Harbour Physio"
    assert facts.emergency_number == "999"
    assert load_clinic_facts(env={"CLINIC_NAME": "Override"}).name == "Override"


def test_an_edit_takes_effect_at_restart_for_every_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Rasa server's responses (ClinicNLG) and the action server's replies
    read the same loader: after an edit, neither changes until a restart."""
    from clinic_assistant.rasa.nlg import ClinicNLG

    folder = tmp_path / "clinic"
    shutil.copytree(PROJECT_ROOT / "clinic", folder)
    monkeypatch.setenv("CLINIC_DATA_DIR", str(folder))
    monkeypatch.delenv("CLINIC_PHONE", raising=False)
    before = load_clinic_facts().phone
    raw = yaml.safe_load((folder / "clinic.yml").read_text(encoding="utf-8"))
    raw["phone"] = "+44 20 7946 0000"
    (folder / "clinic.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")

    assert load_clinic_facts().phone == before  # the action server
    assert ClinicNLG().clinic_values["clinic_phone"] == before  # the Rasa server
    config._read_facts.cache_clear()  # what a restart does
    assert load_clinic_facts().phone == "+44 20 7946 0000"
    assert ClinicNLG().clinic_values["clinic_phone"] == "+44 20 7946 0000"


def test_privacy_url_is_optional(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "clinic"
    shutil.copytree(PROJECT_ROOT / "clinic", folder)
    raw = yaml.safe_load((folder / "clinic.yml").read_text(encoding="utf-8"))
    del raw["privacy_url"]
    (folder / "clinic.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("CLINIC_DATA_DIR", str(folder))

    assert load_clinic_facts(env={}).privacy_url == ""
    assert load_clinic_facts(env={"PRIVACY_URL": "https://clinic.test/p"}).privacy_url == (
        "https://clinic.test/p"
    )
