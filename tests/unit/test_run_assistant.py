"""`make shell` stops the servers when its terminal window is closed."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOAD_SCRIPT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("run_assistant", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""
# A stand-in for scripts/run_assistant.py in a terminal: a session of its own with the
# pty as controlling terminal, ignoring SIGHUP (as make leaves it: no signal arrives).
CHILD = (
    """
import fcntl, signal, termios, time
fcntl.ioctl(0, termios.TIOCSCTTY, 0)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
"""
    + LOAD_SCRIPT
    + """
print("open" if not module._terminal_closed() else "closed-too-early", flush=True)
for _ in range(100):
    if module._terminal_closed():
        print("closed", flush=True)
        break
    time.sleep(0.05)
"""
)


def test_a_closed_terminal_is_noticed() -> None:
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT / "scripts" / "run_assistant.py")],
        stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, cwd=ROOT,
    )  # fmt: skip
    os.close(slave)
    assert child.stdout.readline().strip() == "open"
    os.close(master)  # the terminal window goes away
    out, err = child.communicate(timeout=60)
    assert out.strip() == "closed", err


def test_input_that_is_no_terminal_is_not_a_closed_one() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT + "print(module._terminal_closed())",
         str(ROOT / "scripts" / "run_assistant.py")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == "False", result.stderr
