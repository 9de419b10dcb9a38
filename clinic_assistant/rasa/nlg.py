"""Response generator that fills the clinic's facts into every response.

Responses say `{clinic_phone}` or `{booking_url}`; the values come from
clinic/clinic.yml and the environment at run time, so no answer hard-codes
them and a deployment changes them without retraining.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from clinic_assistant.config import load_clinic_facts


class ClinicNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__(domain.responses if domain else {})
        self.clinic_values = load_clinic_facts().as_template_values()

    def _response_variables(self, filled_slots: Dict[Text, Any], kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
        values = dict(self.clinic_values)
        values.update(super()._response_variables(filled_slots, kwargs))
        return values
