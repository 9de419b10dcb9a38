"""Prometheus counters. Counts only: never a message, an answer or an id."""

from __future__ import annotations

from prometheus_client import Counter

SCREENING_OUTCOMES = Counter(
    "clinic_screening_outcomes_total",
    "Screenings concluded, by outcome (clear, ruled_out, unsure, stopped, red_flag)",
    ["outcome"],
)


def count_screening_outcome(outcome: str) -> None:
    SCREENING_OUTCOMES.labels(outcome=outcome).inc()
