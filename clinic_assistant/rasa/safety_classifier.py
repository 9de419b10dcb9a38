"""Rasa NLU component: any message matching a red flag becomes intent red_flag.

The classifier learns red flags from examples, but safety should not depend
on a statistical model: the patterns in clinic/red_flags.yml always win.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from clinic_assistant.red_flags import find_red_flags

RED_FLAG_INTENT = "red_flag"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagClassifier(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads name their intent already
            flags = find_red_flags(text)
            if not flags:
                continue
            intent = {"name": RED_FLAG_INTENT, "confidence": 1.0}
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != RED_FLAG_INTENT
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            entities = message.get(ENTITIES, []) + [
                {"entity": "red_flag", "value": flag.id, "start": 0, "end": len(text),
                 "extractor": type(self).__name__}
                for flag in flags
            ]  # fmt: skip
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
