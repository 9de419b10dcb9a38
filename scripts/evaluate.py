"""`make evaluate`: how well the assistant understands runners, against a baseline.

Scores the project's NLU pipeline (config.yml, the trained model
models/dry-needling.tar.gz) and the stock `rasa init` pipeline
(bench/baseline_config.yml, trained here on the same data/) on the held-out
test set tests/nlu/heldout.yml, which is never trained on. Everything is
measured in this run:

1. `rasa test nlu` on the held-out set for both models (Rasa's own reports and
   confusion-matrix pictures under <out>/nlu/{project,baseline}/heldout/);
2. every held-out message parsed by each loaded model
   (`Agent.load(model)`, `await agent.parse_message(text)`), and the metrics
   below computed from those parse results, including nlu_fallback;
3. unless --quick: 5-fold cross-validation of the project's pipeline on data/
   (`rasa test nlu --cross-validation`, about 2 minutes per fold).

Writes <out>/NLU_EVALUATION.md (default out: reports/), <out>/nlu_evaluation.json
with every prediction, and copies of the confusion matrices. Rasa's own logs go to
<out>/tmp/evaluate-logs/.

Metrics (each model, held-out set):
- intent accuracy and macro F1 over the held-out intents (faq/* counts as the one
  intent faq, as in Rasa; nlu_fallback counts as a wrong intent);
- response-selection accuracy: of the held-out faq/* messages, the fraction whose
  selected response key (ResponseSelector) is the expected one;
- out-of-scope recall: of the held-out out_of_scope messages, the fraction that
  do NOT get an article answer (predicted intent not faq, ask_indication or
  ask_contraindication; nlu_fallback is not an article answer);
- entity precision/recall/F1 for injury, condition and medication, exact spans.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import load_average, machine_info, machine_lines  # noqa: E402

BIN = Path(sys.executable).parent
PROJECT_MODEL = ROOT / "models" / "dry-needling.tar.gz"
PROJECT_CONFIG = ROOT / "config.yml"
BASELINE_CONFIG = ROOT / "bench" / "baseline_config.yml"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
TRAINING_DATA = ROOT / "data"

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
RETRIEVAL_INTENT = "faq"
# Intents whose answer is an article answer (FAQ text, indication or
# contraindication). An out-of-scope message must not get one of these.
ARTICLE_INTENTS = frozenset({"faq", "ask_indication", "ask_contraindication"})
ENTITY_LABELS = ("injury", "condition", "medication")
TARGETS = {
    "intent_accuracy": 0.95,
    "response_selection_accuracy": 0.95,
    "out_of_scope_recall": 0.90,
}
# Compared between project and baseline for "project ahead of baseline".
COMPARED_METRICS = (
    "intent_accuracy",
    "intent_macro_f1",
    "response_selection_accuracy",
    "out_of_scope_recall",
)
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}

Pair = Tuple[str, str | None]
Span = Tuple[str, int, int]


# --------------------------------------------------------------------------- metrics
# Pure functions of (expected, predicted) lists; tests/test_measurement_tools.py
# checks them on hand-made inputs.


def base_intent(name: str | None) -> str:
    """'faq/how_it_feels' -> 'faq'; other intents unchanged; None -> ''."""
    return (name or "").split("/", 1)[0]


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def intent_accuracy(pairs: Sequence[Pair]) -> float | None:
    """Fraction of (expected, predicted) intents that agree; faq/x counts as faq."""
    return _ratio(sum(base_intent(e) == base_intent(p) for e, p in pairs), len(pairs))


def per_intent_scores(pairs: Sequence[Pair]) -> Dict[str, Dict[str, float]]:
    """Precision, recall, F1 and support of every expected intent (faq/x as faq).

    Predictions of labels that are never expected (nlu_fallback) count against
    the recall of the expected intent but get no row of their own.
    """
    expected = [base_intent(e) for e, _ in pairs]
    predicted = [base_intent(p) for _, p in pairs]
    scores: Dict[str, Dict[str, float]] = {}
    for label in sorted(set(expected)):
        true_pos = sum(e == label and p == label for e, p in zip(expected, predicted, strict=False))
        support = expected.count(label)
        predicted_count = predicted.count(label)
        precision = true_pos / predicted_count if predicted_count else 0.0
        recall = true_pos / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return scores


def macro_f1(pairs: Sequence[Pair]) -> float | None:
    """Unweighted mean of the F1 scores of the expected intents."""
    scores = per_intent_scores(pairs)
    return sum(s["f1"] for s in scores.values()) / len(scores) if scores else None


def out_of_scope_recall(
    pairs: Sequence[Pair],
    out_of_scope: str = OUT_OF_SCOPE,
    article_intents: Iterable[str] = ARTICLE_INTENTS,
) -> float | None:
    """Of the expected out_of_scope messages, the fraction without an article answer.

    Any prediction other than an article intent counts as a success, including
    out_of_scope itself, nlu_fallback (low confidence) and e.g. request_human.
    """
    article = set(article_intents)
    predictions = [base_intent(p) for e, p in pairs if base_intent(e) == out_of_scope]
    return _ratio(sum(p not in article for p in predictions), len(predictions))


def strict_out_of_scope_recall(pairs: Sequence[Pair]) -> float | None:
    """Of the expected out_of_scope messages, the fraction predicted out_of_scope or
    nlu_fallback (the messages that get the "I can't help with that" kind of answer)."""
    predictions = [base_intent(p) for e, p in pairs if base_intent(e) == OUT_OF_SCOPE]
    accepted = (OUT_OF_SCOPE, FALLBACK_INTENT)
    return _ratio(sum(p in accepted for p in predictions), len(predictions))


def response_selection_accuracy(pairs: Sequence[Pair]) -> float | None:
    """Of (expected response key, selected response key) pairs whose expected key is a
    retrieval intent (faq/x), the fraction where the selected key is the expected one."""
    relevant = [(e, p) for e, p in pairs if "/" in (e or "")]
    return _ratio(sum(e == p for e, p in relevant), len(relevant))


def entity_scores(
    gold: Sequence[Iterable[Span]],
    predicted: Sequence[Iterable[Span]],
    labels: Sequence[str] = ENTITY_LABELS,
) -> Dict[str, Dict[str, float]]:
    """Exact-span precision/recall/F1 per label and micro-averaged ("all").

    gold[i] and predicted[i] hold the (label, start, end) spans of message i; a
    prediction counts only if label, start and end all match a gold span.
    """
    counts = {label: Counter() for label in labels}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=False):
        gold_set = {s for s in gold_spans if s[0] in counts}
        predicted_set = {s for s in predicted_spans if s[0] in counts}
        for span in gold_set & predicted_set:
            counts[span[0]]["tp"] += 1
        for span in predicted_set - gold_set:
            counts[span[0]]["fp"] += 1
        for span in gold_set - predicted_set:
            counts[span[0]]["fn"] += 1
    counts["all"] = sum(counts.values(), Counter())

    def prf(c: Counter) -> Dict[str, float]:
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "support": c["tp"] + c["fn"],
                "predicted": c["tp"] + c["fp"]}  # fmt: skip

    return {label: prf(c) for label, c in counts.items()}


def full_prediction(intent: str | None, response_key: str | None) -> str:
    """What the assistant acts on: the response key for faq, else the intent."""
    if intent == RETRIEVAL_INTENT and response_key:
        return response_key
    return intent or ""


def is_misclassified(record: Dict[str, Any]) -> bool:
    """Wrong intent, or faq with the wrong response key (a wrong FAQ answer)."""
    return record["predicted"] != record["expected"]


def score(records: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """All metrics of one model from its parse records (see parse_messages)."""
    pairs = [(r["expected"], r["predicted_intent"]) for r in records]
    classifier_pairs = [(r["expected"], r["classifier_intent"]) for r in records]
    faq = [r for r in records if base_intent(r["expected"]) == RETRIEVAL_INTENT]
    entities = entity_scores(
        [[tuple(e[:3]) for e in r["gold_entities"]] for r in records],
        [[tuple(e[:3]) for e in r["predicted_entities"]] for r in records],
    )
    return {
        "messages": len(records),
        "intent_accuracy": intent_accuracy(pairs),
        "intent_macro_f1": macro_f1(pairs),
        "classifier_intent_accuracy": intent_accuracy(classifier_pairs),
        "fallback_rate": _ratio(
            sum(r["predicted_intent"] == FALLBACK_INTENT for r in records), len(records)
        ),
        "response_selection_accuracy": response_selection_accuracy(
            [(r["expected"], r["response_key"]) for r in faq]
        ),
        "faq_answer_accuracy": _ratio(sum(r["predicted"] == r["expected"] for r in faq), len(faq)),
        "faq_messages": len(faq),
        "out_of_scope_recall": out_of_scope_recall(pairs),
        "strict_out_of_scope_recall": strict_out_of_scope_recall(pairs),
        "out_of_scope_messages": sum(base_intent(e) == OUT_OF_SCOPE for e, _ in pairs),
        "per_intent": per_intent_scores(pairs),
        "entities": entities,
        "extracts_entities": any(r["predicted_entities"] for r in records),
        "misclassified": sum(is_misclassified(r) for r in records),
    }


# --------------------------------------------------------------------------- running


class StepFailed(RuntimeError):
    pass


def run_logged(args: List[str], log: Path, what: str, shown: str | None = None) -> float:
    """Run a command with its (large) output in a log file; seconds taken."""
    log.parent.mkdir(parents=True, exist_ok=True)
    shown = shown or " ".join(_relative(a) for a in args)
    print(f"  $ {shown}\n    (log: {_relative(log)})", flush=True)
    started = time.monotonic()
    with open(log, "wb") as handle:
        code = subprocess.call(
            args, cwd=ROOT, env={**os.environ, **QUIET_ENV}, stdout=handle, stderr=subprocess.STDOUT
        )
    seconds = time.monotonic() - started
    if code != 0:
        tail = log.read_text(errors="replace").splitlines()[-25:]
        raise StepFailed(f"{what} failed (exit {code}); end of {log}:\n" + "\n".join(tail))
    return seconds


def _relative(value: Any) -> str:
    text = str(value)
    for prefix, short in ((str(ROOT) + "/", ""), (str(BIN) + "/", ".venv/bin/")):
        if text.startswith(prefix):
            return short + text[len(prefix) :]
    return text


def load_heldout(path: Path) -> List[Dict[str, Any]]:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        examples.append(
            {
                "text": message.get("text"),
                "expected": message.get("intent_response_key") or message.get("intent"),
                "gold_entities": sorted(
                    [e["entity"], e["start"], e["end"], e.get("value")]
                    for e in message.get("entities") or []
                ),
            }
        )
    return examples


def selected_response(parse: Dict[str, Any]) -> Tuple[str | None, float | None]:
    selectors = parse.get("response_selector") or {}
    selector = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    response = selector.get("response") or {}
    return response.get("intent_response_key"), response.get("confidence")


def quiet_rasa_logs() -> None:
    """Rasa logs every parse at debug level through structlog; keep warnings only."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    for name in ("", "rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)


async def parse_messages(model: Path, examples: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Parse every example with the loaded model; one record per message."""
    with warnings.catch_warnings():  # import-time deprecation noise of rasa's dependencies
        warnings.simplefilter("ignore")
        from rasa.core.agent import Agent

        quiet_rasa_logs()
        agent = Agent.load(str(model))
    records = []
    for example in examples:
        parse = await agent.parse_message(example["text"])
        intent = parse.get("intent") or {}
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
        top = ranking[0] if ranking else {}
        key, key_confidence = selected_response(parse)
        records.append(
            {
                **example,
                "predicted_intent": intent.get("name"),
                "confidence": intent.get("confidence"),
                # the best intent of the classifiers, before the FallbackClassifier
                "classifier_intent": top.get("name"),
                "classifier_confidence": top.get("confidence"),
                "response_key": key,
                "response_confidence": key_confidence,
                "predicted": full_prediction(intent.get("name"), key),
                "predicted_entities": sorted(
                    [e["entity"], e["start"], e["end"], e.get("value"), e.get("extractor")]
                    for e in parse.get("entities") or []
                    if e.get("entity") in ENTITY_LABELS
                ),
            }
        )
    del agent
    return records


def rasa_report_summary(directory: Path) -> Dict[str, Any]:
    """Headline numbers from the reports `rasa test nlu` wrote (cross-check)."""
    summary: Dict[str, Any] = {}

    def load(name: str) -> Dict[str, Any] | None:
        path = directory / name
        return json.loads(path.read_text()) if path.exists() else None

    def labels(report: Dict[str, Any]) -> Dict[str, Any]:
        skip = {"accuracy", "macro avg", "weighted avg", "micro avg"}
        return {k: v for k, v in report.items() if k not in skip and isinstance(v, dict)}

    intents = load("intent_report.json")
    if intents:
        rows = {k: v for k, v in labels(intents).items() if v.get("support", 0) > 0}
        summary["intent_accuracy"] = intents.get("accuracy")
        if summary["intent_accuracy"] is None:  # sklearn's "micro avg" when labels differ
            summary["intent_accuracy"] = (intents.get("micro avg") or {}).get("f1-score")
        summary["intent_macro_f1_rasa"] = (intents.get("macro avg") or {}).get("f1-score")
        summary["intent_macro_f1_expected_labels"] = (
            sum(v["f1-score"] for v in rows.values()) / len(rows) if rows else None
        )
    responses = load("response_selection_report.json")
    if responses:
        summary["response_selection_accuracy"] = responses.get("accuracy")
        if summary["response_selection_accuracy"] is None:
            summary["response_selection_accuracy"] = (responses.get("micro avg") or {}).get(
                "f1-score"
            )
    for path in sorted(directory.glob("*Extractor_report.json")) + sorted(
        directory.glob("DIETClassifier_report.json")
    ):
        report = json.loads(path.read_text())
        extractor = path.name[: -len("_report.json")]
        summary.setdefault("entities", {})[extractor] = {
            label: report[label]["f1-score"] for label in ENTITY_LABELS if label in report
        } | {
            "micro avg f1 (all labels)": (report.get("micro avg") or {}).get("f1-score"),
        }
    return summary


CV_LINE = re.compile(r"\b(train|test) (Accuracy|F1-score|Precision): ([0-9.]+) \(([0-9.]+)\)")


def cross_validation_fold_stats(log: Path) -> Dict[str, Dict[str, str]]:
    """Mean (std) over folds as Rasa logs them after a cross-validation."""
    stats: Dict[str, Dict[str, str]] = defaultdict(dict)
    section = None
    for line in log.read_text(errors="replace").splitlines():
        if "Intent evaluation results" in line and "Accumulated" not in line:
            section = "intent"
        elif "Entity extractor: " in line:
            section = "entities " + line.split("Entity extractor: ", 1)[1].strip()
        elif "Response Selection evaluation results" in line and "Accumulated" not in line:
            section = "response selection"
        match = CV_LINE.search(line)
        if match and section:
            dataset, metric, mean, std = match.groups()
            stats[f"{section} ({dataset})"][metric] = f"{float(mean):.3f} ± {float(std):.3f}"
    return dict(stats)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def newest_training_input() -> Tuple[float, str]:
    paths = [PROJECT_CONFIG, ROOT / "domain.yml", *TRAINING_DATA.rglob("*.yml")]
    newest = max(paths, key=lambda p: p.stat().st_mtime)
    return newest.stat().st_mtime, _relative(newest)


# --------------------------------------------------------------------------- report


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value >= target else "FAIL"


def project_ahead(project: Dict[str, Any], baseline: Dict[str, Any]) -> Tuple[bool, List[str]]:
    """Ahead = not worse on any compared metric and better on at least one."""
    deltas, deltas_of = [], []
    for metric in COMPARED_METRICS:
        p, b = project.get(metric), baseline.get(metric)
        if p is not None and b is not None:
            deltas.append(p - b)
            deltas_of.append(metric)
    ahead = bool(deltas) and all(d >= 0 for d in deltas) and any(d > 0 for d in deltas)
    return ahead, [f"{m}: {fmt(project.get(m))} vs {fmt(baseline.get(m))}" for m in deltas_of]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def misclassified_table(records: Sequence[Dict[str, Any]]) -> List[str]:
    wrong = [r for r in records if is_misclassified(r)]
    if not wrong:
        return ["None: every held-out message got the expected intent (and FAQ answer)."]
    by_intent: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for record in wrong:
        by_intent[base_intent(record["expected"])].append(record)
    lines = []
    for intent in sorted(by_intent, key=lambda i: (-len(by_intent[i]), i)):
        rows = by_intent[intent]
        lines += [
            f"**{intent}** ({len(rows)})",
            "",
            "| message | expected | predicted | confidence | classifier's top intent |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in rows:
            top = f"{r['classifier_intent']} ({fmt(r['classifier_confidence'], 2)})"
            confidence = r["response_confidence"] if "/" in r["predicted"] else r["confidence"]
            lines.append(
                f"| {_md_escape(r['text'])} | {r['expected']} | {r['predicted']} | "
                f"{fmt(confidence, 2)} | {top} |"
            )
        lines.append("")
    return lines


def entity_error_lines(records: Sequence[Dict[str, Any]], limit: int = 40) -> List[str]:
    rows = []
    for r in records:
        gold = {tuple(e[:3]): e for e in r["gold_entities"] if e[0] in ENTITY_LABELS}
        predicted = {tuple(e[:3]): e for e in r["predicted_entities"]}
        if set(gold) == set(predicted):
            continue
        missed = ", ".join(f"{e[3]} ({e[0]})" for k, e in gold.items() if k not in predicted)
        spurious = ", ".join(f"{e[3]} ({e[0]})" for k, e in predicted.items() if k not in gold)
        rows.append(f"| {_md_escape(r['text'])} | {missed or '-'} | {spurious or '-'} |")
    if not rows:
        return ["None."]
    head = ["| message | gold span not found | predicted span not in gold |", "| --- | --- | --- |"]
    more = ["", f"... and {len(rows) - limit} more (all in the JSON)."] if len(rows) > limit else []
    return head + rows[:limit] + more


def write_report(result: Dict[str, Any], out: Path) -> Path:
    project, baseline = result["project"]["metrics"], result["baseline"]["metrics"]
    ahead, _ = project_ahead(project, baseline)
    quick = result["quick"]
    lines = [
        "# NLU evaluation: project pipeline vs `rasa init` baseline",
        "",
        f"Generated by `scripts/evaluate.py` on {result['date']} "
        f"({'QUICK run: cross-validation skipped' if quick else 'full run'}; "
        f"took {result['duration_seconds'] / 60:.1f} min). "
        "Every number below was computed in that run; nothing is copied by hand.",
        "",
        "## Machine",
        "",
        machine_lines(result["machine"]),
        "",
        "## What was measured",
        "",
        f"- Held-out set: `{_relative(result['heldout'])}`, {project['messages']} messages "
        f"({len(project['per_intent'])} intents; {project['faq_messages']} faq/* messages, "
        f"{project['out_of_scope_messages']} out_of_scope), written apart from `data/` "
        "and never trained on.",
        f"- Project: pipeline of `config.yml`, model `{result['project']['model_label']}` "
        f"(sha256 {result['project']['model_sha256'][:12]}, built "
        f"{result['project']['model_time']}).",
    ]
    if result["project"].get("stale_note"):
        lines.append(f"  - **Note:** {result['project']['stale_note']}")
    lines += [
        f"- Baseline: the stock `rasa init` NLU pipeline (`bench/baseline_config.yml`), "
        f"{result['baseline']['model_label']}. It has no random seed (like `rasa init`), so its "
        "numbers move a little from run to run.",
        "",
        "## Results on the held-out set",
        "",
        "| metric | target | project | baseline | project − baseline | project vs target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    rows = [
        ("intent accuracy", "intent_accuracy"),
        ("intent macro F1", "intent_macro_f1"),
        ("response-selection accuracy (faq/*)", "response_selection_accuracy"),
        ("out-of-scope recall (no article answer)", "out_of_scope_recall"),
    ]
    for label, key in rows:
        target = TARGETS.get(key)
        p, b = project.get(key), baseline.get(key)
        delta = f"{p - b:+.3f}" if p is not None and b is not None else "n/a"
        lines.append(
            f"| {label} | {'≥ ' + fmt(target, 2) if target else '-'} | {fmt(p)} | {fmt(b)} | "
            f"{delta} | {verdict(p, target) if target else '-'} |"
        )
    pe, be = project["entities"]["all"], baseline["entities"]["all"]
    if baseline["extracts_entities"]:
        baseline_entities, entity_delta = fmt(be["f1"]), f"{pe['f1'] - be['f1']:+.3f}"
    else:
        baseline_entities, entity_delta = "n/a (none extracted)", "n/a"
    lines += [
        f"| entity F1, injury/condition/medication (exact span, micro) | - | {fmt(pe['f1'])} | "
        f"{baseline_entities} | {entity_delta} | - |",
        "",
        "Further detail (not targets):",
        "",
        "| metric | project | baseline |",
        "| --- | --- | --- |",
        f"| FAQ answered right end to end (intent faq **and** right key, of faq/* messages) | "
        f"{fmt(project['faq_answer_accuracy'])} | {fmt(baseline['faq_answer_accuracy'])} |",
        f"| strict out-of-scope recall (predicted out_of_scope or nlu_fallback) | "
        f"{fmt(project['strict_out_of_scope_recall'])} | "
        f"{fmt(baseline['strict_out_of_scope_recall'])} |",
        f"| intent accuracy of the classifiers before the fallback threshold | "
        f"{fmt(project['classifier_intent_accuracy'])} | "
        f"{fmt(baseline['classifier_intent_accuracy'])} |",
        f"| share of messages sent to nlu_fallback | {fmt(project['fallback_rate'])} | "
        f"{fmt(baseline['fallback_rate'])} |",
        f"| misclassified messages (wrong intent or wrong FAQ answer) | "
        f"{project['misclassified']} | {baseline['misclassified']} |",
        "",
        "## Targets",
        "",
    ]
    for label, key in rows:
        if key in TARGETS:
            lines.append(
                f"- {verdict(project.get(key), TARGETS[key])}: {label} ≥ {TARGETS[key]:.2f} "
                f"(measured {fmt(project.get(key))})"
            )
    lines += [
        f"- {'PASS' if ahead else 'FAIL'}: project ahead of baseline (not worse on intent "
        "accuracy, macro F1, response-selection accuracy and out-of-scope recall, better on "
        "at least one)",
        "",
        "## Cross-check with Rasa's own reports (`rasa test nlu`, same held-out set)",
        "",
        "`rasa test nlu` turns every nlu_fallback prediction back into the classifier's "
        "best intent before scoring (`undo_fallback_prediction` in rasa/nlu/test.py), so "
        "its intent numbers (and its confusion matrices) match our *before the fallback "
        "threshold* line, not the headline, which counts what the served assistant "
        "does. Its response-selection numbers are directly comparable.",
        "",
        "| | project | baseline |",
        "| --- | --- | --- |",
    ]
    rp, rb = result["project"]["rasa_test"], result["baseline"]["rasa_test"]
    lines.append(
        "| ours: intent accuracy before the fallback threshold | "
        f"{fmt(project['classifier_intent_accuracy'])} | "
        f"{fmt(baseline['classifier_intent_accuracy'])} |"
    )
    for label, key in (
        ("intent accuracy (intent_report.json)", "intent_accuracy"),
        ("macro F1 over expected intents (intent_report.json)", "intent_macro_f1_expected_labels"),
        ("macro avg F1 as Rasa reports it", "intent_macro_f1_rasa"),
        ("response-selection accuracy (response_selection_report.json)",
         "response_selection_accuracy"),
    ):  # fmt: skip
        lines.append(f"| {label} | {fmt(rp.get(key))} | {fmt(rb.get(key))} |")
    for name, summary in (("project", rp), ("baseline", rb)):
        for extractor, f1s in (summary.get("entities") or {}).items():
            per_label = ", ".join(f"{k} {fmt(v)}" for k, v in f1s.items())
            lines.append(
                f"| entity F1 of {extractor} (token level, Rasa) | "
                f"{per_label if name == 'project' else ''} | "
                f"{per_label if name == 'baseline' else ''} |"
            )
    lines += [
        "",
        "## Cross-validation of the project pipeline (5 folds on data/)",
        "",
    ]
    cv = result.get("cross_validation")
    if not cv:
        lines.append("Not measured in this run (--quick). Run `make evaluate` for it.")
    else:
        lines += [
            f"`rasa test nlu --cross-validation --folds {cv['folds']}` on the training data "
            f"(took {cv['seconds'] / 60:.1f} min). Accumulated test folds:",
            "",
            f"- intent accuracy {fmt(cv['report'].get('intent_accuracy'))}, macro F1 over "
            f"intents {fmt(cv['report'].get('intent_macro_f1_expected_labels'))}",
            f"- response-selection accuracy {fmt(cv['report'].get('response_selection_accuracy'))}",
        ]
        for extractor, f1s in (cv["report"].get("entities") or {}).items():
            lines.append(
                f"- entity F1 of {extractor} (token level): "
                + ", ".join(f"{k} {fmt(v)}" for k, v in f1s.items())
            )
        if cv.get("fold_stats"):
            lines += ["", "Mean ± standard deviation over the folds, as Rasa logs them:", ""]
            lines += ["| | Accuracy | F1-score | Precision |", "| --- | --- | --- | --- |"]
            for section, values in cv["fold_stats"].items():
                lines.append(
                    f"| {section} | {values.get('Accuracy', '')} | {values.get('F1-score', '')} | "
                    f"{values.get('Precision', '')} |"
                )
        lines += ["", f"Rasa's reports: `{_relative(cv['dir'])}/`."]
    lines += [
        "",
        "## Per intent (held-out set)",
        "",
        "| intent | support | project recall | project F1 | baseline recall | baseline F1 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for intent, s in project["per_intent"].items():
        b = baseline["per_intent"].get(intent, {})
        lines.append(
            f"| {intent} | {s['support']} | {fmt(s['recall'], 2)} | {fmt(s['f1'], 2)} | "
            f"{fmt(b.get('recall'), 2)} | {fmt(b.get('f1'), 2)} |"
        )
    lines += [
        "",
        "## Entities (held-out set, exact span and label)",
        "",
        "| label | support | project P | project R | project F1 | baseline P | baseline R | "
        "baseline F1 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label in (*ENTITY_LABELS, "all"):
        s, b = project["entities"][label], baseline["entities"][label]
        shown_b = (
            [fmt(b["precision"]), fmt(b["recall"]), fmt(b["f1"])]
            if baseline["extracts_entities"]
            else ["n/a"] * 3
        )
        lines.append(
            f"| {label} | {s['support']} | {fmt(s['precision'])} | {fmt(s['recall'])} | "
            f"{fmt(s['f1'])} | " + " | ".join(shown_b) + " |"
        )
    lines += [
        "",
        "The project extracts entities with the clinic's spaCy entity ruler "
        "(SpacyEntityExtractor); the baseline's DIETClassifier learns them from the "
        "annotations in data/ (entity_recognition is on by default). body_part and "
        "red_flag entities are not scored (the held-out set does not annotate them); an "
        "injury the project labels body_part counts as a missed injury.",
        "",
        "## Confusion matrices",
        "",
    ]
    for name, picture in result["pictures"].items():
        lines += [f"{name}:", "", f"![{name}]({picture})", ""]
    lines += [
        "## How the numbers are computed",
        "",
        "Each held-out message is parsed by the loaded model "
        "(`Agent.load(model)`, `await agent.parse_message(text)`), exactly as the server "
        "parses it, FallbackClassifier included.",
        "",
        "- intent accuracy: predicted intent = expected intent (faq/* → faq; nlu_fallback is "
        "wrong). Macro F1: mean F1 of the expected intents.",
        "- response-selection accuracy: of the faq/* messages, the ResponseSelector's "
        "selected key equals the expected key (whatever the intent). "
        '"FAQ answered right end to end" also requires intent faq.',
        "- out-of-scope recall: of the out_of_scope messages, the share whose predicted intent "
        "is not faq, ask_indication or ask_contraindication (nlu_fallback and other "
        "non-article intents count as success).",
        "- entities: a predicted injury/condition/medication counts only with the gold label "
        "and exact character span.",
        "- project ahead of baseline: not worse on any of intent accuracy, macro F1, "
        "response-selection accuracy, out-of-scope recall and better on at least one.",
        "",
        "## Commands",
        "",
        "Reproduce with `make evaluate` (or `.venv/bin/python scripts/evaluate.py "
        "[--quick] [--out DIR]`). This run executed:",
        "",
        "```",
        *result["commands"],
        "```",
        "",
        "Raw predictions of both models: `nlu_evaluation.json`; Rasa's reports: `nlu/`.",
        "",
        "## Appendix A: misclassified held-out messages, project",
        "",
        "Grouped by expected intent. *confidence* is the intent confidence (for a faq/* "
        "prediction, the response key's confidence); the last column is the classifiers' "
        "best intent before the fallback threshold.",
        "",
        *misclassified_table(result["project"]["records"]),
        "## Appendix B: misclassified held-out messages, baseline (counts)",
        "",
    ]
    counts = Counter(
        base_intent(r["expected"]) for r in result["baseline"]["records"] if is_misclassified(r)
    )
    lines += [
        "| expected intent | misclassified |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in counts.most_common()],
        "",
        "## Appendix C: entity differences, project",
        "",
        *entity_error_lines(result["project"]["records"]),
        "",
    ]
    path = out / "NLU_EVALUATION.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the cross-validation (a few minutes instead of ~20); held-out results "
        "are the same as a full run's, the report says it was quick",
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (5)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="report directory")
    parser.add_argument("--model", type=Path, default=PROJECT_MODEL, help="project model")
    parser.add_argument(
        "--baseline-model",
        type=Path,
        help="use this already trained baseline model instead of training one",
    )
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="held-out NLU test set")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    logs = out / "tmp" / "evaluate-logs"
    rasa = str(BIN / "rasa")
    commands: List[str] = []
    result: Dict[str, Any] = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine_info(),
        "quick": args.quick,
        "heldout": str(args.heldout.resolve()),
        "targets": TARGETS,
    }

    temp_dirs: List[str] = []

    def step(command: List[str], log_name: str, what: str) -> float:
        shown = " ".join(_relative(a) for a in command)
        for temp_dir in temp_dirs:
            shown = shown.replace(temp_dir, "$TMP")
        commands.append(shown)
        return run_logged(command, logs / log_name, what, shown)

    with tempfile.TemporaryDirectory(prefix="nlu-eval-") as tmp_name:
        tmp = Path(tmp_name)
        temp_dirs.append(tmp_name)
        # 1. The project's model: a private copy, so a retrain meanwhile cannot swap it.
        print("[1/5] Project model", flush=True)
        project: Dict[str, Any] = {}
        if args.model.exists():
            project_model = tmp / "project.tar.gz"
            shutil.copy2(args.model, project_model)
            commands.append(f"cp {_relative(args.model.resolve())} $TMP/project.tar.gz")
            model_mtime = args.model.stat().st_mtime
            project["model_label"] = _relative(args.model.resolve())
            newest, newest_name = newest_training_input()
            if args.model.resolve() == PROJECT_MODEL and newest > model_mtime:
                project["stale_note"] = (
                    f"the model is older than {newest_name}; `make evaluate` retrains it first "
                    "(via `make setup`), running the script directly does not."
                )
        else:
            print(f"  {_relative(args.model)} is missing: training the NLU part in a temp dir")
            project["train_seconds"] = step(
                [rasa, "train", "nlu", "--config", str(PROJECT_CONFIG),
                 "--nlu", str(TRAINING_DATA), "--out", str(tmp), "--fixed-model-name", "project"],
                "train_project_nlu.log", "training the project's NLU model",
            )  # fmt: skip
            project_model = tmp / "project.tar.gz"
            model_mtime = project_model.stat().st_mtime
            project["model_label"] = "trained in this run (`rasa train nlu`, config.yml)"
        project["model_sha256"] = sha256(project_model)
        project["model_time"] = dt.datetime.fromtimestamp(model_mtime).strftime("%Y-%m-%d %H:%M")

        # 2. The baseline, trained on the same data.
        print("[2/5] Baseline model (stock rasa init pipeline)", flush=True)
        baseline: Dict[str, Any] = {}
        if args.baseline_model:
            baseline_model = args.baseline_model.resolve()
            baseline["model_label"] = f"model given with --baseline-model ({baseline_model.name})"
        else:
            baseline["train_seconds"] = step(
                [rasa, "train", "nlu", "--config", str(BASELINE_CONFIG),
                 "--nlu", str(TRAINING_DATA), "--out", str(tmp), "--fixed-model-name", "baseline"],
                "train_baseline_nlu.log", "training the baseline",
            )  # fmt: skip
            baseline_model = tmp / "baseline.tar.gz"
            baseline["model_label"] = (
                f"trained in this run on data/ (`rasa train nlu`, "
                f"{baseline['train_seconds']:.0f} s)"
            )
        baseline["model_sha256"] = sha256(baseline_model)

        # 3. Rasa's own held-out evaluation of both (reports, confusion matrices).
        print("[3/5] rasa test nlu on the held-out set", flush=True)
        for name, model, info in (
            ("project", project_model, project),
            ("baseline", baseline_model, baseline),
        ):
            report_dir = out / "nlu" / name / "heldout"
            shutil.rmtree(report_dir, ignore_errors=True)
            info["rasa_test_seconds"] = step(
                [rasa, "test", "nlu", "--nlu", str(args.heldout.resolve()), "--model", str(model),
                 "--out", str(report_dir)],
                f"test_{name}_heldout.log", f"rasa test nlu ({name})",
            )  # fmt: skip
            info["rasa_test"] = rasa_report_summary(report_dir)
            info["rasa_test_dir"] = _relative(report_dir)

        # 4. Every held-out message parsed by each model; our metrics from those.
        print("[4/5] Parsing the held-out messages with each model", flush=True)
        examples = load_heldout(args.heldout)
        for name, model, info in (
            ("project", project_model, project),
            ("baseline", baseline_model, baseline),
        ):
            parse_started = time.monotonic()
            info["records"] = asyncio.run(parse_messages(model, examples))
            info["parse_seconds"] = time.monotonic() - parse_started
            info["metrics"] = score(info["records"])
            print(
                f"  {name}: intent accuracy {fmt(info['metrics']['intent_accuracy'])}, "
                f"{info['metrics']['misclassified']} misclassified",
                flush=True,
            )
        commands.append(
            "# plus, in this process, for each model: Agent.load(model) and "
            "await agent.parse_message(text) for every held-out message"
        )

    # 5. Cross-validation of the project's pipeline on the training data.
    if args.quick:
        print("[5/5] Cross-validation skipped (--quick)", flush=True)
        result["cross_validation"] = None
    else:
        print(f"[5/5] {args.folds}-fold cross-validation (long: ~2 min per fold)", flush=True)
        cv_dir = out / "nlu" / "project" / "cross_validation"
        shutil.rmtree(cv_dir, ignore_errors=True)
        seconds = step(
            [rasa, "test", "nlu", "--nlu", str(TRAINING_DATA), "--config", str(PROJECT_CONFIG),
             "--cross-validation", "--folds", str(args.folds), "--out", str(cv_dir)],
            "cross_validation.log", "cross-validation",
        )  # fmt: skip
        result["cross_validation"] = {
            "folds": args.folds,
            "seconds": seconds,
            "dir": str(cv_dir),
            "report": rasa_report_summary(cv_dir),
            "fold_stats": cross_validation_fold_stats(logs / "cross_validation.log"),
        }

    # Pictures next to the report.
    pictures = {}
    for name in ("project", "baseline"):
        source = out / "nlu" / name / "heldout" / "intent_confusion_matrix.png"
        if source.exists():
            target = out / f"nlu_confusion_{name}.png"
            shutil.copy2(source, target)
            pictures[f"Intent confusion matrix, {name} (rasa test nlu, fallback undone)"] = (
                target.name
            )
    source = out / "nlu" / "project" / "heldout" / "response_selection_confusion_matrix.png"
    if source.exists():
        shutil.copy2(source, out / "nlu_response_selection_confusion_project.png")
        pictures["Response-selection confusion matrix, project"] = (
            "nlu_response_selection_confusion_project.png"
        )

    result.update(
        project=project,
        baseline=baseline,
        pictures=pictures,
        commands=commands,
        duration_seconds=time.monotonic() - started,
    )
    result["machine"]["load_average_at_end"] = load_average()
    report = write_report(result, out)
    (out / "nlu_evaluation.json").write_text(json.dumps(result, indent=1, default=str))
    print_summary(result, report)
    return 0


def print_summary(result: Dict[str, Any], report: Path) -> None:
    project, baseline = result["project"]["metrics"], result["baseline"]["metrics"]
    ahead, _ = project_ahead(project, baseline)
    print(f"\nNLU evaluation ({'quick' if result['quick'] else 'full'}): {_relative(report)}")
    print(f"{'metric':40} {'project':>8} {'baseline':>9}  target")
    for label, key in (
        ("intent accuracy", "intent_accuracy"),
        ("intent macro F1", "intent_macro_f1"),
        ("response-selection accuracy", "response_selection_accuracy"),
        ("out-of-scope recall", "out_of_scope_recall"),
    ):
        target = TARGETS.get(key)
        mark = f">= {target:.2f} {verdict(project.get(key), target)}" if target else ""
        print(f"{label:40} {fmt(project.get(key)):>8} {fmt(baseline.get(key)):>9}  {mark}")
    be = fmt(baseline["entities"]["all"]["f1"]) if baseline["extracts_entities"] else "n/a"
    print(f"{'entity F1 (injury/condition/medication)':40} "
          f"{fmt(project['entities']['all']['f1']):>8} {be:>9}")  # fmt: skip
    print(f"project ahead of baseline: {'PASS' if ahead else 'FAIL'}")
    print(f"misclassified held-out messages: project {project['misclassified']}, "
          f"baseline {baseline['misclassified']} (listed in the report's appendix)")  # fmt: skip
    cv = result.get("cross_validation")
    if cv:
        print(f"cross-validation ({cv['folds']} folds): intent accuracy "
              f"{fmt(cv['report'].get('intent_accuracy'))}, response selection "
              f"{fmt(cv['report'].get('response_selection_accuracy'))}")  # fmt: skip
    else:
        print("cross-validation: skipped (--quick)")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StepFailed as failure:
        print(f"\n{failure}", file=sys.stderr)
        sys.exit(1)
