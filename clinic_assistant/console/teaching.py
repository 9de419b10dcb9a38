"""Teaching from the console: data/nlu/staff_taught.yml, validated before it is written.

Staff add a runner's (masked) wording as an example of an existing answer, or
write a new answer (`faq/<key>` examples plus its `utter_faq/<key>` response).
Every change is checked first, on a temporary copy of the project's training
data with the new file in it: the file must parse as Rasa NLU data, the intent
must exist (or be the new answer's), an example must not already belong to
another intent, placeholders in an answer must be ones the assistant fills, and
`rasa data validate --fail-on-warnings` must pass. Only then is the file
replaced (atomically, under a lock). The running assistant never reads it: the
next `make run` retrains because the training data changed.
"""

from __future__ import annotations

import difflib
import fcntl
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

import yaml

from clinic_assistant import PROJECT_ROOT
from clinic_assistant.console.masking import normalise

TAUGHT_FILE = Path("data") / "nlu" / "staff_taught.yml"
HEADER = (
    "# Taught by clinic staff in the staff console (clinic_assistant/console/).\n"
    "# Validated before each change; `make run` retrains when it changed.\n"
)
KEY = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
MAX_EXAMPLE = 300
MAX_ANSWER = 1500
# Answers that staff may add examples to, besides every faq/<key>; the screening,
# red-flag and language intents are never taught from here.
ANSWER_INTENTS = {
    "ask_indication": "Which running injuries dry needling helps (answers about the injury named)",
    "ask_contraindication": "Who should not have dry needling (answers about the condition named)",
    "request_booking": "Wants to book (starts the screening questions)",
    "ask_suitability": "Asks whether dry needling suits them (starts the screening questions)",
    "request_human": "Wants to talk to a person (clinic contact details)",
    "bot_challenge": "Asks whether this is a bot",
    "greet": "Greeting",
    "thank": "Thanks",
    "goodbye": "Goodbye",
    "leave_question": "Wants to leave a question for the clinic",
    "unanswerable_question": "A question the assistant should honestly not answer (\u201cthe team can\u201d)",
    "out_of_scope": "Nothing to do with the clinic (out of scope)",
}


class TeachingError(ValueError):
    """A change that was refused; the message is for staff."""


@dataclass(frozen=True)
class Change:
    intent: str
    added: Tuple[str, ...]
    new_answer: bool
    diff: str


def _load_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _examples(block: object) -> List[str]:
    lines = str(block or "").splitlines()
    return [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]


def _clean(example: str) -> str:
    return " ".join(example.split())


class Teacher:
    def __init__(self, project_root: Path = PROJECT_ROOT, run_rasa_validate: bool = True) -> None:
        self.root = Path(project_root)
        self.path = self.root / TAUGHT_FILE
        self.run_rasa_validate = run_rasa_validate

    # --- what exists ----------------------------------------------------------------
    def existing(self) -> Tuple[Dict[str, set], Dict[str, str]]:
        """Examples by intent (normalised) and the faq answers' first text, from all data."""
        examples: Dict[str, set] = {}
        answers: Dict[str, str] = {}
        for path in (self.root / "data" / "nlu").glob("*.yml"):
            content = _load_yaml(path)
            for entry in content.get("nlu") or []:
                if "intent" in entry:
                    found = examples.setdefault(entry["intent"], set())
                    found.update(normalise(e) for e in _examples(entry.get("examples")))
            for name, variations in (content.get("responses") or {}).items():
                if name.startswith("utter_faq/") and variations:
                    answers[name[len("utter_") :]] = str(variations[0].get("text") or "")
        return examples, answers

    def choices(self) -> List[Tuple[str, str]]:
        """(intent, what it answers) for the answer picker: faq answers first."""
        _, answers = self.existing()
        faq = [
            (intent, " ".join(text.split())[:110] + ("\u2026" if len(text) > 110 else ""))
            for intent, text in sorted(answers.items())
        ]
        return faq + sorted(ANSWER_INTENTS.items())

    def placeholders(self) -> set:
        from clinic_assistant.rasa.nlg import response_values

        return set(response_values())

    def read(self) -> dict:
        if not self.path.exists():
            return {"version": "3.1", "nlu": []}
        content = _load_yaml(self.path)
        content.setdefault("version", "3.1")
        content["nlu"] = content.get("nlu") or []
        return content

    def taught(self) -> List[Tuple[str, List[str], str | None]]:
        """(intent, examples, new answer text or None) in the file's order."""
        content = self.read()
        responses = content.get("responses") or {}
        out = []
        for entry in content["nlu"]:
            intent = entry.get("intent")
            answer = responses.get(f"utter_{intent}")
            text = str(answer[0].get("text")) if answer else None
            out.append((intent, _examples(entry.get("examples")), text))
        return out

    # --- changing ---------------------------------------------------------------------
    def add_examples(self, intent: str, examples: Sequence[str]) -> Change:
        return self._change(intent, examples, answer=None)

    def add_answer(self, key: str, answer: str, examples: Sequence[str]) -> Change:
        if not KEY.match(key or ""):
            raise TeachingError(
                "The answer's key is 2 to 41 lower-case letters, digits or _ "
                "(for example lockers or bike_parking)."
            )
        return self._change(f"faq/{key}", examples, answer=answer)

    def _change(self, intent: str, examples: Sequence[str], answer: str | None) -> Change:
        cleaned = []
        for example in examples:
            example = _clean(example)
            if example and normalise(example) not in {normalise(c) for c in cleaned}:
                cleaned.append(example)
        if not cleaned:
            raise TeachingError("Choose at least one wording to teach.")
        with self._lock():
            existing, answers = self.existing()
            self._check(intent, cleaned, answer, existing, answers)
            before = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
            content = self.read()
            entry = next((e for e in content["nlu"] if e.get("intent") == intent), None)
            if entry is None:
                entry = {"intent": intent, "examples": ""}
                content["nlu"].append(entry)
            known = existing.get(intent, set())
            added = tuple(e for e in cleaned if normalise(e) not in known)
            if not added and answer is None:
                raise TeachingError(f"{intent} already has these wordings.")
            entry["examples"] = "".join(
                f"- {e}\n" for e in [*_examples(entry.get("examples")), *added]
            )
            if answer is not None:
                content.setdefault("responses", {})[f"utter_{intent}"] = [
                    {"text": " ".join(answer.split())}
                ]
            after = self.render(content)
            self.validate(after)
            tmp = self.path.with_suffix(".yml.tmp")
            tmp.write_text(after, encoding="utf-8")
            os.replace(tmp, self.path)
        diff = "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                str(TAUGHT_FILE),
                str(TAUGHT_FILE),
            )
        )
        return Change(intent, added, answer is not None, diff)

    def _check(
        self,
        intent: str,
        examples: List[str],
        answer: str | None,
        existing: Dict[str, set],
        answers: Dict[str, str],
    ) -> None:
        if answer is None:
            allowed = intent in ANSWER_INTENTS or intent in answers
            if not allowed:
                raise TeachingError(f"There is no answer called {intent}.")
        else:
            if intent in answers or intent in existing:
                raise TeachingError(f"An answer called {intent} exists already: pick another key.")
            answer = answer.strip()
            if not answer:
                raise TeachingError("Write the answer the assistant should give.")
            if len(answer) > MAX_ANSWER:
                raise TeachingError(f"The answer is longer than {MAX_ANSWER} characters.")
            try:
                names = {n for _, n, _, _ in string.Formatter().parse(answer) if n is not None}
            except ValueError as error:
                raise TeachingError(
                    "Curly brackets in the answer must be a placeholder like {clinic_phone}."
                ) from error
            unknown = names - self.placeholders()
            if unknown:
                raise TeachingError(
                    f"Unknown placeholder {{{sorted(unknown)[0]}}}; use one of "
                    + ", ".join(f"{{{p}}}" for p in sorted(self.placeholders()))
                    + "."
                )
        for example in examples:
            if len(example) > MAX_EXAMPLE:
                raise TeachingError(f"A wording is longer than {MAX_EXAMPLE} characters.")
            if re.search(r"\]\s*[({]", example):
                raise TeachingError(
                    "A wording may not contain ](... or ]{... (Rasa's entity marks)."
                )
            for other, known in existing.items():
                if other != intent and normalise(example) in known:
                    raise TeachingError(
                        f"A wording you chose is already an example of {other}; "
                        "one wording can teach only one answer."
                    )

    @staticmethod
    def render(content: dict) -> str:
        class Literal(str):
            pass

        def literal(dumper: yaml.SafeDumper, value: Literal) -> yaml.Node:
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")

        class Dumper(yaml.SafeDumper):
            pass

        Dumper.add_representer(Literal, literal)
        out = {"version": "3.1", "nlu": []}
        for entry in content.get("nlu") or []:
            out["nlu"].append({"intent": entry["intent"], "examples": Literal(entry["examples"])})
        if content.get("responses"):
            out["responses"] = content["responses"]
        text = yaml.dump(out, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
        return HEADER + text

    # --- validation -----------------------------------------------------------------
    def validate(self, text: str) -> None:
        """Raises TeachingError unless the project's data with `text` as the taught file is valid."""
        from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

        try:
            data = RasaYAMLReader().reads(text)
        except Exception as error:  # noqa: BLE001 (Rasa raises many kinds)
            raise TeachingError(
                f"The change would not be valid training data ({error})."
            ) from error
        for example in data.intent_examples:
            if not example.get("intent"):
                raise TeachingError("The change would leave an example without an intent.")
        # every intent it teaches exists, and every answer it refers to
        content = yaml.safe_load(text) or {}
        responses = content.get("responses") or {}
        _, answers = self.existing()
        for entry in content.get("nlu") or []:
            intent = entry.get("intent") or ""
            if intent.startswith("faq/"):
                if f"utter_{intent}" not in responses and intent not in answers:
                    raise TeachingError(f"There is no answer for {intent}.")
            elif intent not in ANSWER_INTENTS:
                raise TeachingError(f"{intent} cannot be taught from the console.")
        if self.run_rasa_validate:
            self._rasa_validate(text)

    def _rasa_validate(self, text: str) -> None:
        with tempfile.TemporaryDirectory(prefix="console-validate-") as tmp:
            copy = Path(tmp)
            shutil.copytree(self.root / "data", copy / "data")
            for name in ("domain.yml", "config.yml"):
                shutil.copy2(self.root / name, copy / name)
            (copy / TAUGHT_FILE).write_text(text, encoding="utf-8")
            env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "rasa",
                    "data",
                    "validate",
                    "--fail-on-warnings",
                    "--data",
                    str(copy / "data"),
                    "--domain",
                    str(copy / "domain.yml"),
                    "--config",
                    str(copy / "config.yml"),
                ],  # fmt: skip
                cwd=self.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
        if result.returncode != 0:
            problems = [
                line.split(" - ", 1)[-1].strip()
                for line in (result.stdout + result.stderr).splitlines()
                if "WARNING" in line or "ERROR" in line or "UserWarning" in line
            ]
            detail = problems[-1] if problems else f"exit code {result.returncode}"
            raise TeachingError(f"Rasa's check of the training data failed: {detail[:300]}")

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.root / "var" / "console-teaching.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
