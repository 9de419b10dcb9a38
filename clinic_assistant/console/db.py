"""The console's own tables (SQLite, var/data/console.sqlite by default).

Staff accounts, login sessions, failed logins, the audit log, review decisions
and "done" marks on left questions. None of them holds a runner's words, a
health answer or a conversation id:

- a review decision is keyed by a hash of the masked, normalised wording, so it
  applies to that wording wherever it comes from and says nothing about who
  wrote it;
- a "done" mark is keyed by a hash of the question's stored event, and marks
  whose question is gone (deleted, erased, expired) are dropped whenever the
  questions are listed;
- the audit log names the staff member, the action and the item (a group's
  hash, a question's number, an answer's key), never text.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, List, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from clinic_assistant import PROJECT_ROOT

SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    name TEXT NOT NULL,
    action TEXT NOT NULL,
    item TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review (
    wording_hash TEXT PRIMARY KEY,
    decision TEXT NOT NULL,
    target TEXT,
    at REAL NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS question_done (
    mark TEXT PRIMARY KEY,
    at REAL NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

DEFAULT_DB = PROJECT_ROOT / "var" / "data" / "console.sqlite"
MIN_PASSWORD_LENGTH = 10
FAILED_LOGIN_LIMIT = 5  # per account, within FAILED_LOGIN_WINDOW
FAILED_LOGIN_LIMIT_PER_ADDRESS = 20
FAILED_LOGIN_WINDOW = 15 * 60
SESSION_IDLE_SECONDS = 60 * 60
SESSION_MAX_SECONDS = 12 * 60 * 60

_hasher = PasswordHasher()
# verified when the account does not exist, so that both cases take as long
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def wording_hash(normalised: str) -> str:
    return hashlib.sha256(("wording:" + normalised).encode("utf-8")).hexdigest()


def question_mark(row_id: int, sender_id: str, timestamp: float) -> str:
    return hashlib.sha256(f"question:{row_id}:{sender_id}:{timestamp!r}".encode()).hexdigest()


class ConsoleDB:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA busy_timeout=10000")
            self._local.connection = connection
        return connection

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # --- settings -----------------------------------------------------------
    def secret_key(self) -> str:
        with self.connect() as db:
            row = db.execute("SELECT value FROM settings WHERE key = 'secret_key'").fetchone()
            if row:
                return row[0]
            value = secrets.token_hex(32)
            db.execute("INSERT INTO settings (key, value) VALUES ('secret_key', ?)", (value,))
            return value

    # --- accounts -----------------------------------------------------------
    def set_password(self, name: str, password: str) -> bool:
        """Creates the account or changes its password; True when it was new."""
        if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise ValueError("a name is letters, digits, '.', '-' or '_'")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
        hashed = _hasher.hash(password)
        with self.connect() as db:
            existed = db.execute("SELECT 1 FROM staff WHERE name = ?", (name,)).fetchone()
            db.execute(
                "INSERT INTO staff (name, password_hash, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
                (name, hashed, time.time()),
            )
            db.execute("DELETE FROM login_sessions WHERE name = ?", (name,))
        return not existed

    def login_blocked(self, name: str, address: str, now: float | None = None) -> bool:
        since = (now or time.time()) - FAILED_LOGIN_WINDOW
        with self.connect() as db:
            db.execute("DELETE FROM login_failures WHERE at < ?", (since,))
            by_name = db.execute(
                "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?",
                ("name:" + name.lower(), since),
            ).fetchone()[0]
            by_address = db.execute(
                "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?",
                ("address:" + address, since),
            ).fetchone()[0]
        return by_name >= FAILED_LOGIN_LIMIT or by_address >= FAILED_LOGIN_LIMIT_PER_ADDRESS

    def check_password(self, name: str, password: str, address: str) -> bool:
        """Verifies a login attempt and counts a failure; False when blocked too."""
        if self.login_blocked(name, address):
            return False
        with self.connect() as db:
            row = db.execute("SELECT password_hash FROM staff WHERE name = ?", (name,)).fetchone()
        stored = row[0] if row else _DUMMY_HASH
        try:
            ok = _hasher.verify(stored, password) and row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        with self.connect() as db:
            if not ok:
                now = time.time()
                db.executemany(
                    "INSERT INTO login_failures (key, at) VALUES (?, ?)",
                    [("name:" + name.lower(), now), ("address:" + address, now)],
                )
                return False
            db.execute("DELETE FROM login_failures WHERE key = ?", ("name:" + name.lower(),))
            if _hasher.check_needs_rehash(stored):
                db.execute(
                    "UPDATE staff SET password_hash = ? WHERE name = ?",
                    (_hasher.hash(password), name),
                )
        return True

    # --- login sessions -------------------------------------------------------
    @staticmethod
    def _token_hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def start_session(self, name: str) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.connect() as db:
            db.execute(
                "INSERT INTO login_sessions (token_hash, name, created_at, last_seen) "
                "VALUES (?, ?, ?, ?)",
                (self._token_hash(token), name, now, now),
            )
        return token

    def session_user(self, token: str | None, now: float | None = None) -> str | None:
        if not token:
            return None
        now = now or time.time()
        with self.connect() as db:
            db.execute(
                "DELETE FROM login_sessions WHERE last_seen < ? OR created_at < ?",
                (now - SESSION_IDLE_SECONDS, now - SESSION_MAX_SECONDS),
            )
            row = db.execute(
                "SELECT name FROM login_sessions WHERE token_hash = ?", (self._token_hash(token),)
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE login_sessions SET last_seen = ? WHERE token_hash = ?",
                (now, self._token_hash(token)),
            )
            return row[0]

    def end_session(self, token: str | None) -> None:
        if token:
            with self.connect() as db:
                db.execute(
                    "DELETE FROM login_sessions WHERE token_hash = ?", (self._token_hash(token),)
                )

    # --- audit log ------------------------------------------------------------
    def audit(self, name: str, action: str, item: str = "") -> None:
        with self.connect() as db:
            db.execute(
                "INSERT INTO audit_log (at, name, action, item) VALUES (?, ?, ?, ?)",
                (time.time(), name, action, item),
            )

    def audit_entries(self, limit: int = 200) -> List[Tuple[float, str, str, str]]:
        with self.connect() as db:
            return list(
                db.execute(
                    "SELECT at, name, action, item FROM audit_log ORDER BY id DESC LIMIT ?",
                    (limit,),
                )
            )

    # --- review decisions -------------------------------------------------------
    def record_review(
        self, hashes: Iterable[str], decision: str, target: str | None, name: str
    ) -> None:
        now = time.time()
        with self.connect() as db:
            db.executemany(
                "INSERT INTO review (wording_hash, decision, target, at, name) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (wording_hash) DO UPDATE SET "
                "decision = excluded.decision, target = excluded.target, at = excluded.at, "
                "name = excluded.name",
                [(h, decision, target, now, name) for h in hashes],
            )

    def reviewed(self) -> dict:
        with self.connect() as db:
            return {
                h: (decision, target)
                for h, decision, target in db.execute(
                    "SELECT wording_hash, decision, target FROM review"
                )
            }

    # --- left questions -----------------------------------------------------------
    def mark_done(self, mark: str, name: str) -> None:
        with self.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO question_done (mark, at, name) VALUES (?, ?, ?)",
                (mark, time.time(), name),
            )

    def done_marks(self, existing: Iterable[str]) -> set:
        """The marks of existing questions; marks of questions that are gone are dropped."""
        existing = set(existing)
        with self.connect() as db:
            marks = {r[0] for r in db.execute("SELECT mark FROM question_done")}
            gone = marks - existing
            db.executemany("DELETE FROM question_done WHERE mark = ?", [(m,) for m in gone])
        return marks & existing
