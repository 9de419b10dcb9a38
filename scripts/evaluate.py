"""`make evaluate`: how well the assistant understands runners, against a baseline.

Scores the project's NLU pipeline (config.yml, the trained model
models/dry-needling.tar.gz) and the stock `rasa init` pipeline
(bench/baseline_config.yml, trained here on the same data/) on the held-out
test sets tests/nlu/heldout*.yml, which are never trained on. Everything is
measured in this run:

1. `rasa test nlu` on each held-out set for both models (Rasa's own reports and
   confusion-matrix pictures under <out>/nlu/{project,baseline}/<set>/);
2. every held-out message parsed by each loaded model
   (`Agent.load(model)`, `await agent.parse_message(text)`), and the metrics
   below computed from those parse results, including nlu_fallback;
3. unless --quick: 5-fold cross-validation of the project's pipeline on data/
   (`rasa test nlu --cross-validation`, about 3 minutes per fold).

Writes <out>/NLU_EVALUATION.md (default out: reports/), <out>/nlu_evaluation.json
with every prediction, and copies of the confusion matrices. Rasa's own logs go to
<out>/tmp/evaluate-logs/.

Metrics (each model, each held-out set):
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


def normalized(text: str) -> str:
    """Lower case, punctuation and repeated spaces removed: to spot copies."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def training_examples() -> List[Any]:
    """The NLU examples of data/ (stories and rules files skipped)."""
    import yaml
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(TRAINING_DATA.rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(content, dict) and content.get("nlu"):
            examples += load_data(str(path)).intent_examples
    return examples


def training_texts() -> set:
    return {normalized(m.get("text") or "") for m in training_examples()}


def examples_per_intent() -> Dict[str, int]:
    """Training examples per intent (faq/* counted per response key)."""
    return dict(
        Counter(m.get("intent_response_key") or m.get("intent") for m in training_examples())
    )


def load_heldout(path: Path, seen: set) -> List[Dict[str, Any]]:
    """The test messages; in_training marks those that also appear in data/."""
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
                "in_training": normalized(message.get("text") or "") in seen,
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


async def parse_messages(
    model: Path, test_sets: Dict[str, Sequence[Dict[str, Any]]]
) -> Dict[str, List[Dict[str, Any]]]:
    """Parse every example of every set with the loaded model; one record per message."""
    with warnings.catch_warnings():  # import-time deprecation noise of rasa's dependencies
        warnings.simplefilter("ignore")
        from rasa.core.agent import Agent

        quiet_rasa_logs()
        agent = Agent.load(str(model))
    return {name: await _parse_all(agent, examples) for name, examples in test_sets.items()}


async def _parse_all(agent: Any, examples: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
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
    for path in sorted(directory.glob("*_report.json")):
        if path.name in ("intent_report.json", "response_selection_report.json"):
            continue
        report = json.loads(path.read_text())
        extractor = path.name[: -len("_report.json")]
        if extractor == "SafetyClassifier" or not any(label in report for label in ENTITY_LABELS):
            continue  # it only adds red_flag entities: its zeros for the others mean nothing
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


def tuning_notes(test_set: Path) -> List[str]:
    """Lines of config.yml that mention the test set (e.g. a threshold tuned on it)."""
    name = test_set.name
    return [
        line.strip()
        for line in PROJECT_CONFIG.read_text(encoding="utf-8").splitlines()
        if name in line
    ]


# --------------------------------------------------------------------------- report

RESULT_ROWS = (
    ("intent accuracy", "intent_accuracy"),
    ("intent macro F1", "intent_macro_f1"),
    ("response-selection accuracy (faq/*)", "response_selection_accuracy"),
    ("out-of-scope recall (no article answer)", "out_of_scope_recall"),
)


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value >= target else "FAIL"


def project_ahead(project: Dict[str, Any], baseline: Dict[str, Any]) -> Tuple[bool, List[str]]:
    """Ahead = not worse on any compared metric and better on at least one."""
    deltas, compared = [], []
    for metric in COMPARED_METRICS:
        p, b = project.get(metric), baseline.get(metric)
        if p is not None and b is not None:
            deltas.append(p - b)
            compared.append(metric)
    ahead = bool(deltas) and all(d >= 0 for d in deltas) and any(d > 0 for d in deltas)
    return ahead, [f"{m}: {fmt(project.get(m))} vs {fmt(baseline.get(m))}" for m in compared]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def misclassified_table(records: Sequence[Dict[str, Any]]) -> List[str]:
    wrong = [r for r in records if is_misclassified(r)]
    if not wrong:
        return ["None: every message got the expected intent (and FAQ answer).", ""]
    by_intent: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for record in wrong:
        by_intent[base_intent(record["expected"])].append(record)
    lines = []
    for intent in sorted(by_intent, key=lambda i: (-len(by_intent[i]), i)):
        rows = by_intent[intent]
        lines += [
            f"**{intent}** ({len(rows)})",
            "",
            "| message | expected | predicted | confidence | classifiers' best intent |",
            "| --- | --- | --- | --- | --- |",
        ]
        for r in rows:
            top = f"{r['classifier_intent']} ({fmt(r['classifier_confidence'], 2)})"
            confidence = r["response_confidence"] if "/" in r["predicted"] else r["confidence"]
            copy = " *(also in data/)*" if r.get("in_training") else ""
            lines.append(
                f"| {_md_escape(r['text'])}{copy} | {r['expected']} | {r['predicted']} | "
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


def results_table(project: Dict[str, Any], baseline: Dict[str, Any]) -> List[str]:
    lines = [
        "| metric | target | project | baseline | project − baseline | project vs target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, key in RESULT_ROWS:
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
    lines.append(
        f"| entity F1, injury/condition/medication (exact span, micro) | - | {fmt(pe['f1'])} | "
        f"{baseline_entities} | {entity_delta} | - |"
    )
    return lines


def detail_table(test_set: Dict[str, Any]) -> List[str]:
    project, baseline = test_set["project"]["metrics"], test_set["baseline"]["metrics"]
    unseen_p = test_set["project"]["metrics_unseen"]
    unseen_b = test_set["baseline"]["metrics_unseen"]
    rows = [
        ("FAQ answered right end to end (intent faq **and** right key, of faq/* messages)",
         "faq_answer_accuracy"),
        ("strict out-of-scope recall (predicted out_of_scope or nlu_fallback)",
         "strict_out_of_scope_recall"),
        ("intent accuracy of the classifiers before the fallback threshold",
         "classifier_intent_accuracy"),
        ("share of messages sent to nlu_fallback", "fallback_rate"),
    ]  # fmt: skip
    lines = ["| metric | project | baseline |", "| --- | --- | --- |"]
    lines += [f"| {label} | {fmt(project[k])} | {fmt(baseline[k])} |" for label, k in rows]
    lines.append(
        f"| misclassified messages (wrong intent or wrong FAQ answer) | "
        f"{project['misclassified']} | {baseline['misclassified']} |"
    )
    if unseen_p:
        lines.append(
            f"| intent accuracy on the {unseen_p['messages']} messages not also in data/ | "
            f"{fmt(unseen_p['intent_accuracy'])} | {fmt(unseen_b['intent_accuracy'])} |"
        )
    return lines


def set_section(test_set: Dict[str, Any]) -> List[str]:
    project, baseline = test_set["project"]["metrics"], test_set["baseline"]["metrics"]
    ahead, _ = project_ahead(project, baseline)
    lines = [
        f"## Results on {test_set['name']}",
        "",
        f"`{test_set['path']}`: {project['messages']} messages, {len(project['per_intent'])} "
        f"intents ({project['faq_messages']} faq/* messages, "
        f"{project['out_of_scope_messages']} out_of_scope). "
        f"{test_set['in_training']} of them also appear in data/ (same words after lower-casing "
        "and removing punctuation).",
        "",
    ]
    for note in test_set["tuning_notes"]:
        lines += [
            f"**Caution:** config.yml mentions this set (`{note}`): a set something was tuned "
            "on is a development set, and its scores flatter the model.",
            "",
        ]
    lines += [*results_table(project, baseline), "", "Further detail (not targets):", ""]
    lines += [*detail_table(test_set), "", "Targets:", ""]
    for label, key in RESULT_ROWS:
        if key in TARGETS:
            lines.append(
                f"- {verdict(project.get(key), TARGETS[key])}: {label} ≥ {TARGETS[key]:.2f} "
                f"(measured {fmt(project.get(key))})"
            )
    lines += [
        f"- {'PASS' if ahead else 'FAIL'}: project ahead of baseline",
        "",
        "Cross-check with Rasa's own reports (`rasa test nlu` on the same set):",
        "",
        "| | project | baseline |",
        "| --- | --- | --- |",
        "| ours: intent accuracy before the fallback threshold | "
        f"{fmt(project['classifier_intent_accuracy'])} | "
        f"{fmt(baseline['classifier_intent_accuracy'])} |",
    ]
    rp, rb = test_set["project"]["rasa_test"], test_set["baseline"]["rasa_test"]
    for label, key in (
        ("Rasa: intent accuracy (intent_report.json)", "intent_accuracy"),
        ("Rasa: macro F1 over expected intents", "intent_macro_f1_expected_labels"),
        ("ours: response-selection accuracy", None),
        ("Rasa: response-selection accuracy (response_selection_report.json)",
         "response_selection_accuracy"),
    ):  # fmt: skip
        if key is None:
            lines.append(
                f"| {label} | {fmt(project['response_selection_accuracy'])} | "
                f"{fmt(baseline['response_selection_accuracy'])} |"
            )
        else:
            lines.append(f"| {label} | {fmt(rp.get(key))} | {fmt(rb.get(key))} |")
    for name, summary in (("project", rp), ("baseline", rb)):
        for extractor, f1s in (summary.get("entities") or {}).items():
            per_label = ", ".join(f"{k} {fmt(v)}" for k, v in f1s.items())
            lines.append(
                f"| Rasa: entity F1 of {extractor} (token level) | "
                f"{per_label if name == 'project' else ''} | "
                f"{per_label if name == 'baseline' else ''} |"
            )
    lines += [
        "",
        "`rasa test nlu` drops the predictions of pre-trained extractors "
        "(SpacyEntityExtractor, `PRETRAINED_EXTRACTORS` in rasa/nlu/test.py), so it has no "
        "entity report for the project: the project's entity numbers are ours only.",
        "",
        "Per intent:",
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
        "Entities (exact span and label):",
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
    lines += ["", "Confusion matrices (from `rasa test nlu`, so with the fallback undone):", ""]
    for title, picture in test_set["pictures"].items():
        lines += [f"{title}:", "", f"![{title}]({picture})", ""]
    return lines


def write_report(result: Dict[str, Any], out: Path) -> Path:
    quick = result["quick"]
    project, baseline = result["project"], result["baseline"]
    lines = [
        "# NLU evaluation: project pipeline vs `rasa init` baseline",
        "",
        f"Generated by `scripts/evaluate.py` on {result['date']} "
        f"({'QUICK run: cross-validation skipped' if quick else 'full run'}; "
        f"took {result['duration_seconds'] / 60:.1f} min). Every number below was computed in "
        "that run; nothing is copied by hand.",
        "",
        "## Machine",
        "",
        machine_lines(result["machine"]),
        "",
        "## What was measured",
        "",
        f"- Project: pipeline of `config.yml`, model `{project['model_label']}` "
        f"(sha256 {project['model_sha256'][:12]}, built {project['model_time']}).",
    ]
    if project.get("stale_note"):
        lines.append(f"  - **Note:** {project['stale_note']}")
    lines += [
        f"- Baseline: the stock `rasa init` NLU pipeline (`bench/baseline_config.yml`), "
        f"{baseline['model_label']}. It has no random seed (like `rasa init`), so its "
        "numbers move a little from run to run.",
        "- Test sets (written apart from data/, never trained on): "
        + ", ".join(
            f"`{s['path']}` ({s['project']['metrics']['messages']})" for s in result["sets"]
        ),
        "",
        "## Summary",
        "",
        "| metric | target | "
        + " | ".join(f"{s['name']} project | {s['name']} baseline" for s in result["sets"])
        + " |",
        "| --- | --- | " + " | ".join("--- | ---" for _ in result["sets"]) + " |",
    ]
    for label, key in RESULT_ROWS:
        target = TARGETS.get(key)
        cells = []
        for s in result["sets"]:
            p, b = s["project"]["metrics"].get(key), s["baseline"]["metrics"].get(key)
            mark = f" {verdict(p, target)}" if target else ""
            cells.append(f"{fmt(p)}{mark} | {fmt(b)}")
        lines.append(f"| {label} | {'≥ ' + fmt(target, 2) if target else '-'} | "
                     + " | ".join(cells) + " |")  # fmt: skip
    cells = []
    for s in result["sets"]:
        p, b = s["project"]["metrics"], s["baseline"]["metrics"]
        be = fmt(b["entities"]["all"]["f1"]) if b["extracts_entities"] else "n/a"
        cells.append(f"{fmt(p['entities']['all']['f1'])} | {be}")
    lines.append("| entity F1 (injury/condition/medication) | - | " + " | ".join(cells) + " |")
    cells = []
    for s in result["sets"]:
        ahead, _ = project_ahead(s["project"]["metrics"], s["baseline"]["metrics"])
        cells.append(f"{'PASS' if ahead else 'FAIL'} | ")
    lines.append("| project ahead of baseline | - | " + " | ".join(cells) + " |")
    lines += [
        "",
        "*Project ahead of baseline*: not worse on intent accuracy, macro F1, "
        "response-selection accuracy and out-of-scope recall, and better on at least one.",
        "",
    ]
    for test_set in result["sets"]:
        lines += set_section(test_set)
    lines += ["## Cross-validation of the project pipeline (on data/)", ""]
    cv = result.get("cross_validation")
    if not cv:
        lines.append("Not measured in this run (--quick). Run `make evaluate` for it.")
    else:
        report = cv["report"]
        lines += [
            f"`rasa test nlu --cross-validation --folds {cv['folds']}` on the training data "
            f"(took {cv['seconds'] / 60:.1f} min). Each fold trains on {cv['folds'] - 1}/"
            f"{cv['folds']} of data/ and is scored on the rest; Rasa undoes the fallback here "
            "too, and does not score pre-trained extractors (SpacyEntityExtractor), so there "
            "are no entity numbers. Accumulated test folds:",
            "",
            f"- intent accuracy {fmt(report.get('intent_accuracy'))}, macro F1 over intents "
            f"{fmt(report.get('intent_macro_f1_expected_labels'))}",
            f"- response-selection accuracy {fmt(report.get('response_selection_accuracy'))}",
        ]
        stats = {k: v for k, v in (cv.get("fold_stats") or {}).items() if "entities" not in k}
        if stats:
            lines += ["", "Mean ± standard deviation over the folds, as Rasa logs them:", ""]
            lines += ["| | Accuracy | F1-score | Precision |", "| --- | --- | --- | --- |"]
            for section, values in stats.items():
                lines.append(
                    f"| {section} | {values.get('Accuracy', '')} | {values.get('F1-score', '')} | "
                    f"{values.get('Precision', '')} |"
                )
        counts = sorted((cv.get("examples_per_intent") or {}).values())
        if counts:
            lines += [
                "",
                f"data/ has {sum(counts)} examples: {counts[0]} to {counts[-1]} per intent or "
                f"FAQ answer (median {counts[len(counts) // 2]}). With so few, a fold often "
                "holds out the only example of a phrasing, which is one likely reason why "
                "cross-validation scores lower than the test sets do.",
            ]
        lines += [
            "",
            f"Rasa's reports: `{_relative(cv['dir'])}/`.",
        ]
    lines += [
        "",
        "## How the numbers are computed",
        "",
        "Each test message is parsed by the loaded model "
        "(`Agent.load(model)`, `await agent.parse_message(text)`), exactly as the server "
        "parses it, FallbackClassifier included. `rasa test nlu` instead turns nlu_fallback "
        "predictions back into the classifiers' best intent before scoring "
        "(`undo_fallback_prediction` in rasa/nlu/test.py), so its intent accuracy matches our "
        "*before the fallback threshold* line, not the headline.",
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
        "and exact character span. The project extracts them with the clinic's spaCy entity "
        "ruler (SpacyEntityExtractor); the baseline's DIETClassifier learns them from the "
        "annotations in data/ (its entity_recognition is on by default). body_part and "
        "red_flag are not scored (the test sets do not annotate them); an injury the project "
        "labels body_part counts as missed.",
        "",
        "## Commands",
        "",
        "Reproduce with `make evaluate` (or `.venv/bin/python scripts/evaluate.py "
        "[--quick] [--out DIR] [--heldout FILE ...]`). This run executed:",
        "",
        "```",
        *result["commands"],
        "```",
        "",
        "Raw predictions of both models: `nlu_evaluation.json`; Rasa's reports: `nlu/`.",
        "",
    ]
    for index, test_set in enumerate(result["sets"]):
        letter = chr(ord("A") + index)
        counts = Counter(
            base_intent(r["expected"])
            for r in test_set["baseline"]["records"]
            if is_misclassified(r)
        )
        lines += [
            f"## Appendix {letter}: misclassified messages of {test_set['name']}",
            "",
            "Project, grouped by expected intent. *confidence* is the intent confidence (for "
            "a faq/* prediction, the response key's); the last column is the classifiers' "
            "best intent before the fallback threshold.",
            "",
            *misclassified_table(test_set["project"]["records"]),
            "Baseline, misclassified per expected intent: "
            + (", ".join(f"{k} {v}" for k, v in counts.most_common()) or "none")
            + ".",
            "",
            "Entity differences, project:",
            "",
            *entity_error_lines(test_set["project"]["records"]),
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
        help="skip the cross-validation (minutes instead of ~25); the test-set results are "
        "the same as a full run's, and the report says it was quick",
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (5)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="report directory")
    parser.add_argument("--model", type=Path, default=PROJECT_MODEL, help="project model")
    parser.add_argument(
        "--baseline-model",
        type=Path,
        help="use this already trained baseline model instead of training one",
    )
    parser.add_argument(
        "--heldout",
        type=Path,
        nargs="+",
        default=sorted((ROOT / "tests" / "nlu").glob("heldout*.yml")),
        help="held-out NLU test sets (default: tests/nlu/heldout*.yml)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    logs = out / "tmp" / "evaluate-logs"
    rasa = str(BIN / "rasa")
    commands: List[str] = []
    temp_dirs: List[str] = []
    result: Dict[str, Any] = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine_info(),
        "quick": args.quick,
        "targets": TARGETS,
    }

    def step(command: List[str], log_name: str, what: str) -> float:
        shown = " ".join(_relative(a) for a in command)
        for temp_dir in temp_dirs:
            shown = shown.replace(temp_dir, "$TMP")
        commands.append(shown)
        return run_logged(command, logs / log_name, what, shown)

    sets = [
        {"name": path.name, "path": _relative(path.resolve()), "file": path.resolve(),
         "stem": path.stem, "tuning_notes": tuning_notes(path)}
        for path in args.heldout
    ]  # fmt: skip
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
        models = {"project": project_model, "baseline": baseline_model}

        # 3. Rasa's own evaluation of both on each set (reports, confusion matrices).
        print("[3/5] rasa test nlu on the held-out sets", flush=True)
        for test_set in sets:
            for name, model in models.items():
                report_dir = out / "nlu" / name / test_set["stem"]
                shutil.rmtree(report_dir, ignore_errors=True)
                step(
                    [rasa, "test", "nlu", "--nlu", str(test_set["file"]), "--model", str(model),
                     "--out", str(report_dir)],
                    f"test_{name}_{test_set['stem']}.log", f"rasa test nlu ({name})",
                )  # fmt: skip
                test_set[name] = {
                    "rasa_test": rasa_report_summary(report_dir),
                    "rasa_test_dir": _relative(report_dir),
                }

        # 4. Every test message parsed by each model; our metrics from those.
        print("[4/5] Parsing the held-out messages with each model", flush=True)
        seen = training_texts()
        examples = {}
        for test_set in sets:
            examples[test_set["name"]] = load_heldout(test_set["file"], seen)
            test_set["in_training"] = sum(e["in_training"] for e in examples[test_set["name"]])
        for name, model in models.items():
            parse_started = time.monotonic()
            records_by_set = asyncio.run(parse_messages(model, examples))
            for test_set in sets:
                records = records_by_set[test_set["name"]]
                unseen = [r for r in records if not r["in_training"]]
                test_set[name].update(
                    records=records,
                    metrics=score(records),
                    metrics_unseen=score(unseen) if unseen and len(unseen) < len(records) else None,
                )
                print(
                    f"  {name} on {test_set['name']}: intent accuracy "
                    f"{fmt(test_set[name]['metrics']['intent_accuracy'])}, "
                    f"{test_set[name]['metrics']['misclassified']} misclassified",
                    flush=True,
                )
            (project if name == "project" else baseline)["parse_seconds"] = (
                time.monotonic() - parse_started
            )
        commands.append(
            "# plus, in this process, for each model: Agent.load(model) and "
            "await agent.parse_message(text) for every test message"
        )

    # 5. Cross-validation of the project's pipeline on the training data.
    if args.quick:
        print("[5/5] Cross-validation skipped (--quick)", flush=True)
        result["cross_validation"] = None
    else:
        print(f"[5/5] {args.folds}-fold cross-validation (long: ~3 min per fold)", flush=True)
        cv_dir = out / "nlu" / "project" / "cross_validation"
        shutil.rmtree(cv_dir, ignore_errors=True)
        seconds = step(
            [rasa, "test", "nlu", "--nlu", str(TRAINING_DATA), "--config", str(PROJECT_CONFIG),
             "--cross-validation", "--folds", str(args.folds), "--out", str(cv_dir)],
            "cross_validation.log", "cross-validation",
        )  # fmt: skip
        result["cross_validation"] = {
            "examples_per_intent": examples_per_intent(),
            "folds": args.folds,
            "seconds": seconds,
            "dir": str(cv_dir),
            "report": rasa_report_summary(cv_dir),
            "fold_stats": cross_validation_fold_stats(logs / "cross_validation.log"),
        }

    # Pictures next to the report (older copies removed first).
    for old in [*out.glob("nlu_confusion_*.png"), *out.glob("nlu_response_selection_*.png")]:
        old.unlink()
    for test_set in sets:
        test_set["pictures"] = {}
        for name, file_name, title in (
            ("project", "intent_confusion_matrix.png", "intents, project"),
            ("baseline", "intent_confusion_matrix.png", "intents, baseline"),
            ("project", "response_selection_confusion_matrix.png", "FAQ answers, project"),
        ):
            source = out / "nlu" / name / test_set["stem"] / file_name
            if source.exists():
                kind = "intent" if file_name.startswith("intent") else "response_selection"
                target = out / f"nlu_confusion_{kind}_{name}_{test_set['stem']}.png"
                shutil.copy2(source, target)
                test_set["pictures"][f"{title}, {test_set['name']}"] = target.name
        del test_set["file"]

    result.update(
        project=project,
        baseline=baseline,
        sets=sets,
        commands=commands,
        duration_seconds=time.monotonic() - started,
    )
    result["machine"]["load_average_at_end"] = load_average()
    report = write_report(result, out)
    (out / "nlu_evaluation.json").write_text(json.dumps(result, indent=1, default=str))
    print_summary(result, report)
    return 0


def print_summary(result: Dict[str, Any], report: Path) -> None:
    print(f"\nNLU evaluation ({'quick' if result['quick'] else 'full'}): {_relative(report)}")
    for test_set in result["sets"]:
        project, baseline = test_set["project"]["metrics"], test_set["baseline"]["metrics"]
        ahead, _ = project_ahead(project, baseline)
        print(f"\n{test_set['name']} ({project['messages']} messages)"
              + (" - tuned on, see config.yml" if test_set["tuning_notes"] else ""))  # fmt: skip
        print(f"  {'metric':40} {'project':>8} {'baseline':>9}  target")
        for label, key in RESULT_ROWS:
            target = TARGETS.get(key)
            mark = f">= {target:.2f} {verdict(project.get(key), target)}" if target else ""
            print(f"  {label:40} {fmt(project.get(key)):>8} {fmt(baseline.get(key)):>9}  {mark}")
        be = fmt(baseline["entities"]["all"]["f1"]) if baseline["extracts_entities"] else "n/a"
        print(f"  {'entity F1 (injury/condition/medication)':40} "
              f"{fmt(project['entities']['all']['f1']):>8} {be:>9}")  # fmt: skip
        print(f"  project ahead of baseline: {'PASS' if ahead else 'FAIL'}; misclassified: "
              f"project {project['misclassified']}, baseline {baseline['misclassified']}")  # fmt: skip
    cv = result.get("cross_validation")
    if cv:
        print(f"\ncross-validation ({cv['folds']} folds on data/): intent accuracy "
              f"{fmt(cv['report'].get('intent_accuracy'))}, response selection "
              f"{fmt(cv['report'].get('response_selection_accuracy'))}")  # fmt: skip
    else:
        print("\ncross-validation: skipped (--quick)")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StepFailed as failure:
        print(f"\n{failure}", file=sys.stderr)
        sys.exit(1)
