"""`python -m clinic_assistant.rasa.cli run|shell ...`: Rasa's own CLI, faster.

The launcher starts Rasa through this module rather than the `rasa` script so
that the server process gets the clinic's fixes to Rasa 3.6 (speedups.py), the
phase timings (phase_timing.py) and the TensorFlow thread settings below
before it loads the model. The arguments are Rasa's, unchanged.
"""

from __future__ import annotations

import os
import sys
import warnings

# The classifiers are small: running each TensorFlow operation on one thread is
# faster than splitting it across cores (reports/BENCHMARK.md), and leaves the
# other core to the action server and other conversations. Rasa applies these
# variables when its CLI starts; a value set outside wins.
TENSORFLOW_THREADS = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}


def set_tensorflow_threads() -> None:
    """Before TensorFlow runs anything; Rasa's `setup_tf_environment()` applies them."""
    for name, value in TENSORFLOW_THREADS.items():
        os.environ.setdefault(name, value)


def hide_deprecation_warnings() -> None:
    """Rasa 3.6's dependencies print a wall of DeprecationWarnings about their own
    dependencies when imported (pkg_resources, pyparsing, click, distutils, SQLAlchemy
    2.0), and importing sanic turns them back on ("once") whatever PYTHONWARNINGS says.
    So when PYTHONWARNINGS is unset or "ignore" (the Makefile and the launcher set it),
    deprecation warnings are hidden again after sanic's import; errors, other warnings
    and the logs are untouched. PYTHONWARNINGS=default shows them."""
    if os.environ.get("PYTHONWARNINGS", "ignore") != "ignore":
        return

    def ignore() -> None:
        for category in (DeprecationWarning, PendingDeprecationWarning):
            warnings.filterwarnings("ignore", category=category)

    ignore()
    import sanic  # noqa: F401 (adds filterwarnings("once", DeprecationWarning) in front)

    ignore()  # in front of sanic's
    # pyparsing's deprecations are UserWarnings too, which Rasa's CLI later shows "once":
    # the two modules that trigger them are imported now, while they are ignored.
    import matplotlib  # noqa: F401
    import packaging.requirements  # noqa: F401


def main() -> None:
    hide_deprecation_warnings()
    set_tensorflow_threads()
    from clinic_assistant.rasa import phase_timing, speedups

    speedups.install()
    phase_timing.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
