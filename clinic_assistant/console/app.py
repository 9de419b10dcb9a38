"""The staff console: a Flask app (server-rendered pages, no JavaScript).

Every page and form needs a login; every form carries a CSRF token
(Flask-WTF); the login session is a random token in a signed, HttpOnly,
SameSite=Strict cookie (Secure over HTTPS) whose hash is stored server-side,
so logout and idle expiry really end it. Failed logins are limited per account
and per address. Pages are never cached and never framed.
"""

from __future__ import annotations

import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List

from flask import (
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.console import charts
from clinic_assistant.console.conversations import (
    KIND_LABELS,
    OUTCOME_LABELS,
    OUTCOMES,
    daily_rows,
    day_of,
    summarise,
    totals,
)
from clinic_assistant.console.db import DEFAULT_DB, ConsoleDB, question_mark, wording_hash
from clinic_assistant.console.masking import Group, group_messages, mask
from clinic_assistant.console.teaching import Teacher, TeachingError


@dataclass
class ConsoleConfig:
    endpoints: Path = PROJECT_ROOT / "endpoints.yml"
    db_path: Path = DEFAULT_DB
    project_root: Path = PROJECT_ROOT
    secret_key: str | None = None
    secure_cookies: bool = False  # always Secure, even when a request came over http
    run_rasa_validate: bool = True
    extra: Dict[str, Any] = field(default_factory=dict)


class _SessionInterface(SecureCookieSessionInterface):
    """Secure cookies when the request came over HTTPS (or when configured)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class ReviewGroup:
    id: str  # hash of the representative's normalised wording
    group: Group
    hashes: List[str]


def create_app(config: ConsoleConfig | None = None) -> Flask:
    config = config or ConsoleConfig()
    app = Flask(__name__)
    db = ConsoleDB(config.db_path)
    teacher = Teacher(config.project_root, run_rasa_validate=config.run_rasa_validate)
    app.config.update(
        SECRET_KEY=config.secret_key or db.secret_key(),
        SESSION_COOKIE_NAME="clinic_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # bound to the login session instead
        MAX_CONTENT_LENGTH=64 * 1024,
        **config.extra,
    )
    app.session_interface = _SessionInterface()
    CSRFProtect(app)
    app.jinja_env.globals.update(when=when, kind_labels=KIND_LABELS)
    state: Dict[str, Any] = {}

    def store():
        if "store" not in state:
            from clinic_assistant.privacy import open_store

            state["store"] = open_store(config.endpoints)
        return state["store"]

    # --- login ---------------------------------------------------------------------
    @app.before_request
    def require_login() -> Any:
        g.user = db.session_user(session.get("token"))
        if request.endpoint in ("login", "static"):
            return None
        if g.user is None:
            session.pop("token", None)
            if request.method != "GET":
                abort(403)
            return redirect(url_for("login", next=request.path))
        return None

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return render_template("error.html", message="The form expired. Please try again."), 400

    @app.errorhandler(403)
    def forbidden(error: Any) -> Any:
        return render_template("error.html", message="Please log in first."), 403

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            name = (request.form.get("name") or "").strip()[:64]
            password = request.form.get("password") or ""
            address = request.remote_addr or "unknown"
            if db.login_blocked(name, address):
                error = "Too many failed logins. Please wait 15 minutes and try again."
                db.audit(name or "?", "login blocked")
            elif db.check_password(name, password, address):
                db.end_session(session.get("token"))
                session.clear()  # a new session (and CSRF token) after login
                session["token"] = db.start_session(name)
                db.audit(name, "login")
                target = request.args.get("next") or ""
                if not target.startswith("/") or target.startswith(("//", "/\\")):
                    target = url_for("overview")
                return redirect(target)
            else:
                error = "That name and password do not match."
        if g.user:
            return redirect(url_for("overview"))
        return render_template("login.html", error=error), (401 if error else 200)

    @app.post("/logout")
    def logout() -> Any:
        db.audit(g.user, "logout")
        db.end_session(session.get("token"))
        session.clear()
        flash("You are logged out.")
        return redirect(url_for("login"))

    # --- overview --------------------------------------------------------------------
    def left_questions() -> List[Any]:
        """The questions left for the clinic; "done" marks of questions that are gone
        (deleted, erased, expired) are dropped on the way."""
        from clinic_assistant.questions import left_questions as read

        found = read(store())
        db.done_marks(question_mark(q.id, q.sender_id, q.timestamp) for q in found)
        return found

    @app.get("/")
    def overview() -> Any:
        days = request.args.get("days", default=14, type=int)
        days = days if days in (7, 14, 30, 90) else 14
        summary = summarise(store())
        questions_by_day = Counter(day_of(q.timestamp) for q in left_questions())
        rows = daily_rows(summary, dict(questions_by_day))
        today = datetime.now(tz=timezone.utc).date()
        recent = charts.last_days(rows, today, days)
        return render_template(
            "overview.html",
            days=days,
            rows=[r for r in rows if r["day"] >= recent[0]["day"]] if recent else [],
            total=totals(r for r in recent),
            chart=charts.bar_chart(recent),
            outcomes=OUTCOMES,
            outcome_labels=OUTCOME_LABELS,
        )

    # --- could not answer --------------------------------------------------------------
    def review_groups() -> tuple[List[ReviewGroup], Counter]:
        summary = summarise(store())
        masked = [(mask(m.text), m.timestamp, m.kind) for m in summary.unanswered]
        decided = db.reviewed()
        open_groups, reviewed = [], Counter()
        for group in group_messages(masked):
            # only the wordings not reviewed yet stay in the group
            for normalised in list(group.members):
                decision = decided.get(wording_hash(normalised))
                if decision is not None:
                    reviewed[decision[0]] += 1
                    del group.members[normalised]
            if not group.members:
                continue
            hashes = [wording_hash(n) for n in group.members]
            open_groups.append(ReviewGroup(wording_hash(group.representative)[:16], group, hashes))
        return open_groups, reviewed

    def find_group(group_id: str) -> ReviewGroup:
        groups, _ = review_groups()
        for item in groups:
            if hmac.compare_digest(item.id, group_id):
                return item
        abort(404)

    @app.get("/review")
    def review() -> Any:
        groups, reviewed = review_groups()
        return render_template("review.html", groups=groups, reviewed=reviewed)

    @app.get("/review/<group_id>")
    def review_group(group_id: str) -> Any:
        item = find_group(group_id)
        db.audit(g.user, "opened group", item.id)
        return render_template("group.html", item=item, choices=teacher.choices())

    def chosen_wordings(item: ReviewGroup) -> List[str]:
        picked = request.form.getlist("wording")
        edited = (request.form.get("edited") or "").strip()
        wordings = [w for w in item.group.wordings if w in picked]
        if edited:
            wordings.append(edited)
        return wordings

    def teach(group_id: str, action: Callable[[ReviewGroup], Any], decision: str) -> Any:
        item = find_group(group_id)
        try:
            change = action(item)
        except TeachingError as error:
            flash(str(error), "error")
            return redirect(url_for("review_group", group_id=group_id))
        db.record_review(item.hashes, decision, change.intent, g.user)
        db.audit(g.user, f"taught {decision}", f"group {item.id} -> {change.intent}")
        flash(
            f"Taught {len(change.added)} wording(s) to {change.intent}. "
            "The assistant learns it at the next `make run`, which retrains because the "
            "training data changed."
        )
        return redirect(url_for("teaching", changed=change.intent))

    @app.post("/review/<group_id>/example")
    def add_example(group_id: str) -> Any:
        intent = request.form.get("intent") or ""
        return teach(
            group_id,
            lambda item: teacher.add_examples(intent, chosen_wordings(item)),
            "example",
        )

    @app.post("/review/<group_id>/new-answer")
    def new_answer(group_id: str) -> Any:
        key = (request.form.get("key") or "").strip()
        answer = request.form.get("answer") or ""
        return teach(
            group_id,
            lambda item: teacher.add_answer(key, answer, chosen_wordings(item)),
            "new_answer",
        )

    @app.post("/review/<group_id>/dismiss")
    def dismiss(group_id: str) -> Any:
        item = find_group(group_id)
        db.record_review(item.hashes, "dismissed", None, g.user)
        db.audit(g.user, "dismissed", f"group {item.id}")
        flash("Dismissed.")
        return redirect(url_for("review"))

    @app.get("/teaching")
    def teaching() -> Any:
        return render_template(
            "teaching.html",
            taught=teacher.taught(),
            changed=request.args.get("changed"),
            file=str(teacher.path.relative_to(teacher.root)),
        )

    # --- questions left for the clinic ---------------------------------------------------
    def questions_with_marks() -> List[tuple]:
        found = left_questions()
        marks = {q.id: question_mark(q.id, q.sender_id, q.timestamp) for q in found}
        done = db.done_marks(marks.values())
        return [(q, marks[q.id] in done) for q in reversed(found)]

    @app.get("/questions")
    def questions() -> Any:
        return render_template("questions.html", questions=questions_with_marks())

    def find_question(question_id: int) -> Any:
        for q in left_questions():
            if q.id == question_id:
                return q
        abort(404)

    @app.post("/questions/<int:question_id>/done")
    def question_done(question_id: int) -> Any:
        q = find_question(question_id)
        db.mark_done(question_mark(q.id, q.sender_id, q.timestamp), g.user)
        db.audit(g.user, "marked question done", f"question {q.id}")
        flash(f"Question {q.id} marked done.")
        return redirect(url_for("questions"))

    @app.post("/questions/<int:question_id>/delete")
    def question_delete(question_id: int) -> Any:
        from clinic_assistant.questions import delete_question

        find_question(question_id)
        removed = delete_question(store(), question_id)
        db.audit(g.user, "deleted question", f"question {question_id}")
        flash(f"Question {question_id} deleted." if removed else "It was already gone.")
        return redirect(url_for("questions"))

    @app.get("/audit")
    def audit() -> Any:
        return render_template("audit.html", entries=db.audit_entries())

    app.extensions["clinic_console_db"] = db
    return app
