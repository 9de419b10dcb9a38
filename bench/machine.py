"""What machine a measurement ran on, for the generated reports."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[1]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_revision() -> str:
    """Commit of the work tree, with '+changes' if tracked files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not commit:
        return "no commit yet"
    return commit + (" +uncommitted changes" if dirty else "")


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine_info() -> Dict[str, Any]:
    return {
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": _ram_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "rasa": _version("rasa"),
        "tensorflow": _version("tensorflow"),
        "git": git_revision(),
        "load_average_at_start": load_average(),
        "niceness": os.nice(0),
    }


def machine_lines(info: Dict[str, Any]) -> str:
    """The machine as a Markdown bullet list."""
    return "\n".join(
        [
            f"- CPU: {info['cpu_model']}, {info['logical_cpus']} logical CPUs "
            f"({info['usable_cpus']} usable by this process)",
            f"- RAM: {info['ram_gib']} GiB; {info['os']}",
            f"- Python {info['python']}, Rasa {info['rasa']}, TensorFlow {info['tensorflow']}",
            f"- Code: git {info['git']}",
            f"- Load average (1/5/15 min) when the run started: {info['load_average_at_start']}"
            " (the machine may be shared; other work slows the numbers down)",
            f"- Process niceness: {info.get('niceness')}"
            + (
                " (run with `nice`: other work on the machine gets the CPU first)"
                if info.get("niceness")
                else ""
            ),
        ]
    )
