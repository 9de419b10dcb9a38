"""The clinic's contact facts: read from clinic/clinic.yml, overridable by env."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Dict, Mapping

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

    def as_template_values(self) -> Dict[str, str]:
        """Values for `{clinic_phone}`-style placeholders in responses."""
        values = {f"clinic_{key}": value for key, value in asdict(self).items()}
        values["booking_url"] = self.booking_url
        values["emergency_number"] = self.emergency_number
        return values

    def contact_line(self) -> str:
        return f"{self.phone} or {self.email} ({self.opening_hours})"


def load_clinic_facts(env: Mapping[str, str] | None = None) -> ClinicFacts:
    env = os.environ if env is None else env
    with open(clinic_data_dir() / "clinic.yml", encoding="utf-8") as handle:
        values = {key: str(value) for key, value in yaml.safe_load(handle).items()}
    for field, variable in ENV_OVERRIDES.items():
        if env.get(variable):
            values[field] = env[variable]
    return ClinicFacts(**{field: values[field] for field in ENV_OVERRIDES})
