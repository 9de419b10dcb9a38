"""Three hot paths of Rasa 3.6 made cheaper, with the same results.

Found by profiling the served assistant under load (py-spy, reports/BENCHMARK.md):

- `RemoteAction` passes every action server reply to `jsonschema.validate`,
  which re-checks the constant reply schema against the JSON Schema 2020-12
  meta-schema on each call: about 17 ms of CPU per custom action with
  jsonschema 4.17, more than the whole NLU pipeline, and a screening turn runs
  two custom actions. Here the schema is checked once and the validator reused:
  the same replies pass, the same error is raised, for about 1 ms.
- `Event.resolve_by_type` walks the whole `Event` class tree for every event it
  turns back into an object (each stored event on every tracker load, each
  event an action returns). Here the class found for a type name is remembered.
- DIET and the ResponseSelector build "zero" features for every parse by
  deep-copying a real feature object, matrix included, and then replacing the
  matrix with an empty one. Here only the object is copied.

`install()` is called by `clinic_assistant.rasa.cli`, the launcher's way of
starting Rasa, before the model loads.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, Dict, List, Type

import numpy as np
import scipy.sparse
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.tensorflow import model_data_utils

ORIGINAL_RESOLVE_BY_TYPE = Event.resolve_by_type
ORIGINAL_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
ORIGINAL_CREATE_FAKE_FEATURES = model_data_utils._create_fake_features


@lru_cache(maxsize=1)
def reply_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(action: RemoteAction, result: Dict[str, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result` in Rasa 3.6."""
    error: ValidationError | None = best_match(reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid. For more information about "
        f"the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_EVENT_CLASSES: Dict[str, Type[Event]] = {}


def resolve_event_type(type_name: str, default: Type[Event] | None = None) -> Type[Event] | None:
    """Same contract as `Event.resolve_by_type` in Rasa 3.6."""
    event_class = _EVENT_CLASSES.get(type_name)
    if event_class is None:
        # Rasa's own lookup decides (old "topic" events, the default, the error);
        # only a class that really has this type name is remembered.
        event_class = ORIGINAL_RESOLVE_BY_TYPE(type_name, default)
        if event_class is not None and event_class.type_name == type_name:
            _EVENT_CLASSES[type_name] = event_class
    return event_class


def create_fake_features(all_features: List[List[List[Features]]]) -> List[Features]:
    """Same contract as `model_data_utils._create_fake_features` in Rasa 3.6."""
    example_features = next(
        features for per_example in all_features for features in per_example if features is not None
    )
    fake_features = []
    for features in example_features:
        fake = copy.copy(features)
        if isinstance(features.origin, list):
            fake.origin = list(features.origin)
        width = features.features.shape[-1]
        if features.is_dense():
            fake.features = np.zeros((0, width), features.features.dtype)
        if features.is_sparse():
            fake.features = scipy.sparse.coo_matrix((0, width), features.features.dtype)
        fake_features.append(fake)
    return fake_features


def install() -> None:
    """Use the cheaper paths for every conversation in this process."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    model_data_utils._create_fake_features = create_fake_features
