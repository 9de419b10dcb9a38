"""Hot paths of Rasa 3.6 made cheaper, with the same results.

Found by profiling the served assistant (py-spy under load, cProfile of whole
conversations; reports/BENCHMARK.md):

- `RemoteAction` passes every action server reply to `jsonschema.validate`,
  which re-checks the constant reply schema against the JSON Schema 2020-12
  meta-schema on each call: about 17 ms of CPU per custom action with
  jsonschema 4.17, more than the whole NLU pipeline. Here the schema is checked
  once and the validator reused. Even so, each event of a reply was tried
  against all 23 event types of the schema's `oneOf` (about 0.8 ms per reply);
  every type fixes the `event` name to a different constant, so only the type
  named by the event can match, and a reply is first checked against that one
  type only. Whatever that quick check does not accept goes through the full
  schema: the same replies pass, the same error is raised.
- Every message runs Rasa's model graphs (the NLU pipeline, then the dialogue
  policies two or three times) through `dask.get`, which plans a schedule for
  each run (about 0.25 ms for the policy graph, a third of its time). Here the
  graph's tasks are run in dependency order by a plain function, with the same
  tasks and inputs.
- Rasa opens a new HTTP client session, and so a new connection to the action
  server, for every custom action. Here each endpoint keeps one session per
  event loop, whose idle connections close before the action server's own
  keep-alive time-out (5 s) so that a connection the server is closing is
  never reused. The session writes the request (the whole tracker) with ujson,
  which the action server's web framework already uses: the same JSON, twice
  as fast as `json.dumps` for a screening conversation.
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

import asyncio
import copy
import json
import types
from functools import lru_cache
from typing import Any, Dict, Hashable, List, Sequence, Type

import aiohttp
import numpy as np
import scipy.sparse
import ujson
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.engine.runner import dask as rasa_dask_runner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.features import Features
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow import model_data_utils

from clinic_assistant.rasa.rasa_version import patches_allowed

ORIGINAL_RESOLVE_BY_TYPE = Event.resolve_by_type
ORIGINAL_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
ORIGINAL_CREATE_FAKE_FEATURES = model_data_utils._create_fake_features
ORIGINAL_ENDPOINT_SESSION = EndpointConfig.session
# Below the action server's (Sanic's) 5 s keep-alive time-out, see the docstring.
IDLE_CONNECTION_SECONDS = 2.0


@lru_cache(maxsize=1)
def reply_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def event_validators() -> Dict[str, Validator]:
    """A validator per event name: the event schema with its `oneOf` reduced to
    the one type whose `event` constant is that name. Empty (so every reply takes
    the full check) if the schema is not of that shape."""
    reply_schema = RemoteAction.action_response_format_spec()
    event_schema = reply_schema["properties"]["events"]["items"]
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    validator_class = type(reply_validator())
    validators: Dict[str, Validator] = {}
    for event_type in event_schema.get("oneOf", []):
        name = event_type.get("properties", {}).get("event", {}).get("const")
        if not isinstance(name, str) or name in validators:
            return {}
        validators[name] = validator_class({**common, "allOf": [event_type]})
    return validators


@lru_cache(maxsize=1)
def responses_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()["properties"]["responses"]
    return type(reply_validator())(schema)


def quickly_accepted(result: Any) -> bool:
    """True only for replies the full schema accepts; False means "not sure"."""
    if not isinstance(result, dict):
        return False
    events = result.get("events", [])
    if not isinstance(events, list):
        return False
    validators = event_validators()
    for event in events:
        name = event.get("event") if isinstance(event, dict) else None
        validator = validators.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return "responses" not in result or responses_validator().is_valid(result["responses"])


def validate_action_result(action: RemoteAction, result: Dict[str, Any]) -> bool:
    """Same contract as `RemoteAction._validate_action_result` in Rasa 3.6."""
    if quickly_accepted(result):
        return True
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


def run_tasks_in_order(graph: Dict[Hashable, Any], targets: Sequence[Hashable]) -> tuple:
    """What `dask.get` returns for the graphs Rasa's `DaskGraphRunner` builds:
    a task is a tuple (callable, *arguments); an argument that names another
    entry of the graph is replaced by that entry's result, computed once; any
    other entry (Rasa's inputs) is its own value. Rasa passes only the nodes the
    targets need (`minimal_graph_schema`), so no entry is left out here that
    dask would have run."""
    results: Dict[Hashable, Any] = {}

    def result_of(key: Hashable) -> Any:
        if key not in results:
            entry = graph[key]
            if isinstance(entry, tuple) and entry and callable(entry[0]):
                arguments = [result_of(a) if _names_entry(graph, a) else a for a in entry[1:]]
                results[key] = entry[0](*arguments)
            else:
                results[key] = entry
        return results[key]

    return tuple(result_of(target) for target in targets)


def _names_entry(graph: Dict[Hashable, Any], argument: Any) -> bool:
    try:
        return argument in graph
    except TypeError:  # not hashable, so not a key
        return False


def request_json(value: Any) -> str:
    """The JSON text `json.dumps` would write, for the same value, faster."""
    try:
        return ujson.dumps(value, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):  # json.dumps decides (and explains)
        return json.dumps(value)


class _KeptOpen:
    """`async with` yields the endpoint's shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession, loop: asyncio.AbstractEventLoop) -> None:
        self.session, self.loop = session, loop

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def shared_session(endpoint: EndpointConfig) -> Any:
    """Stands in for `EndpointConfig.session` inside `EndpointConfig.request`: a
    session with Rasa's settings, made once per endpoint and event loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not in a coroutine: Rasa's own, closed after use
        return ORIGINAL_ENDPOINT_SESSION(endpoint)
    kept = getattr(endpoint, "_clinic_session", None)
    if kept is None or kept.session.closed or kept.loop is not loop:
        auth = endpoint.basic_auth
        session = aiohttp.ClientSession(  # Rasa's settings, plus the connector and JSON writer
            headers=endpoint.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
            json_serialize=request_json,
        )
        kept = _KeptOpen(session, loop)
        endpoint._clinic_session = kept  # type: ignore[attr-defined]
    return kept


def install(rasa_version: str | None = None) -> bool:
    """Use the cheaper paths for every conversation in this process (only on the
    Rasa version they were written for; returns whether they were installed)."""
    if not patches_allowed("clinic_assistant.rasa.speedups", rasa_version):
        return False
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    model_data_utils._create_fake_features = create_fake_features
    EndpointConfig.session = shared_session
    rasa_dask_runner.dask = types.SimpleNamespace(get=run_tasks_in_order)
    return True
