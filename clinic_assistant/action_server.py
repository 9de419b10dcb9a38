"""Entry point of the action server: rasa_sdk plus a Prometheus metrics port.

Screening outcomes are counted in the action server process, so it exposes
its own metrics (on 127.0.0.1:ACTION_METRICS_PORT, default 5056). Liveness and
readiness: rasa_sdk's GET /health on the action port.
"""

from __future__ import annotations

import os
import sys

from prometheus_client import start_http_server


def main() -> None:
    port = int(os.environ.get("ACTION_METRICS_PORT", "5056"))
    if port:
        start_http_server(port, addr=os.environ.get("SANIC_HOST", "127.0.0.1"))
    from rasa_sdk.__main__ import main as rasa_sdk_main

    sys.argv = ["rasa_sdk", *sys.argv[1:]]
    rasa_sdk_main()


if __name__ == "__main__":
    main()
