"""Answers end to end: right, honest "don't know", or wrong; and the answer guard's threshold.

    python -m measure.answers [--heldout FILE] [--out DIR] [--allow-dirty]
    python -m measure.answers tune

The first form sends each held-out message (tests/nlu/answers_heldout.yml, written
apart from the training data) in a fresh conversation over the REST channel of
the real assistant; what the assistant did is read from the conversation store
(the bot's `utter_action` and the actions run), so the judgement does not depend
on the wording of any answer. The result is the "answers" section of
reports/NLU_EVALUATION.md (`make evaluate`).

`tune` parses the development messages (tests/answers/dev*.yml and the article
questions of tests/nlu/heldout*.yml) with the trained model and prints, for each
setting of the answer guard (the weight of the neural classifiers and the
threshold), how many would get the right answer, an honest "don't know", or a
wrong answer. It never reads the test set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Sequence, Tuple

import yaml

from clinic_assistant.rasa.content_answers import ANSWER_INTENTS, DONT_KNOW_RESPONSES, SUGGESTIONS
from measure.common import (
    REPORTS,
    ROOT,
    add_report_arguments,
    generated_by,
    relative,
    stamp_or_refuse,
    table,
    write_section,
)

HELDOUT = ROOT / "tests" / "nlu" / "answers_heldout.yml"
DEV_SETS = sorted((ROOT / "tests" / "answers").glob("dev*.yml"))
REPORT_NAME = "NLU_EVALUATION.md"
# the answer guard settings `tune` tries
WEIGHTS = [0.0, 0.2, 0.4]
THRESHOLDS = [0.3, 0.4, 0.5, 0.6]

# What counts as not answering: the honest "I can't answer that one", the
# out-of-scope reply and the request to rephrase.
# "How to reach the team" (with the opening hours) says where the answer is, too.
HONEST = {*DONT_KNOW_RESPONSES, "utter_out_of_scope", "utter_default", "utter_human_contact"}
# A runner who states their own condition and asks ("I'm on warfarin, is that a
# problem?") is screened by design (SafetyClassifier, safety-principles): the
# screening reads the condition from the message and concludes from it.
CONDITION_READ = "screening read the stated condition"
# An expected label other than a response key is answered by these.
ANSWERED_BY = {
    "ask_indication": {"action_answer_indication"},
    "ask_contraindication": {
        "action_answer_contraindication",
        "utter_why_screening",
        CONDITION_READ,
    },
}
# The article's FAQ answers; the other faq/* answers are practical ones (article_keys).
ARTICLE_FAQ_FILE = ROOT / "data" / "nlu" / "faq.yml"
# Answers that come from the content: any of them to an unrelated question is wrong.
CONTENT_PREFIXES = ("utter_faq/", "action_answer_")
GROUPS = ("article", "practical", "dont_know", "unrelated", "all")


@lru_cache(maxsize=1)
def article_keys() -> FrozenSet[str]:
    """faq/<key> for each response in data/nlu/faq.yml, plus ask_indication and
    ask_contraindication."""
    with open(ARTICLE_FAQ_FILE, encoding="utf-8") as handle:
        responses = yaml.safe_load(handle).get("responses") or {}
    faq = {name[len("utter_") :] for name in responses if name.startswith("utter_faq/")}
    return frozenset(faq | ANSWER_INTENTS)


def group_of(expected: str) -> str:
    if expected in article_keys():
        return "article"
    if expected.startswith("faq/"):
        return "practical"
    return "dont_know" if expected == "dont_know" else "unrelated"


def judge(expected: str, actions: Sequence[str]) -> str:
    """ "right", "honest" or "wrong" for what the assistant did with one message."""
    content = [a for a in actions if a.startswith(CONTENT_PREFIXES)]
    if expected in ("dont_know", "out_of_scope"):
        if content:
            return "wrong"
        return "right" if any(a in HONEST for a in actions) else "wrong"
    wanted = ANSWERED_BY.get(expected, {f"utter_{expected}"})
    if any(a in wanted for a in actions):
        return "right"
    if content or not any(a in HONEST for a in actions):
        return "wrong"
    return "honest"


@dataclass
class Result:
    text: str
    expected: str
    actions: List[str]
    verdict: str
    # the answers the honest reply offered to tap (actions/dont_know.py)
    offered: List[str] = field(default_factory=list)

    @property
    def right_answer_offered(self) -> bool:
        return self.verdict == "honest" and self.expected in self.offered


def events_of(db: Path, sender: str) -> List[Dict]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def suggestions_of(events: Sequence[Dict]) -> List[str]:
    """The answers the runner's message may have meant, as the answer guard kept them."""
    users = [e for e in events if e.get("event") == "user"]
    return list((users[-1].get("parse_data") or {}).get(SUGGESTIONS) or []) if users else []


def actions_of(events: Sequence[Dict]) -> List[str]:
    """The responses and actions of the assistant's turn, from the stored events."""
    found = []
    for event in events:
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action"):
            found.append(event["metadata"]["utter_action"])
        elif event.get("event") == "action" and event.get("name", "").startswith("action_"):
            found.append(event["name"])
        elif is_screening_answer(event) and CONDITION_READ not in found:
            found.append(CONDITION_READ)
    return [a for a in found if a not in ("action_listen", "action_session_start")]


@lru_cache(maxsize=1)
def screening_answer_slots() -> FrozenSet[str]:
    from clinic_assistant.screening.rules import load_screening

    return frozenset(load_screening().answer_slots)


def is_screening_answer(event: Dict) -> bool:
    """A screening answer filled in (from the runner's message: each is played alone)."""
    return (
        event.get("event") == "slot"
        and event.get("name") in screening_answer_slots()
        and event.get("value") not in (None, "")
    )


def play(messages: Sequence[Dict[str, str]]) -> List[Result]:
    """Each message in a fresh conversation with the real assistant, judged."""
    from clinic_assistant.launcher import AssistantProcesses
    from tests.support.chat import Chat

    run_dir = Path(tempfile.mkdtemp(prefix="answers-"))
    processes = AssistantProcesses.on_free_ports(run_dir)
    results = []
    with processes:
        db = processes.run_dir / "data" / "conversations.db"
        for item in messages:
            chat = Chat(processes.url)
            chat.say(item["text"])
            events = events_of(db, chat.sender)
            actions = actions_of(events)
            results.append(Result(item["text"], item["expect"], actions,
                                  judge(item["expect"], actions), suggestions_of(events)))  # fmt: skip
    return results


def summary(results: Sequence[Result]) -> Dict[str, Dict[str, int]]:
    counts: Dict[str, Counter] = defaultdict(Counter)
    for result in results:
        counts[group_of(result.expected)][result.verdict] += 1
        counts["all"][result.verdict] += 1
    return {group: dict(counter) for group, counter in counts.items()}


def _share(counter: Dict[str, int], verdict: str) -> float | None:
    total = sum(counter.values())
    return counter.get(verdict, 0) / total if total else None


def _rate(counter: Dict[str, int], verdict: str) -> str:
    share = _share(counter, verdict)
    if share is None:
        return "-"
    return f"{counter.get(verdict, 0)}/{sum(counter.values())} ({100 * share:.1f} %)"


def section(results: Sequence[Result], heldout: Path, seconds: float, source: str) -> List[str]:
    counts = defaultdict(dict, summary(results))
    # the goal is about answers from the content; other wrong replies (a false
    # alarm, the screening) count in the wrong answers
    unrelated_answered = sum(
        group_of(r.expected) == "unrelated"
        and any(a.startswith(CONTENT_PREFIXES) for a in r.actions)
        for r in results
    )

    def at_least(group: str, share: float) -> bool:
        measured = _share(counts[group], "right")
        return measured is None or measured >= share  # no such messages: nothing to miss

    targets = [
        ("wrong answers, whole set", _rate(counts["all"], "wrong"), "≤ 2 %",
         (_share(counts["all"], "wrong") or 0) <= 0.02),
        ("article questions answered right", _rate(counts["article"], "right"), "≥ 97 %",
         at_least("article", 0.97)),
        ("practical questions answered right", _rate(counts["practical"], "right"), "≥ 90 %",
         at_least("practical", 0.90)),
        ("unrelated questions given a content answer", unrelated_answered, "0",
         not unrelated_answered),
    ]  # fmt: skip
    wrong = [r for r in results if r.verdict == "wrong"]
    honest = [r for r in results if r.verdict == "honest"]
    offered = Counter(group_of(r.expected) for r in honest if r.right_answer_offered)
    offered["all"] = sum(offered.values())
    return [
        "## Answers, end to end",
        "",
        generated_by("python -m measure.answers", source) + f" (`make evaluate`): each of the "
        f"{len(results)} messages of `{relative(heldout.resolve())}` (written apart from the "
        "training data, never trained on or tuned to) sent in a fresh conversation to the real "
        f"assistant over REST ({seconds:.0f} s), judged from what it did: the right answer, an "
        'honest "I can\'t answer that" (`utter_dont_know`, `utter_out_of_scope`, '
        "`utter_default`, or how to reach the team, `utter_human_contact`), or a wrong "
        "answer. A runner who states their own condition and asks whether they can have dry "
        "needling is screened by design; the screening reading that condition from the message "
        "counts as the answer to a contraindication question.",
        "",
        *table(("target", "measured", "goal", "met"),
               [(name, value, goal, "yes" if ok else "NO") for name, value, goal, ok in targets]),
        "",
        *table(("group", "messages", "right", 'honest "don\'t know"',
                "of those, the right answer offered to tap", "wrong"),
               [(group, sum(counts[group].values()), counts[group].get("right", 0),
                 counts[group].get("honest", 0), offered[group], counts[group].get("wrong", 0))
                for group in GROUPS]),
        "",
        'When the assistant is unsure which answer a question wants, its honest reply offers up '
        "to two answers it may have meant, as buttons (actions/dont_know.py): a tap gets that "
        "answer. Those are still counted as honest replies, not as right ones.",
        "",
        "Wrong answers (message, expected, what the assistant did):",
        "",
        *([f"- `{r.text}`: expected `{r.expected}`, got {', '.join(r.actions) or '(nothing)'}"
           for r in wrong] or ["- none"]),
        "",
        "Answered honestly instead of right (a missed answer, not a wrong one):",
        "",
        *([f"- `{r.text}`: expected `{r.expected}`"
           + (" (offered to tap)" if r.right_answer_offered else "") for r in honest]
          or ["- none"]),
    ]  # fmt: skip


# --------------------------------------------------------------------------- tune


def dev_messages() -> List[Tuple[str, str]]:
    found = [
        (m["text"], m["expect"])
        for path in DEV_SETS
        for m in yaml.safe_load(path.read_text())["messages"]
    ]
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if block["intent"].startswith("faq/") or block["intent"] == "out_of_scope":
                for line in block["examples"].splitlines():
                    text = line.strip().removeprefix("- ").strip()
                    if text:
                        found.append((text, block["intent"]))
    return found


def live_guard(agent: Any) -> Any:
    """The answer guard inside the loaded model, so that tune can try its settings."""
    from clinic_assistant.rasa.answer_guard import AnswerGuard

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    guards = [node._component for node in nodes if isinstance(node._component, AnswerGuard)]
    if len(guards) != 1:
        raise RuntimeError(f"expected one AnswerGuard in the model, found {len(guards)}")
    return guards[0]


def nlu_verdict(expected: str, parsed: Dict) -> str:
    """ "right", "honest" or "wrong" for the NLU's result alone (the dialogue may
    still add to it: the end-to-end report is the one that counts)."""
    from measure.evaluate import selected_response

    intent = (parsed.get("intent") or {}).get("name") or ""
    answer = selected_response(parsed)[0] if intent == "faq" else intent
    if intent != "faq" and intent not in ANSWER_INTENTS:
        return "honest" if expected.startswith(("faq/", "ask_")) else "right"
    if answer == expected:
        return "right"
    return "wrong"


async def sweep(messages: List[Tuple[str, str]]) -> Dict[Tuple[float, float], Dict]:
    """Per (classifier_weight, answer_threshold): the verdicts per group."""
    from clinic_assistant.launcher import DEFAULT_MODEL
    from measure.common import load_agent

    agent = load_agent(DEFAULT_MODEL)
    guard = live_guard(agent)
    results = {}
    for weight in WEIGHTS:
        for threshold in THRESHOLDS:
            guard.classifier_weight, guard.answer_threshold = weight, threshold
            counts: Dict[str, Counter] = defaultdict(Counter)
            for text, expected in messages:
                verdict = nlu_verdict(expected, await agent.parse_message(text))
                counts[group_of(expected)][verdict] += 1
            results[(weight, threshold)] = counts
    return results


def tune() -> int:
    messages = dev_messages()
    print(f"{len(messages)} development messages; per group: right/honest/wrong")
    for (weight, threshold), counts in asyncio.run(sweep(messages)).items():
        cells = [
            f"{group} {counts[group]['right']}/{counts[group]['honest']}/{counts[group]['wrong']}"
            for group in GROUPS[:-1]
        ]
        print(f"weight {weight:.1f} threshold {threshold:.2f}: " + "  ".join(cells))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["tune"], help="tune: the threshold table")
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    add_report_arguments(parser, REPORTS)
    args = parser.parse_args(argv)
    if args.command == "tune":
        return tune()
    source = stamp_or_refuse(args.allow_dirty)
    if source is None:
        return 2
    messages = yaml.safe_load(args.heldout.read_text(encoding="utf-8"))["messages"]
    started = time.monotonic()
    results = play(messages)
    lines = section(results, args.heldout, time.monotonic() - started, source)
    report = write_section(args.out.resolve() / REPORT_NAME, "answers", lines)
    print(f"{len(results)} messages: {summary(results)['all']} -> {relative(report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
