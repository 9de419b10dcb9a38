"""Start and stop the action server and the Rasa server together.

Used by `make run`/`make shell` (scripts/run_assistant.py), by the tests that
talk to the real servers and by the benchmark, so all three start the
assistant the same way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import yaml

from clinic_assistant import PROJECT_ROOT

BIN = Path(sys.executable).parent
DEFAULT_MODEL = PROJECT_ROOT / "models" / "dry-needling.tar.gz"
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}


# Ports this process has handed out: the OS may offer a port again while nothing
# has bound it yet, and two servers given the same port fail to start.
_HANDED_OUT: set = set()


def free_port() -> int:
    """A free loopback port, never one this process handed out before."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def wait_for_http(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class AssistantProcesses:
    """One action server and one Rasa server, with their own ports and files."""

    run_dir: Path
    rasa_port: int = 5005
    action_port: int = 5055
    action_metrics_port: int = 5056
    interface: str = "127.0.0.1"
    model: Path = DEFAULT_MODEL
    endpoint_overrides: Dict[str, Any] = field(default_factory=dict)
    cors_origins: List[str] = field(default_factory=lambda: ["*"])
    env: Dict[str, str] = field(default_factory=dict)
    start_actions: bool = True
    extra_rasa_args: List[str] = field(default_factory=list)
    processes: List[subprocess.Popen] = field(default_factory=list)
    action_process: subprocess.Popen | None = None
    rasa_process: subprocess.Popen | None = None

    @classmethod
    def on_free_ports(cls, run_dir: Path, **options: Any) -> AssistantProcesses:
        """One that shares no port with another (tests, measurements); not started yet."""
        return cls(
            run_dir=run_dir,
            rasa_port=free_port(),
            action_port=free_port(),
            action_metrics_port=free_port(),
            **options,
        )

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.interface in ("0.0.0.0", "") else self.interface
        return f"http://{host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def write_endpoints(self) -> Path:
        with open(PROJECT_ROOT / "endpoints.yml", encoding="utf-8") as handle:
            endpoints = yaml.safe_load(handle)
        endpoints["action_endpoint"] = {"url": f"{self.action_url}/webhook"}
        endpoints.update(self.endpoint_overrides)
        store = endpoints.get("tracker_store") or {}
        if store.get("dialect") == "sqlite" and not Path(store["db"]).is_absolute():
            store["db"] = str(self.run_dir / "data" / Path(store["db"]).name)
            Path(store["db"]).parent.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        return path

    def _environment(self) -> Dict[str, str]:
        return {
            **os.environ,
            **QUIET_ENV,
            "SANIC_HOST": "127.0.0.1",  # the action server is never exposed
            "ACTION_METRICS_PORT": str(self.action_metrics_port),
            "CORS_ORIGINS": " ".join(self.cors_origins),  # the socket.io origin check
            **self.env,
        }

    def spawn(self, args: List[str], log_name: str) -> subprocess.Popen:
        log = open(self.run_dir / log_name, "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=self._environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, we stop them in order
        )
        self.processes.append(process)
        return process

    def start_action_server(self) -> subprocess.Popen:
        process = self.spawn(
            [
                str(BIN / "python"),
                "-m",
                "clinic_assistant.action_server",
                "--actions",
                "actions",
                "--port",
                str(self.action_port),
            ],  # fmt: skip
            "actions.log",
        )
        wait_for_http(f"{self.action_url}/health", 120, process)
        self.action_process = process
        return process

    def rasa_args(self, command: str = "run") -> List[str]:
        args = [
            str(BIN / "python"), "-m", "clinic_assistant.rasa.cli", command,
            "--model", str(self.model),
            "--endpoints", str(self.write_endpoints()),
            "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        ]  # fmt: skip
        args += ["--port", str(self.rasa_port)]
        if command == "run":
            args += ["--interface", self.interface]
            args += ["--cors", *self.cors_origins] if self.cors_origins else []
        return args + self.extra_rasa_args

    def start_rasa_server(self, timeout: float = 300) -> subprocess.Popen:
        process = self.spawn(self.rasa_args(), "rasa.log")
        wait_for_http(f"{self.url}/webhooks/ops/ready", timeout, process)
        self.rasa_process = process
        return process

    def start(self, timeout: float = 300) -> AssistantProcesses:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            if self.start_actions:
                self.start_action_server()
            self.start_rasa_server(timeout)
        except BaseException:
            self.stop()  # a server that failed to start leaves nothing running
            raise
        return self

    def stop_process(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def stop(self) -> None:
        for process in reversed(list(self.processes)):
            self.stop_process(process)

    def __enter__(self) -> AssistantProcesses:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
