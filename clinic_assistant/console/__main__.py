"""Command line of the staff console: serve it, or create/change a staff account."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import List

from clinic_assistant import PROJECT_ROOT

DEFAULT_PORT = 8001


def _db_path(value: str | None) -> Path:
    from clinic_assistant.console.db import DEFAULT_DB

    return Path(value or os.environ.get("CONSOLE_DB") or DEFAULT_DB)


def add_user(name: str, db_path: Path) -> int:
    from clinic_assistant.console.db import ConsoleDB

    password = os.environ.get("CONSOLE_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            print("No terminal to ask for the password; set CONSOLE_PASSWORD.", file=sys.stderr)
            return 2
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Again: ") != password:
            print("The passwords differ; nothing changed.", file=sys.stderr)
            return 1
    try:
        created = ConsoleDB(db_path).set_password(name, password)
    except ValueError as error:
        print(f"Not saved: {error}.", file=sys.stderr)
        return 1
    print(f"{'Created' if created else 'Changed the password of'} staff account {name}.")
    return 0


def serve(args: argparse.Namespace) -> int:
    import waitress

    from clinic_assistant.console.app import ConsoleConfig, create_app

    app = create_app(
        ConsoleConfig(
            endpoints=args.endpoints,
            db_path=_db_path(args.db),
            secure_cookies=os.environ.get("CONSOLE_SECURE_COOKIES") == "1",
        )
    )
    options = {}
    if args.behind_https_proxy:  # trust X-Forwarded-Proto from a local proxy: Secure cookies
        options = {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-proto"}}
    print(f"Console: http://{args.host}:{args.port}/", flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=4, ident="console", **options)
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="the console's SQLite file (CONSOLE_DB)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the console")
    run.add_argument("--host", default=os.environ.get("CONSOLE_INTERFACE", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", DEFAULT_PORT)))
    run.add_argument("--endpoints", type=Path, default=PROJECT_ROOT / "endpoints.yml")
    run.add_argument("--behind-https-proxy", action="store_true")
    user = commands.add_parser("add-user", help="create a staff account or change its password")
    user.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    if args.command == "add-user":
        return add_user(args.name, _db_path(args.db))
    return serve(args)


if __name__ == "__main__":
    raise SystemExit(main())
