"""`make bench`: latency, throughput and memory of the served assistant.

    python -m measure.bench [--small] [--train] [--fresh-clone] [--out DIR] [--allow-dirty]

Starts the action server and the Rasa server (clinic_assistant.launcher, the way
`make run` and the tests do, on free ports, with a throw-away SQLite store), then
drives it through the REST channel with asyncio + aiohttp:

- for each concurrency level N (default 1, 10, 50): N simulated runners talk at
  the same time, each with its own sender id, following a realistic script (two
  FAQ questions, then a full screening up to the booking link); between a reply
  and the next message each runner "thinks" for --think seconds (jittered ±50 %);
- a saturation run: 50 runners with no thinking time, as fast as the server
  answers, for the maximum messages per second;
- the in-process floor: the same model loaded here with rasa's Agent, timing
  `await agent.parse_message(text)` for the same messages (NLU only);
- peak resident memory (VmHWM) of the Rasa server and the action server.

Writes <out>/BENCHMARK.md and <out>/latency_by_concurrency.png (default out:
reports/); the raw numbers go to <out>/raw/benchmark.json (not committed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Any, Dict, List, Sequence

import aiohttp

from clinic_assistant.channels.messages import channel_message
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.launcher import DEFAULT_MODEL, AssistantProcesses
from measure.common import (
    BIN,
    QUIET_ENV,
    RAW,
    ROOT,
    StepFailed,
    add_report_arguments,
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
)
from tests.support.chat import booking_link_shown

# One runner's conversation: FAQ questions, then a full screening ending with the
# booking link (No to pregnancy, blood, infection, infection risk; knee; confirm).
SCRIPT = [
    "hi",
    "what is dry needling",
    "does it hurt",
    "I'd like to book",
    "No",
    "No",
    "No",
    "No",
    "Knee",
    "Yes, that's right",
]
# Appended (in turn) when --turns asks for more turns than the script has.
EXTRA_TURNS = [
    "how will i feel after the treatment",
    "what is a trigger point",
    "can i run after dry needling",
    "thanks",
]
TARGETS = {
    "p95_ms_at_10": 100.0,
    "saturation_msgs_per_s": 50.0,
    "served_over_floor_p50": 2.0,
    "rasa_memory_gib": 1.5,
}
SATURATION_CLIENTS = 50
PHASES = ("nlu", "policies", "custom_action", "tracker_load", "tracker_save")


def ms(value: float | None) -> str:
    return fmt(value, 1)


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float | None:
    """q-th percentile (0-100), linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(latencies_s: Sequence[float]) -> Dict[str, float | None]:
    values = [x * 1000 for x in latencies_s]
    return {
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
        "mean_ms": sum(values) / len(values) if values else None,
        "max_ms": max(values) if values else None,
    }


def script_turns(turns: int) -> List[str]:
    extra = [EXTRA_TURNS[i % len(EXTRA_TURNS)] for i in range(turns - len(SCRIPT))]
    return SCRIPT[:turns] + extra


# --------------------------------------------------------------------------- load


class Runner:
    """Sends conversations to the REST channel and records every message."""

    def __init__(self, url: str, booking_url: str, timeout: float = 60) -> None:
        self.webhook = f"{url}/webhooks/rest/webhook"
        self.booking_url = booking_url
        # what the channel says when nothing replied (clinic_assistant.channels.safe)
        self.apology = channel_message("apology")
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def message(
        self, session: aiohttp.ClientSession, sender: str, text: str
    ) -> Dict[str, Any]:
        started = time.perf_counter()
        record: Dict[str, Any] = {"text": text, "status": None, "replies": 0, "error": None}
        try:
            async with session.post(
                self.webhook, json={"sender": sender, "message": text}, timeout=self.timeout
            ) as response:
                record["status"] = response.status
                body = await response.json(content_type=None)
        except Exception as error:  # counted, never fatal: a benchmark must finish
            record["error"] = f"{type(error).__name__}: {error}"[:200]
            body = None
        record["latency_s"] = time.perf_counter() - started
        if record["status"] != 200 and record["error"] is None:
            record["error"] = f"HTTP {record['status']}"
        if record["status"] == 200:
            replies = [r for r in body if isinstance(r, dict)] if isinstance(body, list) else []
            texts = [r.get("text") or "" for r in replies]
            record["replies"] = len(body) if isinstance(body, list) else 0
            record["apology"] = any(self.apology in t for t in texts)
            record["booking_link"] = booking_link_shown(replies, self.booking_url)
            record["reply_texts"] = texts
        return record

    async def run_level(
        self,
        clients: int,
        conversations_per_client: int,
        turns: Sequence[str],
        think_s: float,
        label: str,
        seed: int = 2024,
    ) -> Dict[str, Any]:
        run_id = uuid.uuid4().hex[:8]
        conversations: List[List[Dict[str, Any]]] = []

        async def client(session: aiohttp.ClientSession, number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            if think_s > 0:  # do not all start in the same millisecond
                await asyncio.sleep(rng.uniform(0, think_s))
            for repeat in range(conversations_per_client):
                sender = f"bench-{run_id}-{label}-{number}-{repeat}"
                records = []
                for index, text in enumerate(turns):
                    if index and think_s > 0:
                        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
                    records.append({**await self.message(session, sender, text), "turn": index})
                conversations.append(records)

        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            started = time.perf_counter()
            await asyncio.gather(*(client(session, n) for n in range(clients)))
            wall = time.perf_counter() - started
        return summarize_level(
            label, clients, conversations_per_client, think_s, wall, conversations, len(turns)
        )


def summarize_level(
    label: str,
    clients: int,
    conversations_per_client: int,
    think_s: float,
    wall_s: float,
    conversations: List[List[Dict[str, Any]]],
    turns: int,
) -> Dict[str, Any]:
    records = [r for conversation in conversations for r in conversation]
    ok = [r for r in records if r["status"] == 200 and r["error"] is None]
    by_turn: Dict[int, List[float]] = {}
    for r in ok:
        by_turn.setdefault(r["turn"], []).append(r["latency_s"] * 1000)
    sample = conversations[0] if conversations else []
    return {
        "label": label,
        "clients": clients,
        "conversations_per_client": conversations_per_client,
        "think_s": think_s,
        "messages": len(records),
        "wall_s": wall_s,
        "msgs_per_s": len(records) / wall_s if wall_s else None,
        **latency_summary([r["latency_s"] for r in ok]),
        "errors": sum(r["error"] is not None for r in records),
        "lost": sum(r["status"] == 200 and r["replies"] == 0 for r in records),
        "apologies": sum(bool(r.get("apology")) for r in records),
        "conversations": len(conversations),
        "booking_link_reached": (
            sum(any(r.get("booking_link") for r in c) for c in conversations)
            if turns >= len(SCRIPT)
            else None
        ),
        "error_examples": sorted({r["error"] for r in records if r["error"]})[:5],
        "p50_ms_by_turn": {str(t): percentile(v, 50) for t, v in sorted(by_turn.items())},
        "sample_transcript": [
            {"user": r["text"], "bot": r.get("reply_texts"), "latency_ms": r["latency_s"] * 1000}
            for r in sample
        ],
    }


# --------------------------------------------------------------------------- phases


async def phase_totals(url: str) -> Dict[str, Dict[str, float]]:
    """Sum and count of the server's clinic_phase_seconds histogram, by phase."""
    from prometheus_client.parser import text_string_to_metric_families

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/webhooks/ops/metrics") as response,
    ):
        text = await response.text()
    totals: Dict[str, Dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "clinic_phase_seconds":
            continue
        for sample in family.samples:
            kind = sample.name.rsplit("_", 1)[-1]
            if kind in ("sum", "count"):
                totals.setdefault(sample.labels["phase"], {})[kind] = sample.value
    return totals


def phase_deltas(
    before: Dict[str, Dict[str, float]], after: Dict[str, Dict[str, float]], messages: int
) -> Dict[str, Dict[str, float]]:
    """Per message: how often each phase ran and the milliseconds it took."""
    deltas = {}
    for phase in PHASES:
        old, new = before.get(phase, {}), after.get(phase, {})
        calls = new.get("count", 0) - old.get("count", 0)
        seconds = new.get("sum", 0) - old.get("sum", 0)
        deltas[phase] = {
            "calls_per_msg": calls / messages if messages else 0,
            "ms_per_msg": seconds * 1000 / messages if messages else 0,
        }
    return deltas


# --------------------------------------------------------------------------- processes


def _stat_fields(pid: int) -> List[str] | None:
    """/proc/<pid>/stat after the command name (field 3 onwards), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree(pid: int) -> List[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(int(stat.parent.name))
        if fields:
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo.extend(parents.get(tree[-1], []))
    return tree


def memory_kib(pid: int) -> Dict[str, int]:
    """VmHWM (peak resident) and VmRSS (current resident) of one process, in KiB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(line.split()[1])
    except OSError:
        pass
    return values


def tree_memory(pid: int) -> Dict[str, Any]:
    per_process = {p: memory_kib(p) for p in process_tree(pid)}
    return {
        "pid": pid,
        "processes": len(per_process),
        "main_hwm_kib": per_process.get(pid, {}).get("VmHWM"),
        "main_rss_kib": per_process.get(pid, {}).get("VmRSS"),
        "tree_hwm_kib": sum(m.get("VmHWM", 0) for m in per_process.values()),
        "tree_rss_kib": sum(m.get("VmRSS", 0) for m in per_process.values()),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process tree so far (from /proc/<pid>/stat)."""
    fields = [_stat_fields(member) for member in process_tree(pid)]
    ticks = sum(int(f[11]) + int(f[12]) for f in fields if f)  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Highest resident size (VmRSS) of each process tree, sampled every 0.5 s."""

    def __init__(self, pids: Dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.max_rss_kib = dict.fromkeys(pids, 0)
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.wait(0.5):
            for name, pid in self.pids.items():
                rss = tree_memory(pid)["tree_rss_kib"]
                self.max_rss_kib[name] = max(self.max_rss_kib[name], rss)

    def stop(self) -> Dict[str, int]:
        self.finished.set()
        self.join(timeout=5)
        return self.max_rss_kib


# --------------------------------------------------------------------------- floor


async def _timed_parses(
    agent: Any, texts: Sequence[str], repeats: int, think_s: float, rng: random.Random
) -> Dict[str, Any]:
    timings: List[float] = []
    by_text: Dict[str, List[float]] = {}
    for _ in range(repeats):
        for text in texts:
            if think_s > 0:  # the same pauses as a runner's think time in the c1 run
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            started = time.perf_counter()
            await agent.parse_message(text)
            timings.append(time.perf_counter() - started)
            by_text.setdefault(text, []).append(timings[-1] * 1000)
    return {
        "messages": len(timings),
        **latency_summary(timings),
        "p50_ms_by_text": {text: percentile(v, 50) for text, v in by_text.items()},
    }


async def parse_floor(
    model: Path, texts: Sequence[str], repeats: int, think_s: float
) -> Dict[str, Any]:
    """NLU parse time of the same messages with the model loaded in this process.

    Measured twice: back to back, and with the runners' think time before each
    parse. A process that has been idle for a second answers slower (caches,
    CPU wake-up), so each served run is compared with the floor measured the
    same way. The server's Rasa code and TensorFlow threads are installed, so
    the ratio is the serving overhead only.
    """
    started = time.perf_counter()
    agent = load_agent(model, server_code=True)
    load_s = time.perf_counter() - started
    for text in texts:  # warm-up, not timed (first calls build TensorFlow graphs)
        await agent.parse_message(text)
    rng = random.Random(2024)
    return {
        "model_load_s": load_s,
        "think_s": think_s,
        "back_to_back": await _timed_parses(agent, texts, repeats, 0, rng),
        "paced": await _timed_parses(agent, texts, repeats, think_s, rng) if think_s else None,
    }


def one_conversation_level(result: Dict[str, Any]) -> Dict[str, Any] | None:
    """The run at 1 concurrent conversation with think time (c1), if measured."""
    return next((lvl for lvl in result["levels"] if lvl["clients"] == 1), None)


def floor_comparisons(result: Dict[str, Any], floor: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Served p50 at 1 conversation over the floor p50, measured the same way."""
    pairs = [
        ("with think time", one_conversation_level(result), floor.get("paced")),
        ("back to back", result.get("back_to_back"), floor.get("back_to_back")),
    ]
    return [
        {
            "pacing": pacing,
            "served_label": served["label"],
            "served_p50_ms": served["p50_ms"],
            "floor_p50_ms": parsed["p50_ms"],
            "ratio": served["p50_ms"] / parsed["p50_ms"],
        }
        for pacing, served, parsed in pairs
        if served and parsed and served["p50_ms"] and parsed["p50_ms"]
    ]


# --------------------------------------------------------------------------- training, clone


def training_time_from_log(log: Path) -> Dict[str, Any] | None:
    """Duration of the last `make` training from its log: first log line to file mtime."""
    if not log.exists():
        return None
    text = log.read_text(errors="replace")
    if "Your Rasa model is trained" not in text or "from cache" in text:
        return None  # not trained, or an incremental training that restored components
    match = re.search(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ", text, re.MULTILINE)
    if not match:
        return None
    first = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").timestamp()
    seconds = log.stat().st_mtime - first
    if seconds <= 0:
        return None
    return {
        "seconds": seconds,
        "source": f"{relative(log)} (first log line to the file's last write; "
        "misses the few seconds of start-up before Rasa's first log line)",
        "when": dt.datetime.fromtimestamp(log.stat().st_mtime).strftime("%Y-%m-%d %H:%M"),
    }


def measure_training(tmp: Path) -> Dict[str, Any]:
    command = [str(BIN / "rasa"), "train", "--force", "--out", str(tmp / "train"),
               "--fixed-model-name", "bench"]  # fmt: skip
    return {
        "seconds": run_logged(command, tmp / "train.log", "rasa train"),
        "source": "measured in this run: `rasa train --force` (full training, no cache) "
        "into a temp dir",
        "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


def first_answer() -> None:
    """In a fresh clone: start the assistant, ask one question; prints the times as JSON."""
    from tests.support.chat import post

    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as run_dir,
        AssistantProcesses.on_free_ports(Path(run_dir)) as assistant,
    ):
        ready = time.monotonic()
        body = json.dumps({"sender": "fresh-clone", "message": "what is dry needling"})
        _, replies = post(assistant.url, body.encode(), timeout=120)
        answered = time.monotonic()
    print(json.dumps({"start_to_ready_s": ready - started, "first_reply_s": answered - ready,
                      "replies": len(replies or [])}))  # fmt: skip


def measure_fresh_clone(repo: str, tmp: Path) -> Dict[str, Any]:
    """git clone + make setup + start + first answer, each step timed."""
    clone = tmp / "clone"
    env = {**os.environ, **QUIET_ENV}
    env.pop("VIRTUAL_ENV", None)
    started = time.monotonic()
    steps = {
        name: run_logged(command, tmp / f"{name.replace(' ', '_')}.log", name, env=env)
        for name, command in (
            ("git clone", ["git", "clone", "--quiet", repo, str(clone)]),
            ("make setup", ["make", "-C", str(clone), "setup"]),
        )
    }
    result = subprocess.run(
        [str(clone / ".venv" / "bin" / "python"), "-c",
         "from measure.bench import first_answer; first_answer()"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if result.returncode != 0:
        raise StepFailed(f"starting the clone failed:\n{result.stderr[-2000:]}")
    driver = json.loads(result.stdout.strip().splitlines()[-1])
    steps["start to ready"] = driver["start_to_ready_s"]
    steps["first answer"] = driver["first_reply_s"]
    return {
        "seconds": time.monotonic() - started,
        "steps_s": steps,
        "replies": driver["replies"],
        "source": f"measured in this run: git clone {repo} (committed HEAD), make setup, "
        "start both servers, first answer",
        "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


# --------------------------------------------------------------------------- report


def all_runs(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    extra = [result.get("back_to_back"), result.get("saturation")]
    return result["levels"] + [run for run in extra if run]


def evaluate_targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    at10 = next((lvl for lvl in result["levels"] if lvl["clients"] == 10), None)
    p95 = at10["p95_ms"] if at10 else None
    rate = result["saturation"]["msgs_per_s"] if result["saturation"] else None
    comparisons = result["floor"]["comparisons"] if result["floor"] else []
    ratios = [c["ratio"] for c in comparisons]
    rasa_gib = result["memory"]["rasa"]["tree_hwm_kib"] / 1024**2 if result["memory"] else None
    runs = all_runs(result)
    problems = sum(r["errors"] + r["lost"] + r["apologies"] for r in runs)

    def target(text: str, value: float | None, unit: str, ok: bool, digits: int = 1) -> Dict:
        shown = "not measured" if value is None else f"{value:.{digits}f}{unit}"
        return {"target": text, "measured": shown, "ok": None if value is None else ok}

    return [
        target(f"p95 latency at 10 concurrent conversations < {TARGETS['p95_ms_at_10']:g} ms",
               p95, " ms", p95 is not None and p95 < TARGETS["p95_ms_at_10"]),
        target(f"saturation throughput >= {TARGETS['saturation_msgs_per_s']:g} messages/s",
               rate, " msg/s", rate is not None and rate >= TARGETS["saturation_msgs_per_s"]),
        {"target": "zero errors, lost replies and apologies (all runs)",
         "measured": f"{problems} in {sum(r['messages'] for r in runs)} messages",
         "ok": problems == 0},
        {"target": f"served p50 (1 conversation) within {TARGETS['served_over_floor_p50']:g}x of "
                   "the in-process floor p50, both measured with think time and both back to back",
         "measured": ", ".join(f"{c['ratio']:.2f}x {c['pacing']}" for c in comparisons) or "n/a",
         "ok": None if not ratios else all(r <= TARGETS["served_over_floor_p50"] for r in ratios)},
        target(f"Rasa server peak resident memory < {TARGETS['rasa_memory_gib']:g} GiB",
               rasa_gib, " GiB", rasa_gib is not None and rasa_gib < TARGETS["rasa_memory_gib"], 2),
    ]  # fmt: skip


def plot(levels: List[Dict[str, Any]], saturation: Dict[str, Any] | None, path: Path) -> None:
    with warnings.catch_warnings():  # matplotlib 3.5 vs newer pyparsing: deprecation noise
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

    clients = [lvl["clients"] for lvl in levels]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for key, label, style in (("p50_ms", "p50", "o-"), ("p95_ms", "p95", "s-"),
                              ("p99_ms", "p99", "^-")):  # fmt: skip
        values = [lvl[key] if lvl[key] is not None else float("nan") for lvl in levels]
        ax.plot(clients, values, style, label=label)
    ax.axhline(TARGETS["p95_ms_at_10"], color="grey", linestyle="--", linewidth=1,
               label="p95 target (at 10)")  # fmt: skip
    if saturation and saturation["p95_ms"] is not None:
        ax.plot([saturation["clients"]] * 2, [saturation["p50_ms"], saturation["p95_ms"]], "x",
                color="black", markersize=8, label="saturation p50/p95 (no think time)")  # fmt: skip
    if len(set(clients)) > 1:
        ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(clients)
    ax.set_xticklabels([str(c) for c in clients])
    ax.set_yscale("log")  # 1 conversation is ~100 ms, saturation several seconds
    ax.set_xlabel("concurrent conversations")
    ax.set_ylabel("reply latency (ms, log scale)")
    think = levels[0]["think_s"] if levels else 0
    ax.set_title(f"REST reply latency by concurrency (think time {think:g} s)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def cpu_lines(result: Dict[str, Any]) -> List[str]:
    runs = [r for r in all_runs(result) if r.get("cpu_ms_per_msg")]
    if not runs:
        return []
    names = list(runs[0]["cpu_ms_per_msg"])
    cpus = result["machine"]["usable_cpus"]
    return [
        "CPU time used per message (user + system, from /proc/<pid>/stat; the machine has "
        f"{cpus} CPUs, so at most about {cpus} CPU-seconds per second are available to all "
        "processes together):",
        "",
        *table(["run", *(f"{n} CPU ms/msg" for n in names)],
               [[r["label"], *(ms(r["cpu_ms_per_msg"][n]) for n in names)] for r in runs]),
        "",
    ]  # fmt: skip


def phase_lines(result: Dict[str, Any]) -> List[str]:
    runs = [r for r in all_runs(result) if r.get("phases")]
    if not runs:
        return []
    rows = [
        [r["label"], ms(r["p50_ms"]),
         *(f"{r['phases'][p]['ms_per_msg']:.1f} ({r['phases'][p]['calls_per_msg']:.1f})"
           for p in PHASES)]
        for r in runs
    ]  # fmt: skip
    return [
        "Where a message's time goes, from the server's own timings (the "
        "`clinic_phase_seconds` metric, clinic_assistant/rasa/phase_timing.py): "
        "milliseconds per message in each phase, with how many times per message it ran "
        "in brackets. The rest of the reply latency is HTTP, the channel, the slot "
        "extraction step, the responses and the conversation lock. Under load the server's "
        "one event loop serves other conversations while it awaits the action server, so "
        "there *custom_action* includes that queueing (and most of the reply latency); at "
        "1 conversation it is the round trip itself.",
        "",
        *table(["run", "reply p50 ms", *PHASES], rows),
        "",
    ]


def level_row(lvl: Dict[str, Any]) -> List[Any]:
    reached = lvl["booking_link_reached"]
    return [
        lvl["label"], lvl["clients"], f"{lvl['think_s']:g} s", lvl["messages"],
        ms(lvl["p50_ms"]), ms(lvl["p95_ms"]), ms(lvl["p99_ms"]), ms(lvl["max_ms"]),
        ms(lvl["msgs_per_s"]), lvl["errors"], lvl["lost"], lvl["apologies"],
        "n/a" if reached is None else f"{reached}/{lvl['conversations']}",
    ]  # fmt: skip


def floor_lines(result: Dict[str, Any]) -> List[str]:
    floor = result["floor"]
    if not floor:
        return ["Not measured in this run (--no-floor)."]
    passes = [(name, p) for name, p in (("back to back", floor["back_to_back"]),
                                        ("with think time", floor["paced"])) if p]  # fmt: skip
    lines = [
        "The same model loaded in the benchmark process (`Agent.load`, with the server's "
        "fixes to Rasa from clinic_assistant/rasa/speedups.py installed and the same "
        "TensorFlow thread settings, so that the floor runs the same NLU code as the "
        "server), timing `await agent.parse_message(text)` for the script's messages after "
        "a warm-up, servers stopped: once back to back, once with the c1 run's think time "
        f"({floor['think_s']:g} s, jittered the same way) before each parse. This is the "
        "NLU pipeline only: the served latency also includes HTTP, the dialogue "
        "policies, the tracker store and the action server round trip. A process that "
        "has been idle for a second parses slower than one that is busy (caches, CPU "
        "wake-up), so each served run is compared with the floor measured the same way.",
        "",
        *table(("floor: NLU parse in process", "parses", "p50 ms", "p95 ms", "p99 ms"),
               [(name, p["messages"], ms(p["p50_ms"]), ms(p["p95_ms"]), ms(p["p99_ms"]))
                for name, p in passes]),
        "",
        *table(("pacing", "served run", "served p50 ms", "floor p50 ms", "served / floor"),
               [(c["pacing"], c["served_label"], ms(c["served_p50_ms"]), ms(c["floor_p50_ms"]),
                 f"**{c['ratio']:.2f}x**") for c in floor["comparisons"]]),
    ]  # fmt: skip
    first = result["levels"][0] if result["levels"] else None
    if first and first.get("p50_ms_by_turn"):
        floor_by_text = (floor["paced"] or floor["back_to_back"])["p50_ms_by_text"]
        rows = [
            (int(turn) + 1, result["turns"][int(turn)], ms(served),
             ms(floor_by_text.get(result["turns"][int(turn)])))
            for turn, served in first["p50_ms_by_turn"].items()
        ]  # fmt: skip
        lines += [
            "",
            f"Per message of the script ({first['label']}: {first['clients']} concurrent): "
            "where the served time goes. Turns answered by a custom action (the "
            "screening form, the decision) include the action server round trip.",
            "",
            *table(
                ("turn", "message", "served p50 ms", "floor p50 ms (NLU only, same pacing)"), rows
            ),
        ]
    return lines


def mib(kib: int | None) -> str:
    return "n/a" if not kib else f"{kib / 1024:.0f} MiB"


def memory_lines(memory: Dict[str, Any] | None) -> List[str]:
    if not memory:
        return []
    header = ("process", "processes in tree", "peak (VmHWM) main", "peak (VmHWM) tree",
              "max sampled RSS tree", "RSS at end")  # fmt: skip
    rows = [
        (label, m["processes"], mib(m["main_hwm_kib"]), mib(m["tree_hwm_kib"]),
         mib(m["max_sampled_rss_kib"]), mib(m["tree_rss_kib"]))
        for label, m in (("Rasa server", memory["rasa"]), ("action server", memory["actions"]))
    ]  # fmt: skip
    return [
        "Peak resident set (VmHWM from /proc/<pid>/status, includes loading the model) at "
        "the end of the run; the Rasa server's tree is its process (`python -m "
        "clinic_assistant.rasa.cli run`) plus any child processes. Highest VmRSS sampled "
        "every 0.5 s during the load runs for comparison.",
        "",
        *table(header, rows),
    ]


def once_lines(result: Dict[str, Any]) -> List[str]:
    lines = []
    for key, label, flag in (("training", "Training time (`rasa train`, full)", "--train"),
                             ("fresh_clone", "Fresh clone to first answer", "--fresh-clone")):  # fmt: skip
        item = result.get(key)
        if not item:
            lines.append(f"- {label}: not measured in this run (run with `{flag}`).")
            continue
        steps = item.get("steps_s")
        detail = " (" + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items()) + ")" if steps else ""
        lines.append(f"- {label}: **{item['seconds'] / 60:.1f} min**{detail}; {item['source']}; "
                     f"{item['when']}.")  # fmt: skip
    return lines


def report_lines(result: Dict[str, Any]) -> List[str]:
    saturation = result["saturation"]
    rows = [level_row(lvl) for lvl in all_runs(result)]
    if not saturation:
        rows.append(["saturation", "not measured in this run (--small / --no-saturation)"])
    lines = [
        "# Benchmark: latency, throughput, memory",
        "",
        generated_by("python -m measure.bench", result["machine"]["git"], result["date"])
        + f" ({'SMALL run (--small), not representative' if result['small'] else 'full run'}; "
        f"took {result['duration_s'] / 60:.1f} min). All numbers were measured in this run "
        "unless a line says otherwise.",
        "",
        "## Machine",
        "",
        *machine_lines(result["machine"]),
        f"- Model: `{relative(result['model'])}`, built {result.get('model_built')} (copied at "
        "the start; the server and the floor both use that copy)",
        f"- Load average when the run ended: {result['machine'].get('load_average_at_end')}",
        "- The benchmark client runs on the same machine as both servers and takes CPU from "
        "them.",
        "",
        "## Targets",
        "",
        *table(("target", "measured", "result"),
               [(t["target"], t["measured"], passed(t["ok"])) for t in result["targets"]]),
        "",
        "## Latency and throughput (REST channel, both servers)",
        "",
        f"Each simulated runner follows this {len(result['turns'])}-message script with its "
        "own sender id: " + ", ".join(f'"{t}"' for t in result["turns"]) + ". "
        "Latency is from sending the POST to having the whole reply list (Rasa's NLU, "
        "dialogue policies, the action server round trip for the screening steps and the "
        "SQLite tracker store). Between a reply and its next message each runner waits the "
        "think time (uniformly 0.5-1.5x); the saturation run has none. "
        f"A warm-up conversation ran first and is not counted. Server start to ready: "
        f"{ms(result['startup_s'])} s.",
        "",
        *table(("run", "concurrent", "think", "messages", "p50 ms", "p95 ms", "p99 ms",
                "max ms", "msg/s", "errors", "lost", "apologies", "booking link reached"),
               rows),
        "",
        "*errors*: HTTP status other than 200, time-outs and connection errors; *lost*: HTTP 200 "
        "with an empty reply list; *apologies*: the channel's \"Sorry, something went wrong on "
        'my side" reply, sent when handling a message failed; *booking link reached*: '
        "conversations whose screening ended with the booking link. With think time, msg/s is "
        "the load the runners offer, not the server's capacity; the saturation run measures "
        "that.",
        "",
        "![latency by concurrency](latency_by_concurrency.png)",
        "",
        *cpu_lines(result),
        *phase_lines(result),
        "## In-process floor (NLU parse only)",
        "",
        *floor_lines(result),
        "",
        "## Memory",
        "",
        *memory_lines(result["memory"]),
        "",
        "## Training and first answer",
        "",
        *once_lines(result),
        "",
        "## Reproduce",
        "",
        "```",
        "make bench   # = .venv/bin/python -m measure.bench",
        f"# this run: {result['command']}",
        "```",
        "",
        "Options: `--concurrency 1,10,50`, `--turns N`, `--think S`, `--min-messages M` (each "
        "level runs whole conversations until at least M messages), `--no-saturation`, "
        "`--small` (for the test suite), `--train`, `--fresh-clone`, `--out DIR`, "
        f"`--report-only`. Raw numbers: `{RAW}/benchmark.json` (not committed).",
        "",
    ]  # fmt: skip
    sample = (result["levels"] or [{}])[0].get("sample_transcript") or []
    if sample:
        rows = [
            (turn["user"], " / ".join((t or "").split("\n")[0][:90] for t in turn["bot"] or [])
             .replace("|", "/"), f"{turn['latency_ms']:.0f}")
            for turn in sample
        ]  # fmt: skip
        lines += ["## Sample conversation (first conversation at the first level)", ""]
        lines += [*table(("runner", "assistant (first line)", "ms"), rows), ""]
    return lines


def write_outputs(result: Dict[str, Any], out: Path) -> Path:
    """The plot and BENCHMARK.md from a run's numbers."""
    plot(result["levels"], result["saturation"], out / "latency_by_concurrency.png")
    path = out / "BENCHMARK.md"
    path.write_text("\n".join(report_lines(result)), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    option = parser.add_argument
    option("--concurrency", default="1,10,50", help="comma-separated concurrent conversations")
    option("--turns", type=int, default=len(SCRIPT), help="messages per conversation (script)")
    option("--think", type=float, default=1.0, help="seconds between a reply and the next (1)")
    option("--min-messages", type=int, default=60, help="at least this many messages per level")
    option("--saturation-conversations", type=int, default=2, help="per runner in saturation")
    option("--no-saturation", action="store_true", help="skip the saturation run")
    option("--no-floor", action="store_true", help="skip the in-process floor")
    option("--floor-repeats", type=int, default=5, help="timed passes over the script (5)")
    option("--small", action="store_true", help="tiny run for the tests (1,2; no saturation)")
    option("--train", action="store_true", help="also time a full `rasa train` (minutes)")
    option("--fresh-clone", action="store_true", help="also time clone to first answer (~10 min)")
    option("--repo", default=str(ROOT), help="repository for --fresh-clone")
    option("--report-only", action="store_true", help="rewrite the report from the raw JSON")
    option("--model", type=Path, default=DEFAULT_MODEL, help="trained model")
    add_report_arguments(parser)
    args = parser.parse_args(argv)
    if args.small:
        args.concurrency, args.min_messages, args.no_saturation = "1,2", 1, True
        args.think, args.floor_repeats = min(args.think, 0.1), 1
    return args


async def measure_load(
    url: str, args: argparse.Namespace, turns: List[str], pids: Dict[str, int]
) -> Dict[str, Any]:
    runner = Runner(url, load_clinic_facts().booking_url)
    print("  warm-up conversation (not counted)", flush=True)
    await runner.run_level(1, 1, turns, 0, "warmup")

    async def run_measured(*level_args: Any) -> Dict[str, Any]:
        """One level, with the CPU time each process used and the server's phase
        timings, per message."""
        phases_before = await phase_totals(url)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        before["benchmark client"] = time.process_time()
        level = await runner.run_level(*level_args)
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        after["benchmark client"] = time.process_time()
        level["cpu_ms_per_msg"] = {
            name: (after[name] - before[name]) * 1000 / level["messages"] for name in before
        }
        level["phases"] = phase_deltas(phases_before, await phase_totals(url), level["messages"])
        print(f"    p50 {ms(level['p50_ms'])} ms, p95 {ms(level['p95_ms'])} ms, "
              f"{ms(level['msgs_per_s'])} msg/s, errors {level['errors']}, "
              f"lost {level['lost']}", flush=True)  # fmt: skip
        return level

    levels = []
    for clients in [int(c) for c in args.concurrency.split(",") if c.strip()]:
        per_client = max(1, math.ceil(args.min_messages / (clients * len(turns))))
        print(f"  {clients} concurrent x {per_client} conversation(s), think {args.think:g} s",
              flush=True)  # fmt: skip
        levels.append(await run_measured(clients, per_client, turns, args.think, f"c{clients}"))
    per_client = max(1, math.ceil(args.min_messages / len(turns)))
    print(f"  1 conversation at a time x {per_client}, no think time", flush=True)
    back_to_back = await run_measured(1, per_client, turns, 0, "c1 back-to-back")
    saturation = None
    if not args.no_saturation:
        print(f"  saturation: {SATURATION_CLIENTS} concurrent, no think time", flush=True)
        saturation = await run_measured(
            SATURATION_CLIENTS, args.saturation_conversations, turns, 0, "saturation"
        )
    return {"levels": levels, "back_to_back": back_to_back, "saturation": saturation}


def serve_and_load(args: argparse.Namespace, model: Path, tmp: Path, turns: List[str]) -> Dict:
    """Start both servers, run the load levels, measure their memory; stop them."""
    print("Starting the action server and the Rasa server...", flush=True)
    assistant = AssistantProcesses.on_free_ports(tmp / "run", model=model)
    started = time.monotonic()
    try:
        assistant.start()
        result: Dict[str, Any] = {"startup_s": time.monotonic() - started}
        pids = {"rasa": assistant.rasa_process.pid, "actions": assistant.action_process.pid}
        sampler = MemorySampler(pids)
        sampler.start()
        result.update(asyncio.run(measure_load(assistant.url, args, turns, pids)))
        max_rss = sampler.stop()
        result["memory"] = {
            name: {**tree_memory(pid), "max_sampled_rss_kib": max_rss[name]}
            for name, pid in pids.items()
        }
        return result
    except Exception:
        log = tmp / "run" / "rasa.log"
        if log.exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            print(f"End of the Rasa server's log:\n{tail}", file=sys.stderr)
        raise
    finally:
        assistant.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out.resolve()
    raw = out / RAW / "benchmark.json"
    if args.report_only:  # after a wording change: the report again from the last run's numbers
        if not raw.exists():
            print(f"No {raw} to write the report from.", file=sys.stderr)
            return 1
        print(f"Report written again to {write_outputs(json.loads(raw.read_text()), out)}")
        return 0
    if not args.model.exists():
        print(f"No trained model at {args.model}: run `make setup` first.", file=sys.stderr)
        return 1
    source = stamp_or_refuse(args.allow_dirty)
    if source is None:
        return 2
    started = time.monotonic()
    turns = script_turns(args.turns)
    result: Dict[str, Any] = {
        "date": now(),
        "machine": machine_info(source),
        "small": args.small,
        "command": " ".join([".venv/bin/python -m measure.bench", *(argv or sys.argv[1:])]),
        "model": str(args.model),
        "turns": turns,
        "targets_definition": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        # A private copy: the server and the floor measure the same model even if
        # models/ is retrained meanwhile.
        model = tmp / "model.tar.gz"
        shutil.copy2(args.model, model)
        result["model_built"] = dt.datetime.fromtimestamp(model.stat().st_mtime).strftime(
            "%Y-%m-%d %H:%M"
        )
        result.update(serve_and_load(args, model, tmp, turns))
        result["floor"] = None
        if not args.no_floor:
            print("In-process floor: Agent.load + parse_message...", flush=True)
            served = one_conversation_level(result)
            floor = asyncio.run(
                parse_floor(model, turns, args.floor_repeats, served["think_s"] if served else 0)
            )
            result["floor"] = {**floor, "comparisons": floor_comparisons(result, floor)}
        result["training"] = training_time_from_log(ROOT / "var" / "log" / "train.log")
        if args.train:
            print("Timing a full `rasa train` (minutes)...", flush=True)
            result["training"] = measure_training(tmp)
        result["fresh_clone"] = None
        if args.fresh_clone:
            print("Timing git clone + make setup + first answer (~10 min)...", flush=True)
            result["fresh_clone"] = measure_fresh_clone(args.repo, tmp)

    result["machine"]["load_average_at_end"] = load_average()
    result["duration_s"] = time.monotonic() - started
    result["targets"] = evaluate_targets(result)
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(result, indent=1))
    print(f"\nBenchmark written to {relative(write_outputs(result, out))}")
    for target in result["targets"]:
        print(f"  {passed(target['ok']):12} {target['target']}: {target['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
