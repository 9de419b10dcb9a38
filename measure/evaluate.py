"""`make evaluate`: how well the assistant understands runners, against a baseline.

    python -m measure.evaluate [--quick] [--out DIR] [--heldout FILE ...] [--allow-dirty]

Scores the project's NLU pipeline (config.yml, the trained model
models/dry-needling.tar.gz) and the stock `rasa init` pipeline
(measure/baseline_config.yml, trained here on the same data/) on the held-out
test sets tests/nlu/heldout*.yml, which are never trained on. Everything is
measured in this run:

1. `rasa test nlu` on each held-out set for both models (Rasa's own reports and
   confusion-matrix pictures, under <out>/raw/nlu/{project,baseline}/<set>/);
2. every held-out message parsed by each loaded model
   (`Agent.load(model)`, `await agent.parse_message(text)`), and the metrics
   below computed from those parse results, including nlu_fallback;
3. unless --quick: 5-fold cross-validation of the project's pipeline on data/
   (`rasa test nlu --cross-validation`, about 3 minutes per fold).

Writes the "nlu" section of <out>/NLU_EVALUATION.md (default out: reports/; the
"answers" section is measure.answers') and the confusion matrices it shows;
every prediction goes to <out>/raw/nlu_evaluation.json, Rasa's logs to
<out>/raw/logs/evaluate/ (raw outputs are not committed).

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
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from clinic_assistant.rasa.content_answers import CONTENT_INTENTS, RETRIEVAL_INTENT
from measure.common import (
    BIN,
    RAW,
    ROOT,
    StepFailed,
    add_report_arguments,
    cell,
    fmt,
    generated_by,
    load_agent,
    load_average,
    machine_info,
    machine_lines,
    now,
    passed,
    relative,
    run_logged,
    stamp_or_refuse,
    table,
    write_section,
)

PROJECT_MODEL = ROOT / "models" / "dry-needling.tar.gz"
PROJECT_CONFIG = ROOT / "config.yml"
BASELINE_CONFIG = Path(__file__).with_name("baseline_config.yml")
TRAINING_DATA = ROOT / "data"
REPORT_NAME = "NLU_EVALUATION.md"

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
ENTITY_LABELS = ("injury", "condition", "medication")
TARGETS = {
    "intent_accuracy": 0.95,
    "response_selection_accuracy": 0.95,
    "out_of_scope_recall": 0.90,
}
# The headline rows; all but macro F1 have a target. "Project ahead of baseline"
# compares these four.
RESULT_ROWS = (
    ("intent accuracy", "intent_accuracy"),
    ("intent macro F1", "intent_macro_f1"),
    ("response-selection accuracy (faq/*)", "response_selection_accuracy"),
    ("out-of-scope recall (no article answer)", "out_of_scope_recall"),
)

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


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


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
        true_pos = sum(e == label == p for e, p in zip(expected, predicted, strict=True))
        support, predicted_count = expected.count(label), predicted.count(label)
        precision = true_pos / predicted_count if predicted_count else 0.0
        recall = true_pos / support
        scores[label] = {"precision": precision, "recall": recall,
                         "f1": _f1(precision, recall), "support": support}  # fmt: skip
    return scores


def macro_f1(pairs: Sequence[Pair]) -> float | None:
    """Unweighted mean of the F1 scores of the expected intents."""
    scores = per_intent_scores(pairs)
    return sum(s["f1"] for s in scores.values()) / len(scores) if scores else None


def out_of_scope_recall(
    pairs: Sequence[Pair], article_intents: Iterable[str] = CONTENT_INTENTS
) -> float | None:
    """Of the expected out_of_scope messages, the fraction without an article answer
    (FAQ text, indication or contraindication: the answer guard's CONTENT_INTENTS).

    Any prediction other than an article intent counts as a success, including
    out_of_scope itself, nlu_fallback (low confidence) and e.g. request_human.
    """
    article = set(article_intents)
    predictions = [base_intent(p) for e, p in pairs if base_intent(e) == OUT_OF_SCOPE]
    return _ratio(sum(p not in article for p in predictions), len(predictions))


def strict_out_of_scope_recall(pairs: Sequence[Pair]) -> float | None:
    """Of the expected out_of_scope messages, the fraction predicted out_of_scope or
    nlu_fallback (the messages that get the "I can't help with that" kind of answer)."""
    predictions = [base_intent(p) for e, p in pairs if base_intent(e) == OUT_OF_SCOPE]
    return _ratio(sum(p in (OUT_OF_SCOPE, FALLBACK_INTENT) for p in predictions), len(predictions))


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
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        gold_set = {s for s in gold_spans if s[0] in counts}
        predicted_set = {s for s in predicted_spans if s[0] in counts}
        for kind, spans in (("tp", gold_set & predicted_set), ("fp", predicted_set - gold_set),
                            ("fn", gold_set - predicted_set)):  # fmt: skip
            for span in spans:
                counts[span[0]][kind] += 1
    counts["all"] = sum(counts.values(), Counter())

    def prf(c: Counter) -> Dict[str, float]:
        precision = _ratio(c["tp"], c["tp"] + c["fp"]) or 0.0
        recall = _ratio(c["tp"], c["tp"] + c["fn"]) or 0.0
        return {"precision": precision, "recall": recall, "f1": _f1(precision, recall),
                "support": c["tp"] + c["fn"], "predicted": c["tp"] + c["fp"]}  # fmt: skip

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
    faq = [r for r in records if base_intent(r["expected"]) == RETRIEVAL_INTENT]
    return {
        "messages": len(records),
        "intent_accuracy": intent_accuracy(pairs),
        "intent_macro_f1": macro_f1(pairs),
        "classifier_intent_accuracy": intent_accuracy(
            [(r["expected"], r["classifier_intent"]) for r in records]
        ),
        "fallback_rate": _ratio(sum(p == FALLBACK_INTENT for _, p in pairs), len(records)),
        "response_selection_accuracy": response_selection_accuracy(
            [(r["expected"], r["response_key"]) for r in faq]
        ),
        "faq_answer_accuracy": _ratio(sum(r["predicted"] == r["expected"] for r in faq), len(faq)),
        "faq_messages": len(faq),
        "out_of_scope_recall": out_of_scope_recall(pairs),
        "strict_out_of_scope_recall": strict_out_of_scope_recall(pairs),
        "out_of_scope_messages": sum(base_intent(e) == OUT_OF_SCOPE for e, _ in pairs),
        "per_intent": per_intent_scores(pairs),
        "entities": entity_scores(
            [[tuple(e[:3]) for e in r["gold_entities"]] for r in records],
            [[tuple(e[:3]) for e in r["predicted_entities"]] for r in records],
        ),
        "extracts_entities": any(r["predicted_entities"] for r in records),
        "misclassified": sum(is_misclassified(r) for r in records),
    }


def project_ahead(project: Dict[str, Any], baseline: Dict[str, Any]) -> bool:
    """Ahead = not worse on any compared metric and better on at least one."""
    deltas = [
        project[key] - baseline[key]
        for _, key in RESULT_ROWS
        if project.get(key) is not None and baseline.get(key) is not None
    ]
    return bool(deltas) and all(d >= 0 for d in deltas) and any(d > 0 for d in deltas)


# --------------------------------------------------------------------------- data


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


def load_heldout(path: Path, seen: set) -> List[Dict[str, Any]]:
    """The test messages; in_training marks those that also appear in data/."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [
        {
            "text": message.get("text"),
            "expected": message.get("intent_response_key") or message.get("intent"),
            "gold_entities": sorted(
                [e["entity"], e["start"], e["end"], e.get("value")]
                for e in message.get("entities") or []
            ),
            "in_training": normalized(message.get("text") or "") in seen,
        }
        for message in load_data(str(path)).intent_examples
    ]


def selected_response(parse: Dict[str, Any]) -> Tuple[str | None, float | None]:
    """The response key the ResponseSelector chose, and its confidence."""
    selectors = parse.get("response_selector") or {}
    selector = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    response = selector.get("response") or {}
    return response.get("intent_response_key"), response.get("confidence")


async def parse_messages(
    model: Path, test_sets: Dict[str, Sequence[Dict[str, Any]]]
) -> Dict[str, List[Dict[str, Any]]]:
    """Parse every example of every set with the loaded model; one record per message."""
    agent = load_agent(model)
    by_set: Dict[str, List[Dict[str, Any]]] = {}
    for name, examples in test_sets.items():
        records = by_set[name] = []
        for example in examples:
            parse = await agent.parse_message(example["text"])
            intent = parse.get("intent") or {}
            ranking = [r for r in parse.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT]
            top = ranking[0] if ranking else {}
            key, key_confidence = selected_response(parse)
            records.append({
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
                    for e in parse.get("entities") or [] if e.get("entity") in ENTITY_LABELS
                ),
            })  # fmt: skip
    return by_set


def _micro(report: Dict[str, Any]) -> float | None:
    """sklearn's accuracy; "micro avg" f1 when the labels differ."""
    accuracy = report.get("accuracy")
    return accuracy if accuracy is not None else (report.get("micro avg") or {}).get("f1-score")


def rasa_report_summary(directory: Path) -> Dict[str, Any]:
    """Headline numbers from the reports `rasa test nlu` wrote (cross-check)."""
    summary: Dict[str, Any] = {}
    reports = {p.name[: -len("_report.json")]: json.loads(p.read_text())
               for p in sorted(directory.glob("*_report.json"))}  # fmt: skip
    intents = reports.pop("intent", None)
    if intents:
        skip = {"accuracy", "macro avg", "weighted avg", "micro avg"}
        rows = [v for k, v in intents.items()
                if k not in skip and isinstance(v, dict) and v.get("support", 0) > 0]  # fmt: skip
        summary["intent_accuracy"] = _micro(intents)
        summary["intent_macro_f1_expected_labels"] = (
            sum(v["f1-score"] for v in rows) / len(rows) if rows else None
        )
    responses = reports.pop("response_selection", None)
    if responses:
        summary["response_selection_accuracy"] = _micro(responses)
    for extractor, report in reports.items():
        if extractor == "SafetyClassifier" or not any(label in report for label in ENTITY_LABELS):
            continue  # it only adds red_flag entities: its zeros for the others mean nothing
        summary.setdefault("entities", {})[extractor] = {
            label: report[label]["f1-score"] for label in ENTITY_LABELS if label in report
        } | {"micro avg f1 (all labels)": (report.get("micro avg") or {}).get("f1-score")}
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
    return newest.stat().st_mtime, relative(newest)


def tuning_notes(test_set: Path) -> List[str]:
    """Lines of config.yml that mention the test set (e.g. a threshold tuned on it)."""
    lines = PROJECT_CONFIG.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if test_set.name in line]


# --------------------------------------------------------------------------- report


def target_text(key: str) -> str:
    return f"≥ {TARGETS[key]:.2f}" if key in TARGETS else "-"


def verdict(value: float | None, key: str) -> str:
    return "n/a" if value is None else passed(value >= TARGETS[key])


def entity_f1(metrics: Dict[str, Any], none: str = "n/a") -> str:
    return fmt(metrics["entities"]["all"]["f1"]) if metrics["extracts_entities"] else none


def misclassified_table(records: Sequence[Dict[str, Any]]) -> List[str]:
    by_intent: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for record in filter(is_misclassified, records):
        by_intent[base_intent(record["expected"])].append(record)
    if not by_intent:
        return ["None: every message got the expected intent (and FAQ answer).", ""]
    lines = []
    for intent in sorted(by_intent, key=lambda i: (-len(by_intent[i]), i)):
        rows = [
            (cell(r["text"]) + (" *(also in data/)*" if r.get("in_training") else ""),
             r["expected"], r["predicted"],
             fmt(r["response_confidence"] if "/" in r["predicted"] else r["confidence"], 2),
             f"{r['classifier_intent']} ({fmt(r['classifier_confidence'], 2)})")
            for r in by_intent[intent]
        ]  # fmt: skip
        header = ("message", "expected", "predicted", "confidence", "classifiers' best intent")
        lines += [f"**{intent}** ({len(rows)})", "", *table(header, rows), ""]
    return lines


def entity_error_lines(records: Sequence[Dict[str, Any]], limit: int = 40) -> List[str]:
    rows = []
    for r in records:
        gold = {tuple(e[:3]): e for e in r["gold_entities"] if e[0] in ENTITY_LABELS}
        predicted = {tuple(e[:3]): e for e in r["predicted_entities"]}
        if set(gold) != set(predicted):
            missed = ", ".join(f"{e[3]} ({e[0]})" for k, e in gold.items() if k not in predicted)
            extra = ", ".join(f"{e[3]} ({e[0]})" for k, e in predicted.items() if k not in gold)
            rows.append((cell(r["text"]), missed or "-", extra or "-"))
    if not rows:
        return ["None."]
    more = ["", f"... and {len(rows) - limit} more (all in the JSON)."] if len(rows) > limit else []
    header = ("message", "gold span not found", "predicted span not in gold")
    return table(header, rows[:limit]) + more


def detail_table(test_set: Dict[str, Any]) -> List[str]:
    project, baseline = test_set["project"]["metrics"], test_set["baseline"]["metrics"]
    rows = [
        (label, fmt(project[key]), fmt(baseline[key]))
        for label, key in (
            ("FAQ answered right end to end (intent faq **and** right key, of faq/* messages)",
             "faq_answer_accuracy"),
            ("strict out-of-scope recall (predicted out_of_scope or nlu_fallback)",
             "strict_out_of_scope_recall"),
            ("intent accuracy of the classifiers before the fallback threshold",
             "classifier_intent_accuracy"),
            ("share of messages sent to nlu_fallback", "fallback_rate"),
        )
    ]  # fmt: skip
    rows.append(("misclassified messages (wrong intent or wrong FAQ answer)",
                 project["misclassified"], baseline["misclassified"]))  # fmt: skip
    unseen_p, unseen_b = (
        test_set["project"]["metrics_unseen"],
        test_set["baseline"]["metrics_unseen"],
    )
    if unseen_p:
        rows.append((f"intent accuracy on the {unseen_p['messages']} messages not also in data/",
                     fmt(unseen_p["intent_accuracy"]), fmt(unseen_b["intent_accuracy"])))  # fmt: skip
    return table(("metric", "project", "baseline"), rows)


def cross_check_table(test_set: Dict[str, Any]) -> List[str]:
    project, baseline = test_set["project"]["metrics"], test_set["baseline"]["metrics"]
    rp, rb = test_set["project"]["rasa_test"], test_set["baseline"]["rasa_test"]
    rows = [
        ("ours: intent accuracy before the fallback threshold",
         fmt(project["classifier_intent_accuracy"]), fmt(baseline["classifier_intent_accuracy"])),
        ("Rasa: intent accuracy (intent_report.json)",
         fmt(rp.get("intent_accuracy")), fmt(rb.get("intent_accuracy"))),
        ("Rasa: macro F1 over expected intents", fmt(rp.get("intent_macro_f1_expected_labels")),
         fmt(rb.get("intent_macro_f1_expected_labels"))),
        ("ours: response-selection accuracy", fmt(project["response_selection_accuracy"]),
         fmt(baseline["response_selection_accuracy"])),
        ("Rasa: response-selection accuracy (response_selection_report.json)",
         fmt(rp.get("response_selection_accuracy")), fmt(rb.get("response_selection_accuracy"))),
    ]  # fmt: skip
    for column, summary in enumerate((rp, rb)):
        for extractor, f1s in (summary.get("entities") or {}).items():
            per_label = ", ".join(f"{k} {fmt(v)}" for k, v in f1s.items())
            values = [per_label, ""] if column == 0 else ["", per_label]
            rows.append((f"Rasa: entity F1 of {extractor} (token level)", *values))
    return table(("", "project", "baseline"), rows)


def set_section(test_set: Dict[str, Any]) -> List[str]:
    project, baseline = test_set["project"]["metrics"], test_set["baseline"]["metrics"]
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
    lines += ["Headline metrics and targets: see the summary above. Further detail:", ""]
    lines += [
        *detail_table(test_set),
        "",
        "Cross-check with Rasa's own reports (`rasa test nlu` on the same set):",
        "",
        *cross_check_table(test_set),
        "",
        "`rasa test nlu` drops the predictions of pre-trained extractors "
        "(SpacyEntityExtractor, `PRETRAINED_EXTRACTORS` in rasa/nlu/test.py), so it has no "
        "entity report for the project: the project's entity numbers are ours only.",
        "",
        "Per intent:",
        "",
    ]
    lines += table(
        ("intent", "support", "project recall", "project F1", "baseline recall", "baseline F1"),
        [
            (intent, s["support"], fmt(s["recall"], 2), fmt(s["f1"], 2),
             fmt(baseline["per_intent"].get(intent, {}).get("recall"), 2),
             fmt(baseline["per_intent"].get(intent, {}).get("f1"), 2))
            for intent, s in project["per_intent"].items()
        ],
    )  # fmt: skip
    rows = []
    for label in (*ENTITY_LABELS, "all"):
        s, b = project["entities"][label], baseline["entities"][label]
        shown = [fmt(b[k]) for k in ("precision", "recall", "f1")]
        rows.append((label, s["support"], fmt(s["precision"]), fmt(s["recall"]), fmt(s["f1"]),
                     *(shown if baseline["extracts_entities"] else ["n/a"] * 3)))  # fmt: skip
    lines += ["", "Entities (exact span and label):", ""]
    lines += table(("label", "support", "project P", "project R", "project F1", "baseline P",
                    "baseline R", "baseline F1"), rows)  # fmt: skip
    lines += ["", "Confusion matrices (from `rasa test nlu`, so with the fallback undone):", ""]
    for title, picture in test_set["pictures"].items():
        lines += [f"{title}:", "", f"![{title}]({picture})", ""]
    return lines


def summary_table(result: Dict[str, Any]) -> List[str]:
    sets = result["sets"]
    header = ["metric", "target"]
    for s in sets:
        header += [f"{s['name']} project", f"{s['name']} baseline"]
    rows = []
    for label, key in RESULT_ROWS:
        row = [label, target_text(key)]
        for s in sets:
            p, b = s["project"]["metrics"].get(key), s["baseline"]["metrics"].get(key)
            row += [fmt(p) + (f" {verdict(p, key)}" if key in TARGETS else ""), fmt(b)]
        rows.append(row)
    rows.append(["entity F1 (injury/condition/medication)", "-"] + [
        value for s in sets
        for value in (entity_f1(s["project"]["metrics"]), entity_f1(s["baseline"]["metrics"]))
    ])  # fmt: skip
    rows.append(["project ahead of baseline", "-"] + [
        value for s in sets
        for value in (passed(project_ahead(s["project"]["metrics"], s["baseline"]["metrics"])), "")
    ])  # fmt: skip
    return table(header, rows)


def cross_validation_lines(cv: Dict[str, Any] | None) -> List[str]:
    lines = ["## Cross-validation of the project pipeline (on data/)", ""]
    if not cv:
        return lines + ["Not measured in this run (--quick). Run `make evaluate` for it."]
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
        metrics = ("Accuracy", "F1-score", "Precision")
        lines += ["", "Mean ± standard deviation over the folds, as Rasa logs them:", ""]
        lines += table(("", *metrics), [(k, *(v.get(m, "") for m in metrics))
                                        for k, v in stats.items()])  # fmt: skip
    counts = sorted((cv.get("examples_per_intent") or {}).values())
    if counts:
        lines += [
            "",
            f"data/ has {sum(counts)} examples: {counts[0]} to {counts[-1]} per intent or "
            f"FAQ answer (median {counts[len(counts) // 2]}). With so few, a fold often "
            "holds out the only example of a phrasing, which is one likely reason why "
            "cross-validation scores lower than the test sets do.",
        ]
    return lines + ["", f"Rasa's reports: `{relative(cv['dir'])}/` (not committed)."]


def report_lines(result: Dict[str, Any]) -> List[str]:
    project, baseline = result["project"], result["baseline"]
    lines = [
        "# NLU evaluation: project pipeline vs `rasa init` baseline",
        "",
        generated_by("python -m measure.evaluate", result["machine"]["git"], result["date"])
        + f" ({'QUICK run: cross-validation skipped' if result['quick'] else 'full run'}; "
        f"took {result['duration_seconds'] / 60:.1f} min). Every number below was computed in "
        "that run; nothing is copied by hand.",
        "",
        "## Machine",
        "",
        *machine_lines(result["machine"]),
        "",
        "## What was measured",
        "",
        f"- Project: pipeline of `config.yml`, model `{project['model_label']}` "
        f"(sha256 {project['model_sha256'][:12]}, built {project['model_time']}).",
    ]
    if project.get("stale_note"):
        lines.append(f"  - **Note:** {project['stale_note']}")
    lines += [
        f"- Baseline: the stock `rasa init` NLU pipeline (`{relative(BASELINE_CONFIG)}`), "
        f"{baseline['model_label']}. It has no random seed (like `rasa init`), so its "
        "numbers move a little from run to run.",
        "- Test sets (written apart from data/, never trained on): "
        + ", ".join(
            f"`{s['path']}` ({s['project']['metrics']['messages']})" for s in result["sets"]
        ),
        "",
        "## Summary",
        "",
        *summary_table(result),
        "",
        "*Project ahead of baseline*: not worse on intent accuracy, macro F1, "
        "response-selection accuracy and out-of-scope recall, and better on at least one.",
        "",
    ]
    for test_set in result["sets"]:
        lines += set_section(test_set)
    lines += cross_validation_lines(result.get("cross_validation"))
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
        "Reproduce with `make evaluate` (or `.venv/bin/python -m measure.evaluate "
        "[--quick] [--out DIR] [--heldout FILE ...]`). This run executed:",
        "",
        "```",
        *result["commands"],
        "```",
        "",
        f"Raw predictions of both models: `{RAW}/nlu_evaluation.json`; Rasa's reports: "
        f"`{RAW}/nlu/` (regenerated by the run, not committed).",
        "",
    ]
    for index, test_set in enumerate(result["sets"]):
        counts = Counter(
            base_intent(r["expected"])
            for r in test_set["baseline"]["records"]
            if is_misclassified(r)
        )
        lines += [
            f"## Appendix {chr(ord('A') + index)}: misclassified messages of {test_set['name']}",
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
    return lines


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    option = parser.add_argument
    option("--quick", action="store_true", help="skip the cross-validation (minutes, not ~25)")
    option("--folds", type=int, default=5, help="cross-validation folds (5)")
    option("--model", type=Path, default=PROJECT_MODEL, help="project model")
    option("--baseline-model", type=Path, help="an already trained baseline (default: train)")
    option("--heldout", type=Path, nargs="+", help="held-out NLU test sets (tests/nlu/heldout*.yml)",
           default=sorted((ROOT / "tests" / "nlu").glob("heldout*.yml")))  # fmt: skip
    add_report_arguments(parser)
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, out: Path, source: str) -> Dict[str, Any]:
    started = time.monotonic()
    raw = out / RAW
    rasa = str(BIN / "rasa")
    commands: List[str] = []
    result: Dict[str, Any] = {"date": now(), "machine": machine_info(source), "quick": args.quick,
                              "targets": TARGETS}  # fmt: skip
    sets = [
        {"name": path.name, "path": relative(path.resolve()), "file": path.resolve(),
         "stem": path.stem, "tuning_notes": tuning_notes(path)}
        for path in args.heldout
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="nlu-eval-") as tmp_name:
        tmp = Path(tmp_name)

        def step(command: List[str], log_name: str, what: str) -> float:
            commands.append(" ".join(relative(a) for a in command).replace(tmp_name, "$TMP"))
            print(f"  $ {commands[-1]}", flush=True)
            return run_logged(command, raw / "logs" / "evaluate" / log_name, what)

        def train(config: Path, name: str, what: str) -> Tuple[Path, float]:
            seconds = step([rasa, "train", "nlu", "--config", str(config), "--nlu",
                            str(TRAINING_DATA), "--out", str(tmp), "--fixed-model-name", name],
                           f"train_{name}_nlu.log", what)  # fmt: skip
            return tmp / f"{name}.tar.gz", seconds

        # 1. The project's model: a private copy, so a retrain meanwhile cannot swap it.
        print("[1/5] Project model", flush=True)
        project: Dict[str, Any] = {}
        if args.model.exists():
            project_model = tmp / "project.tar.gz"
            shutil.copy2(args.model, project_model)
            commands.append(f"cp {relative(args.model.resolve())} $TMP/project.tar.gz")
            model_mtime = args.model.stat().st_mtime
            project["model_label"] = relative(args.model.resolve())
            newest, newest_name = newest_training_input()
            if args.model.resolve() == PROJECT_MODEL and newest > model_mtime:
                project["stale_note"] = (
                    f"the model is older than {newest_name}; `make evaluate` retrains it first "
                    "(via `make setup`), running the module directly does not."
                )
        else:
            print(f"  {relative(args.model)} is missing: training the NLU part in a temp dir")
            project_model, project["train_seconds"] = train(
                PROJECT_CONFIG, "project", "training the project's NLU model"
            )
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
            baseline_model, seconds = train(BASELINE_CONFIG, "baseline", "training the baseline")
            baseline["train_seconds"] = seconds
            baseline["model_label"] = (
                f"trained in this run on data/ (`rasa train nlu`, {seconds:.0f} s)"
            )
        baseline["model_sha256"] = sha256(baseline_model)
        models = {"project": project_model, "baseline": baseline_model}

        # 3. Rasa's own evaluation of both on each set (reports, confusion matrices).
        print("[3/5] rasa test nlu on the held-out sets", flush=True)
        for test_set in sets:
            for name, model in models.items():
                report_dir = raw / "nlu" / name / test_set["stem"]
                shutil.rmtree(report_dir, ignore_errors=True)
                step([rasa, "test", "nlu", "--nlu", str(test_set["file"]), "--model", str(model),
                      "--out", str(report_dir)],
                     f"test_{name}_{test_set['stem']}.log", f"rasa test nlu ({name})")  # fmt: skip
                test_set[name] = {"rasa_test": rasa_report_summary(report_dir)}

        # 4. Every test message parsed by each model; our metrics from those.
        print("[4/5] Parsing the held-out messages with each model", flush=True)
        seen = {normalized(m.get("text") or "") for m in training_examples()}
        examples = {s["name"]: load_heldout(s["file"], seen) for s in sets}
        for test_set in sets:
            test_set["in_training"] = sum(e["in_training"] for e in examples[test_set["name"]])
        for name, model in models.items():
            parse_started = time.monotonic()
            records_by_set = asyncio.run(parse_messages(model, examples))
            for test_set in sets:
                records = records_by_set[test_set["name"]]
                unseen = [r for r in records if not r["in_training"]]
                metrics = score(records)
                test_set[name].update(
                    records=records,
                    metrics=metrics,
                    metrics_unseen=score(unseen) if unseen and len(unseen) < len(records) else None,
                )
                print(f"  {name} on {test_set['name']}: intent accuracy "
                      f"{fmt(metrics['intent_accuracy'])}, {metrics['misclassified']} "
                      "misclassified", flush=True)  # fmt: skip
            (project if name == "project" else baseline)["parse_seconds"] = (
                time.monotonic() - parse_started
            )
        commands.append(
            "# plus, in this process, for each model: Agent.load(model) and "
            "await agent.parse_message(text) for every test message"
        )

        # 5. Cross-validation of the project's pipeline on the training data.
        result["cross_validation"] = None
        if args.quick:
            print("[5/5] Cross-validation skipped (--quick)", flush=True)
        else:
            print(f"[5/5] {args.folds}-fold cross-validation (long: ~3 min per fold)", flush=True)
            cv_dir = raw / "nlu" / "project" / "cross_validation"
            shutil.rmtree(cv_dir, ignore_errors=True)
            seconds = step([rasa, "test", "nlu", "--nlu", str(TRAINING_DATA), "--config",
                            str(PROJECT_CONFIG), "--cross-validation", "--folds", str(args.folds),
                            "--out", str(cv_dir)], "cross_validation.log",
                           "cross-validation")  # fmt: skip
            result["cross_validation"] = {
                "examples_per_intent": dict(Counter(
                    m.get("intent_response_key") or m.get("intent") for m in training_examples()
                )),
                "folds": args.folds,
                "seconds": seconds,
                "dir": str(cv_dir),
                "report": rasa_report_summary(cv_dir),
                "fold_stats": cross_validation_fold_stats(
                    raw / "logs" / "evaluate" / "cross_validation.log"
                ),
            }  # fmt: skip

    # The pictures the report shows, next to it (older ones removed first).
    for old in out.glob("nlu_confusion_*.png"):
        old.unlink()
    for test_set in sets:
        test_set["pictures"] = {}
        for name, kind, title in (
            ("project", "intent", "intents, project"),
            ("baseline", "intent", "intents, baseline"),
            ("project", "response_selection", "FAQ answers, project"),
        ):
            matrix = raw / "nlu" / name / test_set["stem"] / f"{kind}_confusion_matrix.png"
            if matrix.exists():
                target = out / f"nlu_confusion_{kind}_{name}_{test_set['stem']}.png"
                shutil.copy2(matrix, target)
                test_set["pictures"][f"{title}, {test_set['name']}"] = target.name
        del test_set["file"]
    result.update(project=project, baseline=baseline, sets=sets, commands=commands,
                  duration_seconds=time.monotonic() - started)  # fmt: skip
    result["machine"]["load_average_at_end"] = load_average()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out.resolve()
    source = stamp_or_refuse(args.allow_dirty)
    if source is None:
        return 2
    try:
        result = measure(args, out, source)
    except StepFailed as failure:
        print(f"\n{failure}", file=sys.stderr)
        return 1
    report = write_section(out / REPORT_NAME, "nlu", report_lines(result))
    (out / RAW).mkdir(parents=True, exist_ok=True)
    (out / RAW / "nlu_evaluation.json").write_text(json.dumps(result, indent=1, default=str))
    print(f"\nNLU evaluation ({'quick' if args.quick else 'full'}): {relative(report)}\n")
    print("\n".join(summary_table(result)))
    cv = result["cross_validation"]
    if cv:
        print(f"\ncross-validation ({cv['folds']} folds on data/): intent accuracy "
              f"{fmt(cv['report'].get('intent_accuracy'))}, response selection "
              f"{fmt(cv['report'].get('response_selection_accuracy'))}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
