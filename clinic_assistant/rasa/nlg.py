"""Response generator that fills the clinic's facts into every response.

Responses say `{clinic_phone}` or `{booking_url}`; the values come from
clinic/clinic.yml and the environment at run time, so no answer hard-codes
them and a deployment changes them without retraining. The screening
questions (`utter_ask_<slot>`) come from clinic/screening.yml the same way.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from clinic_assistant.config import load_clinic_facts
from clinic_assistant.metrics import FALLBACKS
from clinic_assistant.privacy import retention_days
from clinic_assistant.screening.prompts import question_responses
from clinic_assistant.screening.rules import load_screening

# responses that mean "I could not answer that", counted for the fallback rate
FALLBACK_RESPONSES = {"utter_default": "nlu_fallback", "utter_out_of_scope": "out_of_scope"}


def response_values() -> Dict[str, str]:
    """The values every response may name: the clinic's facts, the screening's
    pregnancy limit and contraindications, and how long conversations are kept."""
    screening = load_screening()
    return {
        **load_clinic_facts().as_template_values(),
        "pregnancy_limit": screening.limit_phrase,
        "contraindications": screening.contraindication_list,
        "retention_days": f"{retention_days():g}",
    }


class ClinicNLG(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__(domain.responses if domain else {})
        self.clinic_values = response_values()

    @property
    def responses(self) -> Dict[str, Any]:
        return self._responses

    @responses.setter
    def responses(self, responses: Dict[str, Any]) -> None:
        # Rasa also sets this when it (re)loads a model, with the domain's
        # responses, where the screening questions are only named.
        self._responses = {**responses, **question_responses()}

    async def generate(
        self, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any
    ) -> Dict[str, Any] | None:
        if utter_action in FALLBACK_RESPONSES:
            FALLBACKS.labels(kind=FALLBACK_RESPONSES[utter_action]).inc()
        return await super().generate(utter_action, tracker, output_channel, **kwargs)

    def _response_variables(
        self, filled_slots: Dict[str, Any], kwargs: Dict[str, Any]
    ) -> Dict[str, Any]:
        values = dict(self.clinic_values)
        values.update(super()._response_variables(filled_slots, kwargs))
        return values
