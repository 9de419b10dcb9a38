"""Choose the answer guard's threshold on the development sets.

    python -m tests.answers.tune

Parses the development messages (tests/answers/dev*.yml and the article
questions of tests/nlu/heldout*.yml) with the trained model and prints, for
each threshold, how many would get the right answer, an honest "don't know",
or a wrong answer. The test set (tests/nlu/answers_heldout.yml) is not read.
"""

from __future__ import annotations

import asyncio
from typing import Dict, List, Tuple

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import DEFAULT_MODEL
from clinic_assistant.rasa.answer_guard import UNANSWERABLE_INTENT, selected_answer_confidence

DEV_SETS = [
    PROJECT_ROOT / "tests" / "answers" / "dev.yml",
    PROJECT_ROOT / "tests" / "answers" / "dev_earlier_testset.yml",
]
THRESHOLDS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def dev_messages() -> List[Tuple[str, str]]:
    found = [
        (m["text"], m["expect"])
        for path in DEV_SETS
        for m in yaml.safe_load(path.read_text())["messages"]
    ]
    for path in sorted((PROJECT_ROOT / "tests" / "nlu").glob("heldout*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if block["intent"].startswith("faq/") or block["intent"] == "out_of_scope":
                for line in block["examples"].splitlines():
                    text = line.strip().removeprefix("- ").strip()
                    if text:
                        found.append((text, block["intent"]))
    return found


async def parse_all(messages: List[Tuple[str, str]]) -> List[Tuple[str, str, str, float]]:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.message import Message

    agent = Agent.load(str(DEFAULT_MODEL))
    rows = []
    for text, expected in messages:
        parsed = await agent.parse_message(text)
        ranking = [r["name"] for r in parsed.get("intent_ranking", [])]
        # the classifier's own choice, before the guard replaced it
        intent = next((name for name in ranking if name != UNANSWERABLE_INTENT), "")
        message = Message(data=parsed)
        selector = (parsed.get("response_selector") or {}).get("faq") or {}
        key = (selector.get("response") or {}).get("intent_response_key") or ""
        predicted = key if intent == "faq" else intent
        rows.append((expected, predicted, intent, selected_answer_confidence(message) or 0.0))
    return rows


def table(rows: List[Tuple[str, str, str, float]]) -> Dict[float, Dict[str, int]]:
    result = {}
    for threshold in THRESHOLDS:
        counts = {"right": 0, "honest": 0, "wrong": 0}
        for expected, predicted, intent, confidence in rows:
            answered = intent == "faq" and confidence >= threshold
            if intent != "faq" and expected.startswith("faq/"):
                counts["wrong" if predicted.startswith(("ask_", "faq")) else "honest"] += 1
            elif not answered:
                counts["right" if not expected.startswith("faq/") else "honest"] += 1
            else:
                counts["right" if predicted == expected else "wrong"] += 1
        result[threshold] = counts
    return result


def main() -> int:
    rows = asyncio.run(parse_all(dev_messages()))
    print(f"{len(rows)} development messages")
    for threshold, counts in table(rows).items():
        print(f"threshold {threshold:.1f}: {counts}")
    for expected, predicted, intent, confidence in rows:
        if intent == "faq" and predicted != expected:
            print(f"  faq answer {predicted} ({confidence:.2f}) for expected {expected}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
