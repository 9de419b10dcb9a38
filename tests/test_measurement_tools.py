"""The measurement package (measure/): its pure helpers on hand-made inputs, and, marked
`server`, a small benchmark and profile run against the real servers (structure only, not
the speed targets)."""

from __future__ import annotations

import json
import math
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import measure
from measure import answers, bench, common, evaluate
from measure import profile as profile_server

ROOT = Path(__file__).resolve().parents[1]


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
    assert evaluate.project_ahead(better, metrics) is True
    assert evaluate.project_ahead(metrics, metrics) is False  # equal is not ahead
    worse_elsewhere = {**better, "out_of_scope_recall": 0.5}
    assert evaluate.project_ahead(worse_elsewhere, metrics) is False


def test_benchmark_percentiles_interpolate_like_numpy():
    values = [0.010, 0.020, 0.030, 0.040]
    summary = bench.latency_summary(values)
    assert summary["p50_ms"] == pytest.approx(25.0)
    assert summary["p95_ms"] == pytest.approx(38.5)
    assert bench.percentile([], 50) is None
    assert bench.script_turns(3) == bench.SCRIPT[:3]
    assert len(bench.script_turns(12)) == 12


@pytest.mark.server
def test_small_benchmark_writes_a_sane_report(tmp_path: Path):
    model = ROOT / "models" / "dry-needling.tar.gz"
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run the tests with `make test`.")
    env = {**os.environ, **common.QUIET_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "measure.bench", "--small", "--allow-dirty", "--out",
         str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    report = (tmp_path / "BENCHMARK.md").read_text()
    assert "| target | measured | result |" in report
    assert "| run | reply p50 ms | nlu | policies | custom_action |" in report
    assert (tmp_path / "latency_by_concurrency.png").stat().st_size > 1000
    data = json.loads((tmp_path / "raw" / "benchmark.json").read_text())

    assert [level["clients"] for level in data["levels"]] == [1, 2]
    for level in data["levels"]:
        assert level["messages"] == level["clients"] * len(bench.SCRIPT)
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
        # screening turns, each conversation's start (action_session_start) and, before
        # every reply outside the screening, action_read_pieces (red flags told in pieces)
        assert 0 < phases["custom_action"]["calls_per_msg"] <= 2
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
        [sys.executable, "-m", "measure.bench", "--report-only", "--out", str(tmp_path)],
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
    env = {**os.environ, **common.QUIET_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "measure.profile", "--seconds", "6", "--clients", "2",
         "--allow-dirty", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = (tmp_path / "PROFILE.md").read_text()
    assert "| share | function (file) |" in report
    assert "rasa/core/processor.py" in report and "rasa/nlu/" in report
    assert (tmp_path / "rasa_profile.svg").stat().st_size > 1000


# --------------------------------------------------------------------------- shared helpers


def test_every_measure_module_imports_as_a_module_without_path_tricks():
    names = [m.name for m in pkgutil.iter_modules(measure.__path__)]
    assert {"common", "evaluate", "answers", "bench", "profile"} <= set(names)
    for name in names:
        module = __import__(f"measure.{name}", fromlist=["_"])
        assert "sys.path" not in Path(module.__file__).read_text(), name
        if name != "common":
            assert callable(module.main), name
    assert (ROOT / "measure" / "baseline_config.yml").exists()  # evaluate's baseline


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def test_stamp_names_the_commit_and_refuses_or_marks_uncommitted_code(tmp_path: Path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "A.md").write_text("old\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip

    assert common.stamp(False, cwd=tmp_path) == f"commit {head}"
    (tmp_path / "reports" / "A.md").write_text("new\n")  # the output is not the code measured
    assert common.stamp(False, cwd=tmp_path) == f"commit {head}"

    for change in ("code.py", "new_module.py"):  # a changed file, a new one
        (tmp_path / change).write_text("x = 2\n")
        with pytest.raises(common.UncommittedChanges, match=change):
            common.stamp(False, cwd=tmp_path)
        assert common.stamp(True, cwd=tmp_path) == f"commit {head} +uncommitted changes"
        _git(tmp_path, "add", ".")
        _git(tmp_path, "commit", "-q", "-m", "more")
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path,
                              capture_output=True, text=True).stdout.strip()  # fmt: skip


def test_allow_dirty_comes_from_the_flag_or_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ALLOW_DIRTY", raising=False)
    assert answers_args([]).allow_dirty is False
    assert answers_args(["--allow-dirty"]).allow_dirty is True
    monkeypatch.setenv("ALLOW_DIRTY", "1")
    assert answers_args([]).allow_dirty is True
    monkeypatch.setenv("ALLOW_DIRTY", "0")
    assert answers_args([]).allow_dirty is False


def answers_args(argv):
    import argparse

    parser = argparse.ArgumentParser()
    common.add_report_arguments(parser)
    return parser.parse_args(argv)


def test_write_section_replaces_its_own_section_and_keeps_the_others(tmp_path: Path):
    report = tmp_path / "R.md"
    common.write_section(report, "nlu", ["# Title", "", "first"])
    common.write_section(report, "answers", ["## Answers", "one"])
    common.write_section(report, "nlu", ["# Title", "", "second"])
    text = report.read_text()
    assert "first" not in text and "second" in text and "## Answers\none" in text
    assert text.index("second") < text.index("## Answers")  # replaced in place
    common.write_section(report, "answers", ["## Answers", "two"])
    assert report.read_text().count("## Answers") == 1 and "two" in report.read_text()


def test_table_and_cell_write_markdown():
    assert common.table(("a", "b"), [(1, "x"), ("y", None)]) == [
        "| a | b |", "| --- | --- |", "| 1 | x |", "| y | None |",
    ]  # fmt: skip
    assert common.cell("a|b\nc") == "a\\|b c"
    assert common.fmt(None) == "n/a" and common.fmt(0.12345) == "0.123"
    assert common.passed(None) == "not measured" and common.passed(True) == "PASS"


# --------------------------------------------------------------------------- answers


def test_answers_are_judged_right_honest_or_wrong():
    assert answers.judge("faq/how_it_feels", ["utter_faq/how_it_feels"]) == "right"
    assert answers.judge("faq/how_it_feels", ["utter_faq/after_treatment"]) == "wrong"
    assert answers.judge("faq/how_it_feels", ["utter_dont_know"]) == "honest"
    assert answers.judge("faq/how_it_feels", ["action_dont_know", "utter_dont_know_suggest"]) == (
        "honest"
    )
    assert answers.judge("faq/how_it_feels", ["utter_greet"]) == "wrong"  # neither
    assert answers.judge("ask_indication", ["action_answer_indication"]) == "right"
    assert answers.judge("dont_know", ["utter_out_of_scope"]) == "right"
    assert answers.judge("out_of_scope", ["utter_dont_know", "utter_faq/price"]) == "wrong"
    # a runner's own condition, read by the screening, answers a contraindication question
    screened = [{"event": "slot", "name": "pregnant", "value": "yes"}]
    assert answers.CONDITION_READ in answers.actions_of(screened)
    assert answers.judge("ask_contraindication", answers.actions_of(screened)) == "right"
    assert answers.actions_of([{"event": "slot", "name": "pregnant", "value": None}]) == []
    assert answers.judge("faq/cost", answers.actions_of(screened)) == "wrong"
    assert answers.judge("dont_know", ["utter_human_contact"]) == "right"
    assert answers.group_of("faq/what_is_dry_needling") == "article"
    assert answers.group_of("faq/price") == "practical"
    assert answers.group_of("greet") == "unrelated"


def test_answers_section_checks_the_targets():
    results = [
        answers.Result(
            "what is it", "faq/what_is_dry_needling", ["utter_faq/what_is_dry_needling"], "right"
        )
    ] * 40
    results += [answers.Result("price?", "faq/price", ["utter_dont_know"], "honest"),
                answers.Result("cost?", "faq/price", ["utter_dont_know_suggest"], "honest",
                               offered=["faq/insurance", "faq/price"]),
                answers.Result("weather?", "out_of_scope", ["utter_faq/price"], "wrong")]  # fmt: skip
    text = "\n".join(answers.section(results, answers.HELDOUT, 3.0, "commit abc1234"))
    assert "from commit abc1234" in text and "`tests/nlu/answers_heldout.yml`" in text
    assert "| wrong answers, whole set | 1/43 (2.3 %) | ≤ 2 % | NO |" in text
    assert "| practical | 2 | 0 | 2 | 1 | 0 |" in text  # one of the two offered the right answer
    assert "- `cost?`: expected `faq/price` (offered to tap)" in text
    assert "| article questions answered right | 40/40 (100.0 %) | ≥ 97 % | yes |" in text
    assert "| unrelated questions given a content answer | 1 | 0 | NO |" in text
    assert "- `weather?`: expected `out_of_scope`, got utter_faq/price" in text


def test_tuning_judges_the_nlu_result_alone():
    def parse(intent: str, answer: str = "") -> dict:
        selector = {"faq": {"response": {"intent_response_key": answer, "confidence": 0.9}}}
        return {"intent": {"name": intent}, "response_selector": selector}

    assert answers.nlu_verdict("faq/cost", parse("faq", "faq/cost")) == "right"
    assert answers.nlu_verdict("faq/cost", parse("faq", "faq/insurance")) == "wrong"
    assert answers.nlu_verdict("faq/cost", parse("unanswerable_question")) == "honest"
    assert answers.nlu_verdict("ask_indication", parse("ask_indication")) == "right"
    assert answers.nlu_verdict("out_of_scope", parse("out_of_scope")) == "right"
    assert answers.nlu_verdict("out_of_scope", parse("faq", "faq/cost")) == "wrong"
    assert answers.nlu_verdict("dont_know", parse("ask_contraindication")) == "wrong"


# --------------------------------------------------------------------------- bench report


def _level(label: str, clients: int, think: float, latency_s: float) -> dict:
    conversation = [
        {"text": text, "turn": turn, "status": 200, "error": None, "replies": 1,
         "latency_s": latency_s, "apology": False, "reply_texts": [f"re: {text}"],
         "booking_link": turn == len(bench.SCRIPT) - 1}
        for turn, text in enumerate(bench.SCRIPT)
    ]  # fmt: skip
    return bench.summarize_level(label, clients, 1, think, 2.0, [conversation] * clients, 10)


def test_benchmark_report_is_written_from_the_numbers_alone(tmp_path: Path):
    levels = [_level("c1", 1, 1.0, 0.020), _level("c10", 10, 1.0, 0.050)]
    assert levels[1]["booking_link_reached"] == 10 and levels[1]["msgs_per_s"] == 50.0
    result = {
        "date": "2026-01-01 00:00 UTC", "small": False, "duration_s": 60, "startup_s": 5.0,
        "machine": {**common.machine_info("commit abc1234"), "load_average_at_end": "0"},
        "command": ".venv/bin/python -m measure.bench", "model": str(ROOT / "models" / "m.tar.gz"),
        "turns": bench.SCRIPT, "levels": levels, "back_to_back": _level("c1 b2b", 1, 0, 0.01),
        "saturation": _level("saturation", 50, 0, 0.5), "floor": None, "training": None,
        "fresh_clone": None,
        "memory": {name: {"processes": 1, "main_hwm_kib": 1024**2, "tree_hwm_kib": 1024**2,
                          "tree_rss_kib": 1024**2, "max_sampled_rss_kib": 1024**2}
                   for name in ("rasa", "actions")},
    }  # fmt: skip
    result["targets"] = bench.evaluate_targets(result)
    verdicts = {t["target"].split(" ")[0]: t["ok"] for t in result["targets"]}
    assert verdicts == {"p95": True, "saturation": True, "zero": True, "served": None,
                        "Rasa": True}  # fmt: skip
    report = bench.write_outputs(result, tmp_path)
    text = report.read_text()
    assert "Generated by `python -m measure.bench` from commit abc1234" in text
    assert "| c10 | 10 | 1 s | 100 | 50.0 | 50.0 | 50.0 | 50.0 | 50.0 | 0 | 0 | 0 | 10/10 |" in text
    assert "![latency by concurrency](latency_by_concurrency.png)" in text
    assert (tmp_path / "latency_by_concurrency.png").stat().st_size > 1000
    assert bench.write_outputs(result, tmp_path).read_text() == text  # same numbers, same report
