"""The clinic's contact facts: read from clinic/clinic.yml, overridable by env."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Tuple

import yaml

from clinic_assistant import clinic_data_dir

# field name -> environment variable that overrides it
ENV_OVERRIDES: Dict[str, str] = {
    "name": "CLINIC_NAME",
    "phone": "CLINIC_PHONE",
    "email": "CLINIC_EMAIL",
    "opening_hours": "CLINIC_HOURS",
    "booking_url": "BOOKING_URL",
    "doctor": "CLINIC_DOCTOR",
    "emergency_number": "EMERGENCY_NUMBER",
    "price": "CLINIC_PRICE",
    "insurance": "CLINIC_INSURANCE",
    "referral": "CLINIC_REFERRAL",
    "session_length": "CLINIC_SESSION_LENGTH",
    "privacy_url": "PRIVACY_URL",
}


@dataclass(frozen=True)
class ClinicFacts:
    name: str
    phone: str
    email: str
    opening_hours: str
    booking_url: str
    doctor: str
    emergency_number: str
    price: str
    insurance: str
    referral: str
    session_length: str
    # linked from the chat widget's privacy line; a clinic may have none yet
    privacy_url: str = ""

    def as_template_values(self) -> Dict[str, str]:
        """Values for `{clinic_phone}`-style placeholders in responses."""
        values = {f"clinic_{key}": value for key, value in asdict(self).items()}
        values["booking_url"] = self.booking_url
        values["emergency_number"] = self.emergency_number
        values["privacy_url"] = self.privacy_url
        values["contact_line"] = self.contact_line()
        return values

    def contact_line(self) -> str:
        return f"{self.phone} or {self.email} ({self.opening_hours})"


def load_clinic_facts(env: Mapping[str, str] | None = None) -> ClinicFacts:
    """The facts, read once per process (for each data folder and environment).

    Both servers use this one loader, so after an edit of clinic.yml every reply
    changes at the same moment: when the assistant restarts, like every other
    content file (the replies of the Rasa server and of the action server never
    disagree about the phone number).
    """
    env = os.environ if env is None else env
    overrides = tuple((field, env.get(variable) or "") for field, variable in ENV_OVERRIDES.items())
    return _read_facts(str(clinic_data_dir()), overrides)


@lru_cache(maxsize=8)
def _read_facts(folder: str, overrides: Tuple[Tuple[str, str], ...]) -> ClinicFacts:
    with open(Path(folder) / "clinic.yml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    # a blank value counts as unset, like an empty variable: an optional field
    # (privacy_url) takes its default, a required one fails at start
    values = {key: str(value) for key, value in raw.items() if value is not None}
    values.update({field: value for field, value in overrides if value})
    return ClinicFacts(**{field: values[field] for field in ENV_OVERRIDES if field in values})
