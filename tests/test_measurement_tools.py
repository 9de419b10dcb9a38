"""The measurement tools: metric helpers of scripts/evaluate.py, and a small
benchmark run against the real servers (structure only, not the speed targets)."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import profile_server, run_benchmark

ROOT = Path(__file__).resolve().parents[1]


def load_evaluate():
    spec = importlib.util.spec_from_file_location("evaluate", ROOT / "scripts" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


evaluate = load_evaluate()


def test_intent_accuracy_counts_retrieval_intents_as_faq_and_fallback_as_wrong():
    pairs = [("faq/a", "faq"), ("greet", "greet"), ("deny", "nlu_fallback"), ("thank", "greet")]
    assert evaluate.intent_accuracy(pairs) == pytest.approx(2 / 4)
    assert evaluate.intent_accuracy([]) is None


def test_macro_f1_averages_the_expected_intents():
    pairs = [("faq/a", "faq"), ("greet", "greet"), ("deny", "nlu_fallback"), ("thank", "greet")]
    # faq F1 1; greet P 1/2, R 1 -> F1 2/3; deny 0; thank 0 (nlu_fallback gets no row)
    assert evaluate.macro_f1(pairs) == pytest.approx((1 + 2 / 3 + 0 + 0) / 4)
    assert set(evaluate.per_intent_scores(pairs)) == {"faq", "greet", "deny", "thank"}


def test_out_of_scope_recall_counts_everything_but_article_answers():
    pairs = [
        ("out_of_scope", "out_of_scope"),  # ok
        ("out_of_scope", "nlu_fallback"),  # ok: the fallback is not an article answer
        ("out_of_scope", "faq"),  # article answer
        ("out_of_scope", "faq/how_it_feels"),  # article answer
        ("out_of_scope", "ask_indication"),  # article answer
        ("out_of_scope", "request_human"),  # ok
        ("greet", "faq"),  # not an out-of-scope message: ignored
    ]
    assert evaluate.out_of_scope_recall(pairs) == pytest.approx(3 / 6)
    assert evaluate.strict_out_of_scope_recall(pairs) == pytest.approx(2 / 6)
    assert evaluate.out_of_scope_recall([("greet", "greet")]) is None


def test_response_selection_accuracy_only_scores_retrieval_intents():
    pairs = [
        ("faq/a", "faq/a"),  # right
        ("faq/b", "faq/a"),  # wrong key
        ("faq/c", None),  # nothing selected
        ("greet", "faq/a"),  # not a faq message: ignored
    ]
    assert evaluate.response_selection_accuracy(pairs) == pytest.approx(1 / 3)
    assert evaluate.response_selection_accuracy([("greet", "faq/a")]) is None


def test_entity_scores_need_label_and_exact_span():
    gold = [[("injury", 0, 4)], [("condition", 5, 10), ("medication", 0, 3)]]
    predicted = [[("injury", 0, 4), ("body_part", 0, 4)], [("condition", 5, 9)]]
    scores = evaluate.entity_scores(gold, predicted)
    assert scores["injury"]["f1"] == pytest.approx(1.0)
    assert scores["condition"]["f1"] == 0.0  # span 5-9 is not 5-10
    assert scores["medication"]["recall"] == 0.0
    # all: tp 1, fp 1 (condition 5-9), fn 2; body_part is not scored
    assert scores["all"]["precision"] == pytest.approx(1 / 2)
    assert scores["all"]["recall"] == pytest.approx(1 / 3)
    assert scores["all"]["f1"] == pytest.approx(0.4)


def test_score_and_ahead_of_baseline_from_parse_records():
    def record(expected, intent, key=None, classifier=None):
        return {
            "text": expected,
            "expected": expected,
            "predicted_intent": intent,
            "classifier_intent": classifier or intent,
            "response_key": key,
            "predicted": evaluate.full_prediction(intent, key),
            "gold_entities": [],
            "predicted_entities": [],
        }

    records = [
        record("faq/a", "faq", "faq/a"),
        record("faq/b", "nlu_fallback", "faq/b", classifier="faq"),
        record("out_of_scope", "nlu_fallback", "faq/a", classifier="faq"),
        record("greet", "greet"),
    ]
    metrics = evaluate.score(records)
    assert metrics["intent_accuracy"] == pytest.approx(2 / 4)
    assert metrics["classifier_intent_accuracy"] == pytest.approx(3 / 4)
    assert metrics["response_selection_accuracy"] == pytest.approx(1.0)  # selector alone
    assert metrics["faq_answer_accuracy"] == pytest.approx(1 / 2)  # one went to the fallback
    assert metrics["out_of_scope_recall"] == pytest.approx(1.0)
    assert metrics["misclassified"] == 2
    better = {**metrics, "intent_accuracy": 0.9}
    assert evaluate.project_ahead(better, metrics)[0] is True
    assert evaluate.project_ahead(metrics, metrics)[0] is False  # equal is not ahead


def test_benchmark_percentiles_interpolate_like_numpy():
    values = [0.010, 0.020, 0.030, 0.040]
    summary = run_benchmark.latency_summary(values)
    assert summary["p50_ms"] == pytest.approx(25.0)
    assert summary["p95_ms"] == pytest.approx(38.5)
    assert run_benchmark.percentile([], 50) is None
    assert run_benchmark.script_turns(3) == run_benchmark.SCRIPT[:3]
    assert len(run_benchmark.script_turns(12)) == 12


@pytest.mark.server
def test_small_benchmark_writes_a_sane_report(tmp_path: Path):
    model = ROOT / "models" / "dry-needling.tar.gz"
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run the tests with `make test`.")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_benchmark.py"), "--small", "--out",
         str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    report = (tmp_path / "BENCHMARK.md").read_text()
    assert "| target | measured | result |" in report
    assert "| run | reply p50 ms | nlu | policies | custom_action |" in report
    assert (tmp_path / "latency_by_concurrency.png").stat().st_size > 1000
    data = json.loads((tmp_path / "benchmark.json").read_text())

    assert [level["clients"] for level in data["levels"]] == [1, 2]
    for level in data["levels"]:
        assert level["messages"] == level["clients"] * len(run_benchmark.SCRIPT)
        assert level["errors"] == 0 and level["lost"] == 0 and level["apologies"] == 0
        assert level["booking_link_reached"] == level["conversations"]
        for key in ("p50_ms", "p95_ms", "p99_ms", "msgs_per_s"):
            assert isinstance(level[key], float) and math.isfinite(level[key]) and level[key] > 0
        assert level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"]
        phases = level["phases"]  # from the server's clinic_phase_seconds metric
        assert phases["nlu"]["calls_per_msg"] == 1  # one parse per message
        assert phases["policies"]["calls_per_msg"] >= 2  # at least an action, then listen
        assert phases["tracker_load"]["calls_per_msg"] >= 1
        assert phases["tracker_save"]["calls_per_msg"] >= 1
        assert 0 < phases["custom_action"]["calls_per_msg"] < 1  # screening turns only
        assert all(p["ms_per_msg"] > 0 for p in phases.values())
    assert data["saturation"] is None  # --small skips it
    assert data["back_to_back"]["errors"] == 0 and data["back_to_back"]["think_s"] == 0
    floor = data["floor"]
    assert floor["back_to_back"]["p50_ms"] > 0 and floor["paced"]["p50_ms"] > 0
    assert [c["pacing"] for c in floor["comparisons"]] == ["with think time", "back to back"]
    assert all(c["ratio"] > 0 for c in floor["comparisons"])
    for name in ("rasa", "actions"):
        assert data["memory"][name]["tree_hwm_kib"] > 50 * 1024  # a loaded server, > 50 MiB
    assert {t["target"] for t in data["targets"]} and all("ok" in t for t in data["targets"])

    rerun = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_benchmark.py"), "--report-only", "--out",
         str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert (tmp_path / "BENCHMARK.md").read_text() == report  # same numbers, same report


def test_profile_shares_count_a_function_once_per_sample(tmp_path: Path):
    collapsed = tmp_path / "rasa.collapsed"
    handler = "handle_message (rasa/core/processor.py"
    collapsed.write_text(
        f"serve (sanic.py:1);{handler}:157);parse (nlu.py:3);parse (nlu.py:4) 3\n"
        f"serve (sanic.py:1);{handler}:173);save (store.py:9) 1\n"
        "serve (sanic.py:1);idle (loop.py:5) 4\n"
    )
    total, rows = profile_server.top_functions(collapsed, 10)
    assert total == 8
    assert rows == [(f"{handler})", 0.5), ("parse (nlu.py)", 0.375), ("save (store.py)", 0.125)]


@pytest.mark.server
def test_profile_of_the_served_assistant_names_rasa_functions(tmp_path: Path):
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_server.py"), "--seconds", "6",
         "--clients", "2", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = (tmp_path / "PROFILE.md").read_text()
    assert "| share | function (file) |" in report
    assert "rasa/core/processor.py" in report and "rasa/nlu/" in report
    assert (tmp_path / "rasa_profile.svg").stat().st_size > 1000
