"""`make run-scaled`: the scaled profile on this machine, in the foreground.

Starts, all on 127.0.0.1:
  PostgreSQL   the tracker store shared by all replicas (data in <run dir>/postgres)
  Redis        the lock store: one conversation is handled by one replica at a time
  1 action server, shared by all replicas
  N Rasa replicas (default 2), each loading the trained model
  nginx        the front door: REST round-robin, socket.io sticky

and prints the URL. Ctrl-C (or SIGTERM) stops everything in reverse order.
See docs/scaling.md. The configuration templates are in deploy/scaled/.

Also a module: `ScaledProfile` starts the whole profile on free ports in any
directory (tests/scaled uses it), as a context manager.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.launcher import DEFAULT_MODEL, AssistantProcesses, free_port, wait_for_http

TEMPLATES = PROJECT_ROOT / "deploy" / "scaled"
HOST = "127.0.0.1"  # nothing in this profile listens on any other interface
DB_NAME = "clinic"
DB_USER = "clinic"


class MissingBinary(RuntimeError):
    """PostgreSQL, Redis or nginx is not installed."""


def find_binaries() -> Dict[str, Path]:
    """Paths of the servers the profile needs; raises MissingBinary naming the absent ones.

    PG_BIN (a directory holding initdb and postgres), REDIS_SERVER and NGINX
    override the defaults (Debian's paths, then $PATH).
    """
    found: Dict[str, Path | None] = {}
    pg_dirs = [os.environ["PG_BIN"]] if os.environ.get("PG_BIN") else []
    pg_dirs += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda d: int(re.sub(r"\D", "", d.split("/")[-2]) or 0),
        reverse=True,
    )
    if shutil.which("initdb"):
        pg_dirs.append(str(Path(shutil.which("initdb")).parent))
    pg_dir = next((Path(d) for d in pg_dirs if (Path(d) / "initdb").is_file()), None)
    found["initdb"] = pg_dir / "initdb" if pg_dir else None
    found["postgres"] = pg_dir / "postgres" if pg_dir else None
    for name, env, default in (
        ("redis-server", "REDIS_SERVER", "/usr/bin/redis-server"),
        ("nginx", "NGINX", "/usr/sbin/nginx"),
    ):
        candidates = [os.environ.get(env), default, shutil.which(name)]
        found[name] = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    missing = [name for name, path in found.items() if path is None]
    if missing:
        raise MissingBinary(
            f"not installed: {', '.join(missing)} (Debian: apt-get install postgresql "
            f"redis-server nginx; or set PG_BIN, REDIS_SERVER, NGINX)"
        )
    return {name: path for name, path in found.items() if path is not None}


def render(template: str, values: Dict[str, str]) -> str:
    """Fills ${NAME} placeholders outside comments; nginx's own $variables are left alone."""

    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for ${{{match.group(1)}}} in the template")
        return values[match.group(1)]

    return "".join(
        line if line.lstrip().startswith("#") else re.sub(r"\$\{([A-Z][A-Z0-9_]*)\}", value, line)
        for line in template.splitlines(keepends=True)
    )


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{name} did not listen on {HOST}:{port} within {timeout:.0f} s")


@dataclass
class ScaledProfile:
    """PostgreSQL, Redis, one action server, N Rasa replicas and nginx.

    Ports left at 0 are picked free at start. `url` is nginx's address.
    """

    run_dir: Path
    replicas: int = 2
    port: int = 0
    postgres_port: int = 0
    redis_port: int = 0
    action_port: int = 0
    action_metrics_port: int = 0
    replica_ports: List[int] = field(default_factory=list)
    model: Path = DEFAULT_MODEL
    cors_origins: List[str] = field(default_factory=lambda: ["*"])
    upstream_header: bool = True  # X-Upstream: which replica answered
    timeout: float = 300
    log: Callable[[str], None] = lambda message: None
    binaries: Dict[str, Path] = field(default_factory=dict)
    actions: AssistantProcesses | None = None
    rasa: List[AssistantProcesses] = field(default_factory=list)
    services: Dict[str, subprocess.Popen] = field(default_factory=dict)

    # ----------------------------------------------------------- addresses
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def replica_urls(self) -> List[str]:
        return [replica.url for replica in self.rasa]

    @property
    def db_password(self) -> str:
        return self._secrets()["app"]

    def db_connect_kwargs(self) -> Dict[str, object]:
        """psycopg2.connect(**kwargs) as the assistant's database user."""
        return {
            "host": HOST,
            "port": self.postgres_port,
            "dbname": DB_NAME,
            "user": DB_USER,
            "password": self.db_password,
        }

    # ----------------------------------------------------------- start/stop
    def start(self) -> ScaledProfile:
        self.binaries = self.binaries or find_binaries()
        self.run_dir = Path(self.run_dir).resolve()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # the postgres user (and nginx's workers) must be able to reach files in here
        self.run_dir.chmod(self.run_dir.stat().st_mode | 0o711)
        if self.port and not _port_is_free(self.port):
            raise RuntimeError(f"port {self.port} is in use; choose another with --port")
        self.port = self.port or free_port()
        self.postgres_port = self.postgres_port or free_port()
        self.redis_port = self.redis_port or free_port()
        self.action_port = self.action_port or free_port()
        self.action_metrics_port = self.action_metrics_port or free_port()
        while len(self.replica_ports) < self.replicas:
            self.replica_ports.append(free_port())
        try:
            self.log(f"PostgreSQL on {HOST}:{self.postgres_port} ...")
            self._start_postgres()
            self.log(f"Redis on {HOST}:{self.redis_port} ...")
            self._start_redis()
            self.log(f"Action server on {HOST}:{self.action_port} ...")
            self._start_action_server()
            self.log(
                f"{self.replicas} Rasa replicas on ports "
                f"{', '.join(map(str, self.replica_ports[: self.replicas]))} "
                f"(loading the model takes 20-40 s) ..."
            )
            self._start_replicas()
            self.log(f"nginx on {HOST}:{self.port} ...")
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        nginx = self.services.pop("nginx", None)
        if nginx is not None:
            _stop_process(nginx, signal.SIGQUIT)  # graceful: finish the open requests
        for replica in reversed(self.rasa):
            replica.stop()
        if self.actions is not None:
            self.actions.stop()
        redis = self.services.pop("redis", None)
        if redis is not None:
            _stop_process(redis, signal.SIGTERM)
        postgres = self.services.pop("postgres", None)
        if postgres is not None:
            _stop_process(postgres, signal.SIGINT)  # PostgreSQL's "fast" shutdown

    def stop_replica(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Stops replica `index` (SIGKILL: as if it crashed) and waits until it is gone."""
        for process in self.rasa[index].processes:
            if process.poll() is None:
                os.killpg(process.pid, sig)
            process.wait(timeout=30)

    def alive(self) -> bool:
        processes = list(self.services.values())
        for group in [self.actions, *self.rasa]:
            processes += group.processes if group else []
        return all(process.poll() is None for process in processes)

    def __enter__(self) -> ScaledProfile:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----------------------------------------------------------- PostgreSQL
    def _secrets(self) -> Dict[str, str]:
        """Passwords of the database, made on first start and kept in the run dir (0600)."""
        path = self.run_dir / "postgres.secrets.json"
        if not path.exists():
            values = {"superuser": secrets.token_urlsafe(18), "app": secrets.token_urlsafe(18)}
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(values, handle)
        return json.loads(path.read_text(encoding="utf-8"))

    def _postgres_identity(self) -> Dict[str, object]:
        """Popen arguments to run as the postgres user: PostgreSQL refuses to run as root."""
        if os.geteuid() != 0:
            return {}
        account = pwd.getpwnam(os.environ.get("PG_USER", "postgres"))
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _start_postgres(self) -> None:
        identity = self._postgres_identity()
        home = self.run_dir / "postgres"
        data = home / "data"
        home.mkdir(exist_ok=True)
        if identity:
            os.chown(home, identity["user"], identity["group"])
        home.chmod(0o700)
        passwords = self._secrets()
        log = open(self.run_dir / "postgres.log", "ab")  # noqa: SIM115 (closed by _stop_process)
        if not (data / "PG_VERSION").exists():
            pwfile = home / "superuser.password"
            pwfile.write_text(passwords["superuser"] + "\n", encoding="utf-8")
            if identity:
                os.chown(pwfile, identity["user"], identity["group"])
            pwfile.chmod(0o600)
            try:
                subprocess.run(
                    [str(self.binaries["initdb"]), "-D", str(data), "-U", "postgres",
                     f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                     "--locale=C", "--no-instructions"],  # fmt: skip
                    cwd=home, stdout=log, stderr=subprocess.STDOUT, check=True, **identity,
                )  # fmt: skip
            finally:
                pwfile.unlink(missing_ok=True)
        process = subprocess.Popen(
            [str(self.binaries["postgres"]), "-D", str(data), "-p", str(self.postgres_port),
             "-c", f"listen_addresses={HOST}", "-c", "unix_socket_directories=",
             "-c", "max_connections=100"],  # fmt: skip
            cwd=home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **identity,
        )  # fmt: skip
        log.close()
        self.services["postgres"] = process
        self._create_database(process, passwords)

    def _create_database(self, process: subprocess.Popen, passwords: Dict[str, str]) -> None:
        import psycopg2

        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"PostgreSQL exited with code {process.returncode}; "
                    f"see {self.run_dir / 'postgres.log'}"
                )
            try:
                connection = psycopg2.connect(
                    host=HOST, port=self.postgres_port, dbname="postgres", user="postgres",
                    password=passwords["superuser"], connect_timeout=2,
                )  # fmt: skip
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (DB_USER,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE ROLE {DB_USER} LOGIN PASSWORD %s", (passwords["app"],))
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")
        finally:
            connection.close()

    # ----------------------------------------------------------- Redis
    def _start_redis(self) -> None:
        workdir = self.run_dir / "redis"
        workdir.mkdir(exist_ok=True)
        log = open(self.run_dir / "redis.log", "ab")  # noqa: SIM115
        # locks only: nothing worth persisting, so no RDB snapshots and no AOF
        process = subprocess.Popen(
            [str(self.binaries["redis-server"]), "--bind", HOST, "--port", str(self.redis_port),
             "--protected-mode", "yes", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(workdir)],  # fmt: skip
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        self.services["redis"] = process
        _wait_for_port(self.redis_port, 30, process, "Redis")

    # ----------------------------------------------------------- Rasa
    def _start_action_server(self) -> None:
        self.actions = AssistantProcesses(
            run_dir=self.run_dir / "actions",
            action_port=self.action_port,
            action_metrics_port=self.action_metrics_port,
        )
        self.actions.run_dir.mkdir(exist_ok=True)
        self.actions.start_action_server()

    def replica_environment(self) -> Dict[str, str]:
        """What deploy/scaled/endpoints.yml reads (a cluster sets the same variables)."""
        return {
            "ACTION_SERVER_URL": f"http://{HOST}:{self.action_port}",
            "TRACKER_DB_HOST": HOST,
            "TRACKER_DB_PORT": str(self.postgres_port),
            "TRACKER_DB_NAME": DB_NAME,
            "TRACKER_DB_USER": DB_USER,
            "TRACKER_DB_PASSWORD": self.db_password,
            "LOCK_REDIS_HOST": HOST,
            "LOCK_REDIS_PORT": str(self.redis_port),
            "LOCK_REDIS_DB": "1",
            "LOCK_REDIS_PASSWORD": "",
        }

    def _start_replicas(self) -> None:
        with open(TEMPLATES / "endpoints.yml", encoding="utf-8") as handle:
            endpoints = yaml.safe_load(handle)
        for index in range(self.replicas):
            replica = AssistantProcesses(
                run_dir=self.run_dir / f"rasa-{index + 1}",
                rasa_port=self.replica_ports[index],
                action_port=self.action_port,
                action_metrics_port=0,
                model=self.model,
                endpoint_overrides=endpoints,
                cors_origins=self.cors_origins,
                env=self.replica_environment(),
                start_actions=False,
            )
            replica.run_dir.mkdir(exist_ok=True)
            self.rasa.append(replica)
            # all replicas load the model at the same time
            replica.spawn(replica.rasa_args(), "rasa.log")
        deadline = time.monotonic() + self.timeout
        for replica in self.rasa:
            wait_for_http(
                f"{replica.url}/webhooks/ops/ready",
                max(1.0, deadline - time.monotonic()),
                replica.processes[0],
            )

    # ----------------------------------------------------------- nginx
    def nginx_config(self) -> str:
        prefix = self.run_dir / "nginx"
        servers = "\n".join(
            f"        server {HOST}:{port} max_fails=1 fail_timeout=10s;"
            for port in self.replica_ports[: self.replicas]
        )
        user = ""
        if os.geteuid() == 0:  # workers drop root; the master only binds the port
            account = next(
                (a for a in pwd.getpwall() if a.pw_name in ("www-data", "nginx")),
                pwd.getpwnam("nobody"),
            )
            group = _group_name(account.pw_gid)
            user = f"user {account.pw_name} {group};"
        header = "add_header X-Upstream $upstream_addr always;" if self.upstream_header else ""
        template = (TEMPLATES / "nginx.conf.template").read_text(encoding="utf-8")
        return render(
            template,
            {
                "RUN_DIR": str(prefix),
                "USER_DIRECTIVE": user,
                "LISTEN": f"{HOST}:{self.port}",
                "REST_SERVERS": servers,
                "SOCKETIO_SERVERS": servers,
                "REPLICA_COUNT": str(self.replicas),
                "UPSTREAM_HEADER": header,
            },
        )

    def _start_nginx(self) -> None:
        prefix = self.run_dir / "nginx"
        (prefix / "tmp").mkdir(parents=True, exist_ok=True)
        config = prefix / "nginx.conf"
        config.write_text(self.nginx_config(), encoding="utf-8")
        args = [str(self.binaries["nginx"]), "-p", str(prefix), "-c", str(config),
                "-e", str(prefix / "error.log")]  # fmt: skip
        check = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected {config}:\n{check.stderr}")
        log = open(prefix / "nginx.out", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.services["nginx"] = process
        _wait_for_port(self.port, 30, process, "nginx")
        wait_for_http(f"{self.url}/webhooks/ops/live", 30, process)


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _stop_process(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("SCALED_REPLICAS", "2")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SCALED_PORT", "8080")),
                        help="nginx's port on 127.0.0.1 (default 8080, env SCALED_PORT)")  # fmt: skip
    parser.add_argument("--run-dir", type=Path, default=PROJECT_ROOT / "var" / "scaled",
                        help="data, logs and generated configs (default var/scaled)")  # fmt: skip
    args = parser.parse_args()
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    demo = os.environ.get("DEMO_PORT", "8000")
    profile = ScaledProfile(
        run_dir=args.run_dir,
        replicas=args.replicas,
        port=args.port,
        cors_origins=os.environ.get(
            "CORS_ORIGINS", f"http://localhost:{demo} http://127.0.0.1:{demo}"
        ).split(),
        log=lambda message: print(message, flush=True),
    )
    try:
        profile.start()
        run_dir = profile.run_dir
        print(
            f"\nThe scaled assistant is running behind nginx.\n"
            f"  REST channel:        POST {profile.url}/webhooks/rest/webhook\n"
            f"  socket.io channel:   {profile.url}/socket.io/\n"
            f"  Replicas:            {', '.join(profile.replica_urls)}\n"
            f"  PostgreSQL:          {HOST}:{profile.postgres_port} database {DB_NAME}, "
            f"user {DB_USER} (password in {run_dir / 'postgres.secrets.json'})\n"
            f"  Redis (locks):       {HOST}:{profile.redis_port}\n"
            f"  Logs:                {run_dir}/{{postgres,redis}}.log, actions/, rasa-N/, nginx/\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
        while profile.alive():
            time.sleep(1)
        print(f"A server stopped unexpectedly; see the logs in {run_dir}.", flush=True)
        return 1
    except MissingBinary as error:
        print(error, file=sys.stderr)
        return 2
    except (RuntimeError, TimeoutError, OSError) as error:
        print(f"Could not start the scaled profile: {error}", file=sys.stderr)
        print(f"See the logs in {profile.run_dir}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        profile.stop()


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sys.exit(main())
