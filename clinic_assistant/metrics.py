"""Prometheus metrics. Counts and timings only: never a message, an answer or an id."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter("clinic_messages_total", "User messages handled", ["channel"])
REPLY_LATENCY = Histogram(
    "clinic_reply_latency_seconds",
    "Time from receiving a user message to the last reply",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
FALLBACKS = Counter(
    "clinic_fallbacks_total",
    "Replies that could not answer: nlu fallback (unsure) or out of scope",
    ["kind"],
)
APOLOGIES = Counter(
    "clinic_apologies_total",
    "Messages answered with an apology because nothing else replied",
    ["channel"],
)
PHASE_SECONDS = Histogram(
    "clinic_phase_seconds",
    "Time the Rasa server spends in each phase of handling a message: nlu (parse), "
    "policies (one next-action prediction), custom_action (one action server call), "
    "tracker_load, tracker_save",
    ["phase"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
REJECTED_REQUESTS = Counter("clinic_rejected_requests_total", "Malformed requests", ["channel"])
SCREENING_OUTCOMES = Counter(
    "clinic_screening_outcomes_total",
    "Screenings concluded, by outcome (clear, ruled_out, unsure, stopped, red_flag)",
    ["outcome"],
)


ERASURES = Counter(
    "clinic_erasures_total", 'Conversations erased on the runner\'s request ("delete my data")'
)
RETENTION_RUNS = Counter(
    "clinic_retention_runs_total",
    "Automatic retention clean-ups run by the Rasa server, by outcome (ok, error)",
    ["outcome"],
)
RETENTION_LAST_RUN = Gauge(
    "clinic_retention_last_run_timestamp_seconds",
    "When the last automatic retention clean-up finished (Unix time; 0: none yet)",
)
RETENTION_LAST_REMOVED = Gauge(
    "clinic_retention_last_run_removed",
    "What the last automatic retention clean-up deleted: conversations, events",
    ["kind"],
)
RETENTION_DAYS = Gauge(
    "clinic_retention_days", "Conversations are deleted this many days after their last message"
)


def count_screening_outcome(outcome: str) -> None:
    SCREENING_OUTCOMES.labels(outcome=outcome).inc()
