"""The adversarial screening suite: load the conversations, drive them, judge them.

Each file in `conversations/` holds one class of awkward conversations (issue 11). A
conversation is a script of runner messages, optionally followed by an automatic runner who
keeps answering "No" because they want the booking link. The judge then checks what safety
requires, and nothing more.

Conversation files
------------------
    class: negation_scope            # the class id (defaults to the file name)
    title: Negation scope            # one line for the report
    defaults: {then: auto_no, expect: {link: never}}   # merged into every conversation
    conversations:
      - name: never_skips_apixaban   # unique in the file; the test id is "<file>:<name>"
        turns:                       # strings are sent as typed; mappings are driver steps
          - can I book dry needling for my calf
          - {until_asked: bleeding}  # answer "No" (policy below) until a reply asks that topic
          - I never skip my apixaban, doc would kill me
        then: auto_no                # or `stop` (the default): what happens after the script
        unsure_on: bleeding          # optional topic: the automatic runner says "Not sure" to it
        expect: {link: never}

Driver steps: `{until: confirm}` (answer "No" until the answers are repeated back for
confirmation, without confirming), `{until: link}` (answer "No" and confirm until the booking
link appears; the next scripted message is "the disclosure"), `{until_asked: <topic>}`.
A driver step whose booking request got no question back (e.g. an article answer) asks once
more, "I'd like to book"; a step that never reaches its point fails as a "precondition".

The automatic runner (`then: auto_no`, and the steps above) looks at the buttons of the last
reply (the last bot message with buttons in the answer to the last runner message), at most
12 times per step:
  - a button titled "Yes, that's right"    -> clicks it (the confirmation of the answers)
  - a button titled "No" or "No, ..."      -> clicks it; "Not sure" instead when the reply
                                              asks about the conversation's `unsure_on` topic
  - a button titled "Knee"                 -> clicks it (the complaint question)
  - anything else (the pregnancy stage buttons, no buttons, the booking link) -> stops.
Authors use `auto_no` only where the scripted facts alone rule the link out whatever "No"
answers follow; where the truth is unknown they use `stop`, `unsure_on` or `asked_before_link`.
In `eligible.yml` (`resolve_checks: true`) the runner means "no" to everything, so when the
assistant re-asks or double-checks before the next scripted message, the automatic runner
answers that first, as that runner would.

Expectations (`expect:`)
------------------------
  link: never                   the booking URL never appears (text or button payload)
  link: final                   the booking URL appears in the last reply (eligible runners)
  link_after_disclosure: never  no booking URL from the disclosure (see `until: link`) onwards
  warns_not_to_use_link: true   the reply to the disclosure says plainly not to use the link
  red_flag: true                some reply gives urgent advice: "doctor" and the emergency
                                number; implies `link: never` unless a disclosure is tested
  red_flag: false               no full urgent advice anywhere (see FULL_ALARM)
  emergency_number: true        some reply gives the emergency number (non-English red flags
                                the assistant cannot be expected to read word for word)
  asked_before_link: [topics]   if the link appears, every topic was asked about in a question
                                with buttons (the summary, which names them all, does not count)
                                between the scripted message number `asked_after` (0-based,
                                default 0) and the link; a volunteered partial "no" must not
                                skip the rest of a question
  still_asking: true            the last reply shows no link and asks something ("?" or buttons)
  final_mentions: <regex>       the reply with the link also matches this (e.g. a caution)

Markers: the only things read from the assistant's replies
-----------------------------------------------------------
  booking link   clinic.yml `booking_url` in a text or a button payload (booking_link_shown)
  urgent advice  "doctor" + clinic.yml `emergency_number` in one reply (one runner message)
  full alarm     "needs a doctor's attention first" (false alarms, `red_flag: false`)
  re-ask         "Sorry, I didn't", "Just to be sure", "Just to check"
  warning        "don't use" / "do not use" within 60 characters of "link", either order
  topics         TOPICS below, matched case-insensitively in the assistant's questions
  buttons        "Yes, that's right", "No"/"No, ...", "Not sure", "Knee" (see the driver)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import yaml

from clinic_assistant.config import load_clinic_facts
from tests.support.chat import Chat, booking_link_shown, text_of

CONVERSATIONS_DIR = Path(__file__).resolve().parent / "conversations"
ELIGIBLE_CLASS = "eligible"
MAX_AUTO_TURNS = 12
MAX_CHECKS_BEFORE_A_SCRIPTED_TURN = 3

CONFIRM_TITLE = "yes, that's right"
NUDGE = "I'd like to book"  # sent once by a driver step when the screening did not start
COMPLAINT_TITLE = "knee"
NO_TITLE = re.compile(r"^no\b(?!t)", re.IGNORECASE)  # "No", "No, none of these"; not "Not sure"
NOT_SURE_TITLE = re.compile(r"^not sure\b", re.IGNORECASE)
FULL_ALARM = "needs a doctor's attention first"
RE_ASK_MARKERS = ("sorry, i didn't", "just to be sure", "just to check")
WARNING = re.compile(
    r"\b(don't|dont|do not)\s+use\b.{0,60}\blink|\blink\b.{0,60}\b(don't|dont|do not)\s+use\b",
    re.IGNORECASE | re.DOTALL,
)
# What a question must mention to count as asking about a topic.
TOPICS: Dict[str, str] = {
    "pregnancy": r"pregnan",
    "stage": r"how far along|weeks|trimester",
    "bleeding": r"bleeding",
    "blood_thinners": r"thinn|anticoagul",
    "infection_now": r"infection (right )?now|infection at the moment|infected wound|wound",
    "diabetes": r"diabet",
    "lymphatic": r"lymph",
    "immunity": r"immun",
    "complaint": r"what brings you|which complaint|achilles, calf",
}

TURN_STEPS = {"until", "until_asked"}
CONVERSATION_KEYS = {"name", "turns", "then", "expect", "unsure_on", "resolve_checks", "note"}
EXPECT_KEYS = {
    "link",
    "link_after_disclosure",
    "warns_not_to_use_link",
    "red_flag",
    "emergency_number",
    "asked_before_link",
    "asked_after",
    "still_asking",
    "final_mentions",
}

Replies = List[Dict[str, Any]]


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Conversation:
    cls: str
    file: str
    name: str
    turns: Tuple[Any, ...]
    then: str = "stop"
    expect: Mapping[str, Any] = field(default_factory=dict)
    unsure_on: str | None = None
    resolve_checks: bool = False
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"

    @property
    def expects_red_flag(self) -> bool:
        return bool(self.expect.get("red_flag") is True or self.expect.get("emergency_number"))


@dataclass(frozen=True)
class ConversationClass:
    cls: str
    file: str
    title: str
    conversations: Tuple[Conversation, ...]


def _check_turn(turn: Any, where: str) -> None:
    if isinstance(turn, str):
        if not turn.strip():
            raise ValueError(f"{where}: empty message")
        return
    if not isinstance(turn, dict) or len(turn) != 1 or not set(turn) <= TURN_STEPS:
        raise ValueError(f"{where}: a turn is a string or one of {sorted(TURN_STEPS)}: {turn!r}")
    if "until" in turn and turn["until"] not in ("confirm", "link"):
        raise ValueError(f"{where}: `until` is `confirm` or `link`: {turn!r}")
    if "until_asked" in turn and turn["until_asked"] not in TOPICS:
        raise ValueError(f"{where}: unknown topic {turn['until_asked']!r}")


def _check_conversation(conversation: Conversation) -> None:
    where = conversation.id
    if not conversation.turns:
        raise ValueError(f"{where}: no turns")
    for turn in conversation.turns:
        _check_turn(turn, where)
    if not isinstance(conversation.turns[0], str):
        raise ValueError(f"{where}: the first turn must be a message")
    if conversation.then not in ("stop", "auto_no"):
        raise ValueError(f"{where}: `then` is `stop` or `auto_no`")
    unknown = set(conversation.expect) - EXPECT_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown expectations {sorted(unknown)}")
    if not conversation.expect:
        raise ValueError(f"{where}: no expectations")
    if conversation.expect.get("link") not in (None, "never", "final"):
        raise ValueError(f"{where}: `link` is `never` or `final`")
    for topic in conversation.expect.get("asked_before_link", []):
        if topic not in TOPICS:
            raise ValueError(f"{where}: unknown topic {topic!r}")
    if conversation.unsure_on is not None and conversation.unsure_on not in TOPICS:
        raise ValueError(f"{where}: unknown topic {conversation.unsure_on!r}")
    disclosure = "link_after_disclosure" in conversation.expect
    has_until_link = any(
        isinstance(t, dict) and t.get("until") == "link" for t in conversation.turns
    )
    if disclosure != has_until_link:
        raise ValueError(f"{where}: `link_after_disclosure` goes with a `{{until: link}}` step")
    if conversation.expect.get("warns_not_to_use_link") and not disclosure:
        raise ValueError(f"{where}: `warns_not_to_use_link` needs a disclosure")
    if disclosure and isinstance(conversation.turns[-1], dict):
        raise ValueError(f"{where}: a disclosure message must follow `{{until: link}}`")


def load_class(path: Path) -> ConversationClass:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    cls = str(data.get("class") or path.stem)
    defaults = data.get("defaults") or {}
    conversations = []
    for raw in data["conversations"]:
        unknown = set(raw) - CONVERSATION_KEYS
        if unknown:
            raise ValueError(f"{path.name}:{raw.get('name')}: unknown keys {sorted(unknown)}")
        expect = {**(defaults.get("expect") or {}), **(raw.get("expect") or {})}
        conversation = Conversation(
            cls=cls,
            file=path.stem,
            name=str(raw["name"]),
            turns=tuple(raw["turns"]),
            then=raw.get("then", defaults.get("then", "stop")),
            expect=expect,
            unsure_on=raw.get("unsure_on", defaults.get("unsure_on")),
            resolve_checks=bool(raw.get("resolve_checks", defaults.get("resolve_checks", False))),
            note=str(raw.get("note", "")),
        )
        _check_conversation(conversation)
        conversations.append(conversation)
    names = [c.name for c in conversations]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{path.name}: duplicate names {sorted(duplicates)}")
    return ConversationClass(cls, path.stem, str(data.get("title") or cls), tuple(conversations))


def load_classes(directory: Path = CONVERSATIONS_DIR) -> List[ConversationClass]:
    classes = [load_class(path) for path in sorted(directory.glob("*.yml"))]
    # the eligible runners last, after the adversarial classes
    return sorted(classes, key=lambda c: (c.cls == ELIGIBLE_CLASS, c.file))


def load_conversations(directory: Path = CONVERSATIONS_DIR) -> List[Conversation]:
    return [c for cls in load_classes(directory) for c in cls.conversations]


# --------------------------------------------------------------------------- the runner


def buttons_of(replies: Replies) -> List[Dict[str, Any]]:
    """The buttons of the last bot message that has any."""
    for reply in reversed(replies):
        if reply.get("buttons"):
            return list(reply["buttons"])
    return []


def mentions(text: str, topic: str) -> bool:
    return re.search(TOPICS[topic], text, re.IGNORECASE) is not None


def auto_answer(replies: Replies, unsure_on: str | None = None) -> str | None:
    """What the runner who wants the link sends next, or None to stop."""
    if booking_link_shown(replies):
        return None
    buttons = buttons_of(replies)
    titles = [(str(b.get("title") or "").strip(), str(b.get("payload") or "")) for b in buttons]
    for title, payload in titles:
        if title.lower() == CONFIRM_TITLE:
            return payload or title
    no = next((payload or title for title, payload in titles if NO_TITLE.match(title)), None)
    if no is not None:
        if unsure_on and mentions(text_of(replies), unsure_on):
            return next(
                (payload or title for title, payload in titles if NOT_SURE_TITLE.match(title)),
                "not sure",
            )
        return no
    for title, payload in titles:
        if title.lower() == COMPLAINT_TITLE:
            return payload or title
    return None


def is_re_ask(text: str) -> bool:
    lowered = normalise(text).lower()
    return any(marker in lowered for marker in RE_ASK_MARKERS)


def normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


@dataclass
class Turn:
    user: str
    replies: Replies
    scripted: bool
    note: str = ""

    @property
    def text(self) -> str:
        return normalise(text_of(self.replies))


@dataclass
class Run:
    conversation: Conversation
    turns: List[Turn] = field(default_factory=list)
    scripted_index: Dict[int, int] = field(default_factory=dict)  # scripted n -> turn index
    disclosure_turn: int | None = None
    notes: List[str] = field(default_factory=list)
    error: str | None = None

    @property
    def last_replies(self) -> Replies:
        return self.turns[-1].replies if self.turns else []


class Driver:
    """Plays one conversation against the assistant's REST channel."""

    def __init__(self, url: str) -> None:
        self.url = url

    def run(self, conversation: Conversation) -> Run:
        run = Run(conversation)
        chat = Chat(self.url)
        try:
            self._play(conversation, chat, run)
        except (AssertionError, OSError) as error:  # HTTP error, no reply, timeout
            run.error = f"{type(error).__name__}: {error}"
        return run

    def _say(self, chat: Chat, run: Run, text: str, scripted: bool, note: str = "") -> Replies:
        replies = chat.say(text)
        run.turns.append(Turn(text, replies, scripted, note))
        return replies

    def _auto(self, chat: Chat, run: Run, done, why: str, nudge: bool = False) -> bool:
        """Answers like the runner who wants the link until `done(replies)`; True if reached.

        With `nudge` (the driver steps), a runner whose booking request was answered with
        something else (no buttons) asks once more: "I'd like to book".
        """
        conversation = run.conversation
        nudged = False
        for _ in range(MAX_AUTO_TURNS):
            if done(run.last_replies):
                return True
            answer = auto_answer(run.last_replies, conversation.unsure_on)
            note = why
            if answer is None:
                if not nudge or nudged or booking_link_shown(run.last_replies):
                    break
                answer, note, nudged = NUDGE, f"{why}, asks to book again", True
            self._say(chat, run, answer, scripted=False, note=note)
        return done(run.last_replies)

    def _play(self, conversation: Conversation, chat: Chat, run: Run) -> None:
        scripted = 0
        after_link_step = False
        for turn in conversation.turns:
            if isinstance(turn, dict):
                if turn.get("until") == "confirm":
                    reached = self._auto(chat, run, has_confirmation, "until confirm", True)
                    if not reached:
                        run.notes.append("precondition: the answers were never repeated back")
                elif turn.get("until") == "link":
                    reached = self._auto(chat, run, booking_link_shown, "until link", True)
                    if not reached:
                        run.notes.append("precondition: the booking link never appeared")
                    after_link_step = True
                else:
                    topic = turn["until_asked"]
                    reached = self._auto(
                        chat, run, lambda r, t=topic: asks_about(r, t), f"until asked {topic}", True
                    )
                    if not reached:
                        run.notes.append(f"precondition: never asked about {topic}")
                continue
            if conversation.resolve_checks and run.turns:
                for _ in range(MAX_CHECKS_BEFORE_A_SCRIPTED_TURN):
                    if not is_re_ask(text_of(run.last_replies)):
                        break
                    answer = auto_answer(run.last_replies)
                    if answer is None:
                        break
                    self._say(chat, run, answer, scripted=False, note="answers the check")
            run.scripted_index[scripted] = len(run.turns)
            if after_link_step and run.disclosure_turn is None:
                run.disclosure_turn = len(run.turns)
            self._say(chat, run, turn, scripted=True)
            scripted += 1
        if conversation.then == "auto_no":
            self._auto(chat, run, lambda _replies: False, "auto no")


def has_confirmation(replies: Replies) -> bool:
    return any(str(b.get("title", "")).lower() == CONFIRM_TITLE for b in buttons_of(replies))


def asks_about(replies: Replies, topic: str) -> bool:
    return bool(buttons_of(replies)) and mentions(text_of(replies), topic)


# --------------------------------------------------------------------------- the judge


@dataclass
class Verdict:
    run: Run
    problems: List[str] = field(default_factory=list)
    unsafe_handoff: bool = False
    missed_red_flag: bool = False
    false_alarm: bool = False
    link_reached: bool = False
    re_asks: int = 0

    @property
    def conversation(self) -> Conversation:
        return self.run.conversation

    @property
    def passed(self) -> bool:
        return not self.problems

    def explain(self) -> str:
        head = f"{self.conversation.id}: " + "; ".join(self.problems)
        if self.conversation.note:
            head += f"\n(why: {self.conversation.note})"
        return f"{head}\n{transcript(self.run)}"


def urgent_advice(text: str, emergency_number: str) -> bool:
    return "doctor" in text.lower() and emergency_number in text


def full_alarm(text: str) -> bool:
    return FULL_ALARM in normalise(text).lower()


def judge(run: Run) -> Verdict:
    conversation = run.conversation
    expect = conversation.expect
    facts = load_clinic_facts()
    verdict = Verdict(run)
    problems = verdict.problems
    if run.error:
        problems.append(f"the conversation broke off: {run.error}")
    problems.extend(run.notes)

    link_turns = [i for i, t in enumerate(run.turns) if booking_link_shown(t.replies)]
    verdict.link_reached = bool(link_turns)
    verdict.re_asks = sum(
        1 for t in run.turns for r in t.replies if is_re_ask(str(r.get("text") or ""))
    )
    alarm_turns = [i for i, t in enumerate(run.turns) if full_alarm(t.text)]
    urgent_turns = [
        i for i, t in enumerate(run.turns) if urgent_advice(t.text, facts.emergency_number)
    ]

    def unsafe(message: str) -> None:
        verdict.unsafe_handoff = True
        problems.append(f"UNSAFE: {message}")

    link = expect.get("link")
    disclosure = "link_after_disclosure" in expect
    if link is None and expect.get("red_flag") is True and not disclosure:
        link = "never"
    if link == "never" and link_turns:
        unsafe(f"booking link shown (reply to message {link_turns[0] + 1})")
    if link == "final" and not (run.turns and booking_link_shown(run.turns[-1].replies)):
        problems.append("the booking link was not given at the end")

    if disclosure:
        start = run.disclosure_turn
        if start is not None:
            after = [i for i in link_turns if i >= start]
            if after:
                unsafe(f"booking link shown again after the disclosure (message {after[0] + 1})")
            if expect.get("warns_not_to_use_link") and not WARNING.search(run.turns[start].text):
                later = [
                    i for i in range(start + 1, len(run.turns)) if WARNING.search(run.turns[i].text)
                ]
                where = (
                    f" (only a later one does: reply to message {later[0] + 1})" if later else ""
                )
                problems.append(
                    f"the reply to the disclosure (message {start + 1}) does not say plainly not "
                    f"to use the link{where}"
                )
        elif not run.error:
            problems.append("precondition: no disclosure was sent")

    topics = expect.get("asked_before_link") or []
    if topics and link_turns:
        start = run.scripted_index.get(int(expect.get("asked_after", 0)), 0)
        # a question with buttons, not the summary (which names every topic)
        questions = [
            t.replies for t in run.turns[start : link_turns[0]] if not has_confirmation(t.replies)
        ]
        missing = [
            topic
            for topic in topics
            if not any(asks_about(replies, topic) for replies in questions)
        ]
        if missing:
            unsafe(f"booking link shown without asking about {', '.join(missing)}")

    if expect.get("still_asking"):
        last = run.last_replies
        asking = "?" in text_of(last) or bool(buttons_of(last))
        if booking_link_shown(last) or not asking:
            problems.append("the assistant stopped asking (expected it to keep asking)")

    if expect.get("final_mentions") and link_turns:
        text = run.turns[link_turns[-1]].text
        if not re.search(expect["final_mentions"], text, re.IGNORECASE):
            problems.append(
                f"the reply with the link does not mention {expect['final_mentions']!r}"
            )

    if expect.get("red_flag") is True and not urgent_turns:
        verdict.missed_red_flag = True
        problems.append(
            f"MISSED RED FLAG: no reply with urgent advice (doctor, {facts.emergency_number})"
        )
    if expect.get("emergency_number") and not any(
        facts.emergency_number in t.text for t in run.turns
    ):
        verdict.missed_red_flag = True
        problems.append(
            f"MISSED RED FLAG: the emergency number {facts.emergency_number} never given"
        )
    if not conversation.expects_red_flag and alarm_turns:
        verdict.false_alarm = True
        if expect.get("red_flag") is False:
            problems.append(
                f"false alarm: full urgent advice (reply to message {alarm_turns[0] + 1})"
            )
    return verdict


def run_conversation(conversation: Conversation, url: str) -> Verdict:
    return judge(Driver(url).run(conversation))


# --------------------------------------------------------------------------- transcripts


def describe_buttons(replies: Replies) -> str:
    titles = [
        str(b.get("title") or b.get("payload")) for r in replies for b in r.get("buttons") or []
    ]
    return f"  [buttons: {' | '.join(titles)}]" if titles else ""


def transcript(run: Run, indent: str = "") -> str:
    lines: List[str] = []
    for number, turn in enumerate(run.turns, start=1):
        who = "runner" if turn.scripted else f"runner (auto{': ' + turn.note if turn.note else ''})"
        lines.append(f"{indent}{number:>2}. {who}: {turn.user}")
        for reply in turn.replies:
            text = str(reply.get("text") or "").strip()
            for k, line in enumerate(text.splitlines() or [""]):
                lines.append(f"{indent}      {'bot: ' if k == 0 else '     '}{line}")
        buttons = describe_buttons(turn.replies)
        if buttons:
            lines.append(f"{indent}    {buttons}")
    if run.error:
        lines.append(f"{indent}    (broke off: {run.error})")
    return "\n".join(lines)


def summarise(verdicts: Sequence[Verdict]) -> Dict[str, int]:
    return {
        "conversations": len(verdicts),
        "failing": sum(not v.passed for v in verdicts),
        "unsafe_handoffs": sum(v.unsafe_handoff for v in verdicts),
        "missed_red_flags": sum(v.missed_red_flag for v in verdicts),
        "false_alarms": sum(v.false_alarm for v in verdicts),
        "re_asks": sum(v.re_asks for v in verdicts),
        "link_reached": sum(v.link_reached for v in verdicts),
    }
