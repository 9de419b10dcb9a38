"""A server-rendered SVG bar chart for the overview (no JavaScript)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Dict, List

from markupsafe import Markup, escape

SERIES = (
    ("conversations", "Conversations", "#0b5d4b"),
    ("not_answered", "Could not answer", "#d9822b"),
    ("red_flags", "Red flags", "#b3261e"),
)


def _value(row: Dict[str, Any], key: str) -> int:
    value = row.get(key, 0)
    return sum(value.values()) if isinstance(value, dict) else int(value)


def last_days(rows: List[Dict[str, Any]], today: date, days: int) -> List[Dict[str, Any]]:
    """One row for each of the last `days` days, oldest first (empty days as zeros)."""
    by_day = {row["day"]: row for row in rows}
    out = []
    for offset in range(days - 1, -1, -1):
        day = (today - timedelta(days=offset)).isoformat()
        out.append(
            by_day.get(day)
            or {
                "day": day,
                "conversations": 0,
                "messages": 0,
                "outcomes": {},
                "red_flags": 0,
                "not_answered": {},
                "questions": 0,
            }
        )
    return out


def bar_chart(rows: List[Dict[str, Any]], width: int = 760, height: int = 240) -> Markup:
    left, bottom, top = 36, 34, 28
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([_value(r, key) for r in rows for key, _, _ in SERIES] + [1])
    step = max(1, -(-peak // 4))
    scale_max = step * 4
    slot = plot_w / max(len(rows), 1)
    bar = max(2.0, min(14.0, (slot - 4) / len(SERIES)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        '<title id="chart-title">Conversations, questions it could not answer and red '
        "flags per day</title>",
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{step * i}</text>"
        )
    for index, row in enumerate(rows):
        x0 = left + index * slot + (slot - bar * len(SERIES)) / 2
        for n, (key, label, colour) in enumerate(SERIES):
            value = _value(row, key)
            h = plot_h * value / scale_max
            parts.append(
                f'<rect x="{x0 + n * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{escape(row["day"])}: {value} '
                f"{escape(label.lower())}</title></rect>"
            )
        if len(rows) <= 16 or index % max(1, len(rows) // 10) == 0:
            parts.append(
                f'<text x="{left + index * slot + slot / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" font-size="11">{escape(row["day"][5:])}</text>'
            )
    for n, (_, label, colour) in enumerate(SERIES):
        x = left + n * 170
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 18}" y="16" font-size="12">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
