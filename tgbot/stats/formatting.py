"""Statistics summaries as plain text (/stats and the CLI table), JSON and CSV.

Pure functions over queries.StatsSummary; texts shown are already scrubbed. The plain text
is not HTML: a Telegram handler sends it without a parse mode (or escapes it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from tgbot.stats.queries import StatsSummary

__all__ = ["csv_safe", "summary_csv", "summary_data", "summary_json", "summary_text"]

_MAX_TEXT_SHOWN = 90  # characters of one kept question in the overview


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (kept texts come from the public)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT_SHOWN else text[: _MAX_TEXT_SHOWN - 1] + "…"


def _window_text(s: StatsSummary) -> list[str]:
    w = s.window
    lines = [
        f"Last {w.days} days ({w.start.isoformat()} to {w.end.isoformat()}, UTC)",
        f"Questions: {s.questions}; answered {s.answered} ({_pct(s.answered, s.questions)}), "
        f"suggestions {s.suggested}, unanswered {s.unanswered}",
    ]
    per_day = ", ".join(f"{d.day.strftime('%m-%d')} {d.askers}" for d in s.daily)
    lines.append(f"Distinct askers per day: average {s.askers_average:.1f}; {per_day}")
    lines.append(f"Red flags: emergency {s.emergency}, urgent {s.urgent}")
    if s.red_flag_concepts:
        concepts = "; ".join(
            f"{c.concept} ({c.level or 'no level'}) {c.events}" for c in s.red_flag_concepts
        )
        lines.append(f"Red flags by concept: {concepts}")
    if s.checks:
        total = sum(c.checks for c in s.checks)
        endings = "; ".join(
            f"{c.ended_at}{f' ({c.level})' if c.level else ''} {c.checks}" for c in s.checks
        )
        lines.append(f"Warning-sign checks: {total}, ended at: {endings}")
    topics = "; ".join(f"{t.topic} {t.questions}" for t in s.top_topics) or "none"
    lines.append(f"Top topics: {topics}")
    feedback = (
        "; ".join(f"{f.topic or '(no topic)'} {f.helpful}/{f.unhelpful}" for f in s.feedback)
        or "none"
    )
    lines.append(f"Feedback 👍/👎 by topic: {feedback}")
    if s.top_unanswered:
        lines.append("Most common unanswered questions (scrubbed):")
        lines.extend(f"  {t.count}× {_short(t.text)}" for t in s.top_unanswered)
    if s.top_unhelpful:
        lines.append("Most common questions answered with 👎 (scrubbed):")
        lines.extend(f"  {t.count}× {_short(t.text)}" for t in s.top_unhelpful)
    return lines


def summary_text(
    windows: Sequence[StatsSummary], *, pending_dropped: int = 0, queued: int = 0
) -> str:
    """The overview the operators read: each window, then the dropped-events count."""
    parts = ["Question statistics (anonymous; askers are counted per day only)"]
    for s in windows:
        parts.append("\n".join(_window_text(s)))
    dropped = windows[0].dropped_events if windows else 0
    tail = f"Dropped events (queue overflow): {dropped + pending_dropped}"
    if queued:
        tail += f"; {queued} events not yet written"
    parts.append(tail)
    return "\n\n".join(parts)


def summary_data(windows: Sequence[StatsSummary]) -> dict[str, Any]:
    """The figures as plain data (JSON-ready)."""
    return {
        "dropped_events": windows[0].dropped_events if windows else 0,
        "windows": [_window_data(s) for s in windows],
    }


def _window_data(s: StatsSummary) -> dict[str, Any]:
    return {
        "days": s.window.days,
        "start": s.window.start.isoformat(),
        "end": s.window.end.isoformat(),
        "questions": s.questions,
        "answered": s.answered,
        "suggested": s.suggested,
        "unanswered": s.unanswered,
        "answered_share": round(s.answered_share, 4),
        "emergency": s.emergency,
        "urgent": s.urgent,
        "askers_average": round(s.askers_average, 2),
        "daily": [
            {
                "day": d.day.isoformat(),
                "questions": d.questions,
                "answered": d.answered,
                "suggested": d.suggested,
                "fallback": d.fallback,
                "empty": d.empty,
                "urgent": d.urgent,
                "emergency": d.emergency,
                "askers": d.askers,
            }
            for d in s.daily
        ],
        "top_topics": [{"topic": t.topic, "questions": t.questions} for t in s.top_topics],
        "red_flag_concepts": [
            {"concept": c.concept, "level": c.level, "events": c.events}
            for c in s.red_flag_concepts
        ],
        "feedback": [
            {"topic": f.topic, "helpful": f.helpful, "unhelpful": f.unhelpful} for f in s.feedback
        ],
        "top_unanswered": [{"text": t.text, "count": t.count} for t in s.top_unanswered],
        "top_unhelpful": [{"text": t.text, "count": t.count} for t in s.top_unhelpful],
        "checks": [
            {"ended_at": c.ended_at, "level": c.level, "checks": c.checks} for c in s.checks
        ],
    }


def summary_json(windows: Sequence[StatsSummary]) -> str:
    return json.dumps(summary_data(windows), ensure_ascii=False, indent=2)


def summary_csv(windows: Sequence[StatsSummary]) -> str:
    """Long format: one figure a row as days,section,key,detail,value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["days", "section", "key", "detail", "value"])
    for s in windows:
        n = s.window.days
        for key, value in (
            ("questions", s.questions),
            ("answered", s.answered),
            ("suggested", s.suggested),
            ("unanswered", s.unanswered),
            ("answered_share", round(s.answered_share, 4)),
            ("emergency", s.emergency),
            ("urgent", s.urgent),
            ("askers_average", round(s.askers_average, 2)),
        ):
            writer.writerow([n, "total", key, "", value])
        for d in s.daily:
            for detail in ("answered", "suggested", "fallback", "empty", "urgent", "emergency"):
                writer.writerow([n, "day", d.day.isoformat(), detail, getattr(d, detail)])
            writer.writerow([n, "day", d.day.isoformat(), "askers", d.askers])
        for t in s.top_topics:
            writer.writerow([n, "topic", t.topic, "questions", t.questions])
        for c in s.red_flag_concepts:
            writer.writerow([n, "red_flag", c.concept, c.level or "", c.events])
        for f in s.feedback:
            writer.writerow([n, "feedback", f.topic or "", "helpful", f.helpful])
            writer.writerow([n, "feedback", f.topic or "", "unhelpful", f.unhelpful])
        for kept in s.top_unanswered:
            writer.writerow([n, "unanswered_text", csv_safe(kept.text), "", kept.count])
        for kept in s.top_unhelpful:
            writer.writerow([n, "unhelpful_text", csv_safe(kept.text), "", kept.count])
    if windows:
        writer.writerow(["", "total", "dropped_events", "", windows[0].dropped_events])
    return out.getvalue()
