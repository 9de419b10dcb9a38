"""Fixtures for the staff console's tests.

Conversations are written into a real conversation store (the assistant's
PrivacySQLTrackerStore on a temporary SQLite file), as rows of the events the
assistant stores, in the same shapes (see `Conversation`). The end-to-end test
(test_end_to_end.py) uses the real assistant instead.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
from flask import Flask
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.config import load_clinic_facts
from clinic_assistant.console.app import ConsoleConfig, create_app
from clinic_assistant.console.db import ConsoleDB
from clinic_assistant.console.teaching import HEADER
from clinic_assistant.privacy import open_store
from clinic_assistant.rasa.tracker_store import PrivacySQLTrackerStore, _event_row
from clinic_assistant.screening.rules import NO, UNSURE, YES, load_screening
from tests.support.endpoints import sqlite_endpoints

SCREENING_SLOTS = load_screening().answer_slots

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Conversation:
    """Builds one sender's events the way the assistant stores them."""

    def __init__(self, sender: str, start: float) -> None:
        self.sender = sender
        self.clock = start
        self.events: List[Event] = []
        self._add(ActionExecuted("action_session_start"), SessionStarted())
        self._add(ActionExecuted("action_listen"))

    def _tick(self) -> float:
        self.clock += 0.5
        return self.clock

    def _add(self, *events: Event) -> None:
        for event in events:
            event.timestamp = self._tick()
            self.events.append(event)

    def says(
        self,
        text: str,
        intent: str,
        confidence: float = 0.97,
        answer_confidence: float | None = None,
    ) -> Conversation:
        parse: Dict[str, Any] = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "text": text,
        }
        if answer_confidence is not None:
            parse["response_selector"] = {"faq": {"response": {"confidence": answer_confidence}}}
        self._add(UserUttered(text, parse["intent"], [], parse_data=parse))
        return self

    def replies(
        self, action: str, text: str = "(reply)", buttons: list | None = None
    ) -> Conversation:
        data = {"buttons": buttons} if buttons else {}
        self._add(ActionExecuted(action), BotUttered(text, data, {"utter_action": action}))
        self._add(ActionExecuted("action_listen"))
        return self

    def not_answered(self, text: str, action: str = "utter_dont_know") -> Conversation:
        intent = {
            "utter_dont_know": "unanswerable_question",
            "utter_out_of_scope": "out_of_scope",
            "utter_default": "nlu_fallback",
        }[action]
        return self.says(text, intent).replies(action)

    def screening(
        self, answers: List[str], outcome: str = "clear", aside: str | None = None
    ) -> Conversation:
        """A screening: its answers are typed while the form is active; `aside` is
        a question no answer covers, asked in the middle of it."""
        self.says("can I book?", "request_booking").replies("utter_screening_intro")
        self._add(ActionExecuted("screening_form"), ActiveLoop("screening_form"))
        for n, answer in enumerate(answers):
            self._add(SlotSet("requested_slot", "pregnant"), ActionExecuted("action_listen"))
            # screening answers often read as a fallback; the form reads them
            self.says(answer, "nlu_fallback", 0.3)
            self._add(ActionExecuted("screening_form"))
            if n == 0 and aside:
                self.says(aside, "unanswerable_question").replies("utter_dont_know")
        # the answers as the form stored them (slots), then the conclusion
        answers = {slot: NO for slot in SCREENING_SLOTS}
        answers.update(pregnancy_stage=None, complaint="calf")
        if outcome == "ruled_out":
            answers["blood_disorder"] = YES
        elif outcome == "unsure":
            answers["current_infection"] = UNSURE
        self._add(*(SlotSet(slot, value) for slot, value in answers.items()))
        self._add(SlotSet("requested_slot", None), ActiveLoop(None))
        if outcome == "stopped":
            self._add(SlotSet("screening_stopped", "unclear"))
        self._add(ActionExecuted("action_screening_decision"))
        if outcome == "clear":
            url = load_clinic_facts().booking_url
            buttons = [{"title": "Book an appointment", "payload": url}]
            self._add(BotUttered("Thank you. Nothing in your answers ...", {"buttons": buttons}))
        elif outcome != "stopped":
            self._add(BotUttered("Thank you for your answers. ..."))
        self._add(*(SlotSet(slot, None) for slot in [*answers, "screening_stopped"]))
        self._add(ActionExecuted("action_listen"))
        return self

    def red_flag(self, text: str) -> Conversation:
        self.says(text, "red_flag").replies("action_red_flag", "What you describe needs a doctor")
        self._add(SlotSet("red_flag_raised", True))
        return self

    def leaves_question(self, question: str, contact: str | None) -> Conversation:
        self.not_answered(question)
        self.says("yes", "affirm")
        self._add(ActionExecuted("question_form"), ActiveLoop("question_form"))
        self._add(SlotSet("question_consent", "yes"), SlotSet("question_for_clinic", question))
        self._add(SlotSet("requested_slot", "question_contact"), ActionExecuted("action_listen"))
        self.says(contact or "No contact", "nlu_fallback", 0.2)
        self._add(ActionExecuted("question_form"))
        self._add(SlotSet("question_contact", contact or "none"), ActiveLoop(None))
        self._add(ActionExecuted("action_question_done"), BotUttered("Thanks, I've passed ..."))
        self._add(SlotSet("question_for_clinic", None), SlotSet("question_contact", None))
        self._add(ActionExecuted("action_listen"))
        return self


UNANSWERED = [
    ("Do you have lockers for my bag?", "utter_dont_know"),
    ("do you have lockers for bags", "utter_dont_know"),
    ("Hi, I'm Siobhan: are there lockers where I can leave my bag?", "utter_dont_know"),
    ("can I pay with my card", "utter_dont_know"),
    ("Can I pay by card? mail me at tom.baker@example.com", "utter_dont_know"),
    ("what is the best marathon shoe", "utter_out_of_scope"),
    ("can I do yoga the day after dry needling", "utter_default"),
    ("Can Dr. Jansen see me on 12 March? call 0612345678", "utter_dont_know"),
    ("is there a bike rack at the clinic", "utter_dont_know"),
    ("best etf for beginners", "utter_out_of_scope"),
]
LEFT_QUESTIONS = [
    ("Can I bring my running shoes for a gait check?", "runner@example.com"),
    ("Do you treat ultra runners on Sundays?", None),
    ("Is the physio at the marathon expo?", "+31 6 12345678"),
]


def populate_demo(store: PrivacySQLTrackerStore, days: int = 14, seed: int = 15) -> None:
    """Two weeks of conversations, the same every time: for the browser tests and
    the screenshots."""
    import random

    rng = random.Random(seed)
    now = time.time()
    conversations = []
    for day in range(days, -1, -1):
        for n in range(rng.randint(3, 12)):
            start = now - day * 86400 - rng.randint(600, 30000)
            c = Conversation(f"demo-{day}-{n}", start).says("hi", "greet").replies("utter_greet")
            c.says("what is dry needling", "faq", answer_confidence=0.93).replies("utter_faq")
            roll = rng.random()
            if roll < 0.35:
                outcome = rng.choice(["clear", "clear", "clear", "ruled_out", "unsure", "stopped"])
                c.screening(["no", "no", "no", "no", "calf"], outcome)
            elif roll < 0.42:
                c.red_flag("my calf is swollen red and warm")
            if rng.random() < 0.4:
                c.not_answered(*rng.choice(UNANSWERED))
            conversations.append(c)
    for n, (question, contact) in enumerate(LEFT_QUESTIONS):
        start = now - (n + 1) * 20000
        conversations.append(Conversation(f"demo-q-{n}", start).leaves_question(question, contact))
    save(store, *conversations)


def save(store: PrivacySQLTrackerStore, *conversations: Conversation) -> None:
    rows = [
        _event_row(c.sender, event.type_name, event.as_dict())
        for c in conversations
        for event in c.events
    ]
    with store.session_scope() as session:
        session.execute(store.SQLEvent.__table__.insert(), rows)
        session.commit()


@pytest.fixture
def endpoints(tmp_path: Path) -> Path:
    return sqlite_endpoints(tmp_path, tmp_path / "conversations.db")


@pytest.fixture
def store(endpoints: Path) -> PrivacySQLTrackerStore:
    return open_store(endpoints)


def table_counts(db: ConsoleDB) -> Dict[str, int]:
    """Rows in each of the console's own tables."""
    with db.connect() as connection:
        return {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("staff", "audit_log", "review", "question_done")
        }


def staff_names(db: ConsoleDB) -> List[str]:
    with db.connect() as connection:
        return [r[0] for r in connection.execute("SELECT name FROM staff ORDER BY name")]


def empty_file_text() -> str:
    """data/nlu/staff_taught.yml before anything was taught."""
    return HEADER + 'version: "3.1"\nnlu: []\n'


def copy_project(target: Path) -> Path:
    """The training data, domain and config, as the teaching code needs them."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy2(PROJECT_ROOT / name, target / name)
    (target / "data" / "nlu" / "staff_taught.yml").write_text(empty_file_text(), encoding="utf-8")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def console_app(endpoints: Path, db_path: Path, **config: Any) -> Flask:
    """The console on the store of `endpoints`, with the staff account anna (PASSWORD)."""
    app = create_app(ConsoleConfig(endpoints=endpoints, db_path=db_path, **config))
    app.extensions["clinic_console_db"].set_password("anna", PASSWORD)
    return app


@pytest.fixture
def app(tmp_path: Path, endpoints: Path, project: Path) -> Flask:
    return console_app(
        endpoints,
        tmp_path / "console.sqlite",
        project_root=project,
        run_rasa_validate=False,  # test_teaching.py runs it; here it would only be slow
    )


def csrf_token(client, path: str = "/login") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def log_in(client, name: str = "anna", password: str = PASSWORD):
    return client.post(
        "/login", data={"name": name, "password": password, "csrf_token": csrf_token(client)}
    )


def logged_in_client(app: Flask) -> Any:
    """A test client of `app`, logged in as anna."""
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


@pytest.fixture
def client(app: Flask) -> Any:
    return logged_in_client(app)


# The assistant's two honest non-answers (domain.yml utter_dont_know, utter_default);
# which one a question no answer covers gets depends on the trained model.
# the honest "I can't answer that one", the request to rephrase, and the out-of-scope
# reply (a question with words the assistant has never seen may get that one)
HONEST_NON_ANSWERS = (
    "I can't answer that one",
    "I'm not sure I understood",
    "I can't help with that",
)


def honest_non_answer(text: str) -> bool:
    return any(fragment in text for fragment in HONEST_NON_ANSWERS)
