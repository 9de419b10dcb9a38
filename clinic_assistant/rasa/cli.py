"""`python -m clinic_assistant.rasa.cli run|shell ...`: Rasa's own CLI, faster.

The launcher starts Rasa through this module rather than the `rasa` script so
that the server process gets the clinic's fixes to Rasa 3.6 (speedups.py) and
the phase timings (phase_timing.py) before it loads the model. The arguments
are Rasa's, unchanged.
"""

from __future__ import annotations

import sys

from clinic_assistant.rasa import phase_timing, speedups


def main() -> None:
    speedups.install()
    phase_timing.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
