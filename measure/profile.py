"""`make profile`: where the Rasa server spends its CPU under load.

    python -m measure.profile [--seconds 20] [--clients 10] [--out DIR] [--allow-dirty]

Starts both servers the way `make bench` does, runs one warm-up conversation,
then samples the Rasa server with py-spy while 10 runners talk to it with no
think time. Writes <out>/rasa_profile.svg (flame graph) and <out>/PROFILE.md
(the functions with the largest share of the samples, counting a function once
per sample wherever it is on the stack).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import List, Sequence, Tuple

from clinic_assistant.config import load_clinic_facts
from clinic_assistant.launcher import DEFAULT_MODEL, AssistantProcesses
from measure.bench import Runner, script_turns
from measure.common import (
    BIN,
    add_report_arguments,
    generated_by,
    relative,
    stamp_or_refuse,
    table,
)

LINE_NUMBER = re.compile(r":\d+\)$")  # one row per function, not per line of it
# Frames above Rasa's message handler (server loop, channel) are not informative.
HANDLER = "handle_message (rasa/core/processor.py"


def top_functions(collapsed: Path, count: int) -> Tuple[int, List[Tuple[str, float]]]:
    """Share of all samples that have each function on the stack below the message
    handler (py-spy's raw format: one stack per line, frames "name (file:line)"
    joined by ';', then the number of samples)."""
    total = 0
    inclusive: Counter = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
        total += int(samples)
        start = next((i for i, f in enumerate(frames) if f.startswith(HANDLER)), None)
        if start is not None:
            for frame in set(frames[start:]):
                inclusive[frame] += int(samples)
    return total, [(frame, n / total) for frame, n in inclusive.most_common(count)]


def record(pid: int, seconds: float, out: Path, fmt: str) -> subprocess.Popen:
    py_spy = shutil.which("py-spy", path=str(BIN)) or "py-spy"
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--duration", str(int(seconds)),
         "--rate", "200", "--format", fmt, "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="sampling time (20)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent runners (10)")
    parser.add_argument("--top", type=int, default=40, help="functions listed (40)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    add_report_arguments(parser)
    args = parser.parse_args(argv)
    source = stamp_or_refuse(args.allow_dirty)
    if source is None:
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp_name:
        tmp = Path(tmp_name)
        assistant = AssistantProcesses.on_free_ports(tmp / "run", model=args.model)
        with assistant:  # starts both servers, stops them on the way out
            runner = Runner(assistant.url, load_clinic_facts().booking_url)
            turns = script_turns(10)
            asyncio.run(runner.run_level(1, 1, turns, 0, "warmup"))
            pid = assistant.rasa_process.pid
            collapsed, svg = tmp / "rasa.collapsed", out / "rasa_profile.svg"
            spies = [record(pid, args.seconds, collapsed, "raw"),
                     record(pid, args.seconds, svg, "flamegraph")]  # fmt: skip
            time.sleep(1)  # py-spy attached
            deadline = time.monotonic() + args.seconds - 1
            messages = 0
            while time.monotonic() < deadline:
                level = asyncio.run(runner.run_level(args.clients, 1, turns, 0, "profile"))
                messages += level["messages"]
            for spy in spies:
                spy.wait(timeout=120)
        if not collapsed.exists():
            print("py-spy recorded nothing (is ptrace allowed here?)", file=sys.stderr)
            return 1
        total, rows = top_functions(collapsed, args.top)
    lines = [
        "# Where the Rasa server spends its CPU",
        "",
        generated_by("python -m measure.profile", source) + f": py-spy sampled the Rasa "
        f"server at 200 Hz for {args.seconds:g} s ({total} samples of busy threads) while "
        f"{args.clients} runners sent {messages} messages of the benchmark script with no "
        "think time. Flame graph: [rasa_profile.svg](rasa_profile.svg).",
        "",
        "Share of all samples with the function on the stack, from Rasa's message "
        "handler down (the rest is the web server, the channel and idle threads):",
        "",
        *table(
            ("share", "function (file)"),
            [(f"{share * 100:.1f}%", f"`{frame}`") for frame, share in rows],
        ),  # fmt: skip
        "",
    ]
    (out / "PROFILE.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"Profile written to {relative(out / 'PROFILE.md')} and {relative(svg)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
