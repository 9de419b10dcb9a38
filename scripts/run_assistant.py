"""`make run` / `make shell`: start the assistant in the foreground.

Starts the action server (localhost only) and the Rasa server with the REST
and socket.io channels on port 5005, plus the demo page of the clinic's site
with the chat widget and the staff console (127.0.0.1 only). Ctrl-C stops
everything cleanly. Ports and the interface come from the environment
(RASA_PORT, ACTION_PORT, DEMO_PORT, CONSOLE_PORT, RASA_INTERFACE, CORS_ORIGINS,
ACTION_METRICS_PORT).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import subprocess
import sys
import time

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.console.__main__ import DEFAULT_PORT as CONSOLE_PORT
from clinic_assistant.launcher import AssistantProcesses, wait_for_http


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="talk in the terminal (rasa shell)")
    args = parser.parse_args()
    demo_port = int(os.environ.get("DEMO_PORT", "8000"))
    assistant = AssistantProcesses(
        run_dir=PROJECT_ROOT / "var",
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        action_port=int(os.environ.get("ACTION_PORT", "5055")),
        action_metrics_port=int(os.environ.get("ACTION_METRICS_PORT", "5056")),
        interface=os.environ.get("RASA_INTERFACE", "127.0.0.1"),
        cors_origins=os.environ.get(
            "CORS_ORIGINS", f"http://localhost:{demo_port} http://127.0.0.1:{demo_port}"
        ).split(),
    )
    (PROJECT_ROOT / "var" / "log").mkdir(parents=True, exist_ok=True)
    try:
        print("Starting the action server...", flush=True)
        assistant.start_action_server()
        if args.shell:
            print("Type a message; /stop to quit.", flush=True)
            return _talk_in_the_terminal(assistant)
        print("Starting the Rasa server (loading the model takes ~20 s)...", flush=True)
        assistant.start_rasa_server()
        demo = _start_demo(assistant, demo_port)
        console_port = int(os.environ.get("CONSOLE_PORT", CONSOLE_PORT))
        _start_console(assistant, console_port)
        print(
            f"\nThe assistant is running.\n"
            f"  Chat widget demo page:  {f'http://localhost:{demo_port}/' if demo else '(widget not built)'}\n"
            f"  REST channel:           POST {assistant.url}/webhooks/rest/webhook\n"
            f"  socket.io channel:      {assistant.url}/socket.io/\n"
            f"  Staff console:          http://127.0.0.1:{console_port}/ (make staff-user NAME=...)\n"
            f"  Logs:                   var/rasa.log, var/actions.log, var/console.log\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
        while all(p.poll() is None for p in assistant.processes):
            time.sleep(1)
        print("A server stopped unexpectedly; see the logs in var/.", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        assistant.stop()


def _start_demo(assistant: AssistantProcesses, port: int) -> bool:
    script = PROJECT_ROOT / "scripts" / "serve_demo.py"
    if not (PROJECT_ROOT / "widget" / "dist").exists() or not script.exists():
        return False
    assistant.env["RASA_URL"] = assistant.url
    process = assistant.spawn([sys.executable, str(script), str(port)], "demo.log")
    wait_for_http(f"http://127.0.0.1:{port}/", 30, process)
    return True


def _start_console(assistant: AssistantProcesses, port: int) -> None:
    """The staff console, on the conversation store the Rasa server uses."""
    endpoints = assistant.run_dir / "endpoints.yml"  # written when the Rasa server started
    args = [sys.executable, "-m", "clinic_assistant.console", "serve", "--port", str(port)]
    process = assistant.spawn([*args, "--endpoints", str(endpoints)], "console.log")
    wait_for_http(f"http://127.0.0.1:{port}/login", 60, process)


def _talk_in_the_terminal(assistant: AssistantProcesses) -> int:
    shell = subprocess.Popen(assistant.rasa_args("shell"), cwd=PROJECT_ROOT)
    try:
        while shell.poll() is None:
            if _terminal_closed():
                raise KeyboardInterrupt
            time.sleep(1)
        return shell.returncode
    finally:
        if shell.poll() is None:
            assistant.stop_process(shell)


def _terminal_closed() -> bool:
    """When the terminal window closes, make gets SIGHUP and waits for us, but
    neither we nor rasa shell get a signal; the terminal only stops answering."""
    try:
        os.tcgetpgrp(sys.stdin.fileno())
        return False
    except OSError as error:
        return error.errno == errno.EIO  # a hung-up terminal; ENOTTY: input is not one


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGHUP, _stop_on_sigterm)  # terminal closed: stop the servers too
    sys.exit(main())
