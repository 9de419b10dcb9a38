"""End-to-end scoring of answers: right, honest "don't know", or wrong.

    python -m tests.answers.evaluate [--heldout FILE] [--out reports/NLU_EVALUATION.md]

Each held-out message (tests/nlu/answers_heldout.yml, written apart from the
training data) is sent in a fresh conversation over the REST channel of the
real assistant; what the assistant did is read from the conversation store
(the bot's `utter_action` and the actions run), so the judgement does not
depend on the wording of any answer. The result replaces the "Answers" section
of reports/NLU_EVALUATION.md.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Sequence

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import AssistantProcesses, free_port
from tests.support.chat import Chat

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "answers_heldout.yml"
REPORT = PROJECT_ROOT / "reports" / "NLU_EVALUATION.md"
SECTION_START = "<!-- answers: begin (python -m tests.answers.evaluate) -->"
SECTION_END = "<!-- answers: end -->"

# What counts as not answering: the honest "I can't answer that one", the
# out-of-scope reply and the request to rephrase.
HONEST = {"utter_dont_know", "utter_out_of_scope", "utter_default"}
# An expected label other than a response key is answered by these.
ANSWERED_BY = {
    "ask_indication": {"action_answer_indication"},
    "ask_contraindication": {"action_answer_contraindication", "utter_why_screening"},
}
ARTICLE_KEYS = {
    "faq/what_is_dry_needling", "faq/what_are_trigger_points", "faq/why_release_trigger_points",
    "faq/trigger_point_causes", "faq/treatment_process", "faq/part_of_total_treatment",
    "faq/how_it_feels", "faq/local_twitch_response", "faq/after_treatment",
    "ask_indication", "ask_contraindication",
}  # fmt: skip
# Answers that come from the content: any of them to an unrelated question is wrong.
CONTENT_PREFIXES = ("utter_faq/", "action_answer_")


def group_of(expected: str) -> str:
    if expected in ARTICLE_KEYS:
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


def actions_of(db: Path, sender: str) -> List[str]:
    """The responses and actions of the assistant's turn, from the stored events."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    found = []
    for (data,) in rows:
        event = json.loads(data)
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action"):
            found.append(event["metadata"]["utter_action"])
        elif event.get("event") == "action" and event.get("name", "").startswith("action_"):
            found.append(event["name"])
    return [a for a in found if a not in ("action_listen", "action_session_start")]


def evaluate(processes: AssistantProcesses, messages: Sequence[Dict[str, str]]) -> List[Result]:
    db = processes.run_dir / "data" / "conversations.db"
    results = []
    for item in messages:
        chat = Chat(processes.url)
        chat.say(item["text"])
        actions = actions_of(db, chat.sender)
        results.append(
            Result(item["text"], item["expect"], actions, judge(item["expect"], actions))
        )
    return results


def summary(results: Sequence[Result]) -> Dict[str, Dict[str, int]]:
    counts: Dict[str, Counter] = defaultdict(Counter)
    for result in results:
        counts[group_of(result.expected)][result.verdict] += 1
        counts["all"][result.verdict] += 1
    return {group: dict(counter) for group, counter in counts.items()}


def _rate(counter: Dict[str, int], verdict: str) -> str:
    total = sum(counter.values())
    if not total:
        return "-"
    return f"{counter.get(verdict, 0)}/{total} ({100 * counter.get(verdict, 0) / total:.1f} %)"


def _share(counter: Dict[str, int], verdict: str) -> float:
    total = sum(counter.values())
    return counter.get(verdict, 0) / total if total else 1.0


def section(results: Sequence[Result], heldout: Path, seconds: float) -> str:
    counts = defaultdict(dict, summary(results))
    wrong_all = counts["all"].get("wrong", 0) / len(results)
    unrelated_answered = [
        r for r in results if group_of(r.expected) == "unrelated" and r.verdict == "wrong"
    ]
    targets = [
        ("wrong answers, whole set", _rate(counts["all"], "wrong"), "≤ 2 %", wrong_all <= 0.02),
        (
            "article questions answered right",
            _rate(counts["article"], "right"),
            "≥ 97 %",
            _share(counts["article"], "right") >= 0.97,
        ),
        (
            "practical questions answered right",
            _rate(counts["practical"], "right"),
            "≥ 90 %",
            _share(counts["practical"], "right") >= 0.90,
        ),
        (
            "unrelated questions given a content answer",
            f"{len(unrelated_answered)}",
            "0",
            not unrelated_answered,
        ),
    ]
    lines = [
        SECTION_START,
        "## Answers, end to end",
        "",
        f"Generated by `python -m tests.answers.evaluate` (`make evaluate`) on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: each of the {len(results)} messages "
        f"of `{heldout.resolve().relative_to(PROJECT_ROOT)}` (written apart from the training data, "
        "never trained on or tuned to) sent in a fresh conversation to the real assistant "
        f"over REST ({seconds:.0f} s), judged from what it did: the right answer, an honest "
        '"I can\'t answer that" (`utter_dont_know`, `utter_out_of_scope`, `utter_default`), '
        "or a wrong answer.",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
        *(
            f"| {name} | {value} | {goal} | {'yes' if ok else 'NO'} |"
            for name, value, goal, ok in targets
        ),
        "",
        '| group | messages | right | honest "don\'t know" | wrong |',
        "|---|---:|---:|---:|---:|",
    ]
    for group in ("article", "practical", "dont_know", "unrelated", "all"):
        counter = counts.get(group, {})
        lines.append(
            f"| {group} | {sum(counter.values())} | {counter.get('right', 0)} | "
            f"{counter.get('honest', 0)} | {counter.get('wrong', 0)} |"
        )
    lines += ["", "Wrong answers (message, expected, what the assistant did):", ""]
    wrong = [r for r in results if r.verdict == "wrong"]
    lines += [
        f"- `{r.text}`: expected `{r.expected}`, got {', '.join(r.actions) or '(nothing)'}"
        for r in wrong
    ] or ["- none"]
    honest = [r for r in results if r.verdict == "honest"]
    lines += ["", "Answered honestly instead of right (a missed answer, not a wrong one):", ""]
    lines += [f"- `{r.text}`: expected `{r.expected}`" for r in honest] or ["- none"]
    lines += ["", SECTION_END, ""]
    return "\n".join(lines)


def write_section(text: str, out: Path) -> None:
    existing = out.read_text(encoding="utf-8") if out.exists() else "# NLU evaluation\n\n"
    if SECTION_START in existing:
        before = existing.split(SECTION_START)[0]
        after = existing.split(SECTION_END, 1)[1] if SECTION_END in existing else ""
        existing = before.rstrip() + "\n\n" + after.lstrip()
    out.write_text(existing.rstrip() + "\n\n" + text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    messages = yaml.safe_load(args.heldout.read_text(encoding="utf-8"))["messages"]
    run_dir = Path(tempfile.mkdtemp(prefix="answers-"))
    processes = AssistantProcesses(
        run_dir=run_dir, rasa_port=free_port(), action_port=free_port(),
        action_metrics_port=free_port(),
    )  # fmt: skip
    started = time.monotonic()
    with processes:
        results = evaluate(processes, messages)
    write_section(section(results, args.heldout, time.monotonic() - started), args.out)
    counts = summary(results)["all"]
    print(f"{len(results)} messages: {counts} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
