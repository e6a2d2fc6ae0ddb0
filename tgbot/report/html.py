"""The operator report as one self-contained HTML page: inline CSS and inline SVG charts only.

The page loads nothing: no scripts, stylesheets, fonts or images, and a Content-Security-Policy
that forbids every fetch says so to the browser too. It scales to a phone, follows the
reader's dark mode, and prints on white. Every text that came from the database is escaped
here. Never imports matplotlib, aiosqlite or telegram.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Final

from tgbot.report.charts import PALETTE, ReportCharts
from tgbot.report.model import ReportData, day_label

__all__ = ["render_report_html"]

# Forbids every fetch (scripts, styles, fonts, images, frames, form posts): a report that
# slipped in a URL could not make the browser load it. Inline styles are all the page needs.
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
# Up to this many days, the day-by-day table is open; beyond, it folds away (it still prints
# its summary line, and the charts carry the shape).
_OPEN_DAY_TABLE_UP_TO: Final = 31


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(n: int) -> str:
    # Narrow no-break space between thousands: readable, and never wraps inside a number.
    return f"{n:,}".replace(",", "\u202f")


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)}\u202f%"


def _days_text(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _period_text(data: ReportData) -> str:
    return f"{data.period.span_label} ({_days_text(data.period.days)}, UTC)"


def _css() -> str:
    light = "\n".join(f"  {c.css_var}: {c.light};" for c in PALETTE.values())
    dark = "\n".join(f"    {c.css_var}: {c.dark};" for c in PALETTE.values())
    return f"""
:root {{
  color-scheme: light dark;
  --bg: #f4f5f7; --card: #ffffff; --fg: #1b1e23; --muted: #5a6270; --border: #e1e4e9;
  --accent: #0072b2; --warn-bg: #fff3dc; --warn-fg: #7a4b00; --row: #f7f8fa;
{light}
}}
@media (prefers-color-scheme: dark) {{
  :root {{
    --bg: #111317; --card: #1b1e24; --fg: #e6e8eb; --muted: #a3aab6; --border: #2e333b;
    --accent: #4fa8e8; --warn-bg: #3a2c12; --warn-fg: #ffd89a; --row: #22262d;
{dark}
  }}
}}
* {{ box-sizing: border-box; }}
html {{ -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
body {{
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial,
    sans-serif;
}}
main {{ max-width: 1200px; margin: 0 auto; padding: 1.25rem 1rem 2rem; }}
header h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.2; }}
header .lede {{ margin: 0 0 .75rem; color: var(--muted); }}
.meta {{ display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0 0 1.25rem; }}
.meta div {{ display: flex; gap: .4rem; }}
.meta dt {{ color: var(--muted); }}
.meta dd {{ margin: 0; font-weight: 600; overflow-wrap: anywhere; }}
h2 {{ font-size: 1.15rem; margin: 0 0 .5rem; }}
.kpis {{
  display: grid; gap: .75rem; margin: 0 0 1.25rem; padding: 0; list-style: none;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 9.5rem), 1fr));
}}
.kpi {{
  background: var(--card); border: 1px solid var(--border); border-radius: 10px;
  padding: .7rem .9rem;
}}
.kpi .label {{ color: var(--muted); font-size: .85rem; }}
.kpi .value {{ display: block; font-size: 1.75rem; font-weight: 700; line-height: 1.2; }}
.kpi .detail {{ color: var(--muted); font-size: .85rem; }}
.kpi.text-value .value {{ font-size: 1.1rem; overflow-wrap: anywhere; padding-top: .35rem; }}
.grid {{
  display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr));
}}
.card {{
  background: var(--card); border: 1px solid var(--border); border-radius: 10px;
  padding: 1rem; min-width: 0; margin: 0;
}}
.card.wide {{ grid-column: 1 / -1; }}
figure {{ margin: 0; }}
figcaption, .note {{ color: var(--muted); font-size: .88rem; margin: .35rem 0 0; }}
.chart-svg {{ display: block; width: 100%; height: auto; }}
/* matplotlib's own stylesheet for its SVG, scoped to the charts instead of the whole page. */
.chart-svg * {{ stroke-linejoin: round; stroke-linecap: butt; }}
.nothing {{ color: var(--muted); font-style: italic; margin: .5rem 0; }}
.table-wrap {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: .92rem; }}
th, td {{ padding: .35rem .5rem; border-bottom: 1px solid var(--border); text-align: left; }}
th {{ color: var(--muted); font-weight: 600; }}
th, td.n, td.label {{ white-space: nowrap; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
tbody tr:nth-child(even) {{ background: var(--row); }}
/* Long questions wrap; on a phone the table scrolls sideways before they get too narrow. */
td.text {{ overflow-wrap: anywhere; min-width: 12rem; }}
details summary {{ cursor: pointer; color: var(--accent); margin-top: .5rem; }}
.empty {{ text-align: center; padding: 2.5rem 1rem; }}
.empty h2 {{ font-size: 1.5rem; }}
.warn {{
  background: var(--warn-bg); color: var(--warn-fg); border-radius: 8px;
  padding: .5rem .75rem; margin: 0 0 1rem;
}}
footer {{ color: var(--muted); font-size: .85rem; margin-top: 1.5rem; }}
footer p {{ margin: .25rem 0; }}
@media (max-width: 480px) {{
  main {{ padding: .75rem .5rem 1.5rem; }}
  header h1 {{ font-size: 1.35rem; }}
  .card {{ padding: .75rem .5rem; }}
  th, td {{ padding: .3rem .35rem; }}
  .kpi .value {{ font-size: 1.45rem; }}
}}
@media print {{
  :root {{
    color-scheme: light;
    --bg: #ffffff; --card: #ffffff; --fg: #000000; --muted: #444444; --border: #cccccc;
    --row: #ffffff; --warn-bg: #ffffff; --warn-fg: #000000;
{light}
  }}
  main {{ max-width: none; padding: 0; }}
  .card, .kpi, tr {{ break-inside: avoid; }}
  h2 {{ break-after: avoid; }}
  details summary {{ color: var(--fg); }}
}}
"""


def _kpi(
    key: str, label: str, value: str, raw: object, detail: str = "", *, css_class: str = "kpi"
) -> str:
    detail_html = f'<span class="detail">{_e(detail)}</span>' if detail else ""
    return (
        f'<li class="{css_class}" data-figure="{_e(key)}" data-value="{_e(raw)}">'
        f'<span class="label">{_e(label)}</span>'
        f'<span class="value">{_e(value)}</span>{detail_html}</li>'
    )


def _kpis(data: ReportData) -> str:
    share_unanswered = data.unanswered / data.questions if data.questions else None
    top = data.top_topics[0].topic if data.top_topics else "–"
    items = [
        _kpi(
            "questions",
            "Questions",
            _num(data.questions),
            data.questions,
            f"{_num(data.suggested)} answered with suggestions",
        ),
        _kpi(
            "answered_share",
            "Answered",
            _pct(data.share_answered),
            f"{data.share_answered:.4f}" if data.share_answered is not None else "",
            f"{_num(data.answered)} with a topic",
        ),
        _kpi(
            "unanswered",
            "Unanswered",
            _num(data.unanswered),
            data.unanswered,
            f"{_pct(share_unanswered)} of questions",
        ),
        _kpi(
            "red_flags",
            "Red flags",
            _num(data.emergency + data.urgent),
            data.emergency + data.urgent,
            f"{_num(data.emergency)} emergency · {_num(data.urgent)} urgent",
        ),
        _kpi(
            "askers_per_day",
            "Askers per day",
            f"{data.mean_askers:.1f}",
            f"{data.mean_askers:.2f}",
            f"busiest day {_num(data.peak_askers)}",
        ),
        _kpi(
            "helpful_share",
            "Found helpful",
            _pct(data.share_helpful),
            f"{data.share_helpful:.4f}" if data.share_helpful is not None else "",
            (
                f"👍 {_num(data.helpful)} helpful · 👎 {_num(data.unhelpful)} not"
                if data.helpful + data.unhelpful
                else "no 👍/👎 votes yet"
            ),
        ),
        _kpi("top_topic", "Most asked topic", top, top, css_class="kpi text-value"),
    ]
    return f'<ul class="kpis">{"".join(items)}</ul>'


def _figure(chart_id: str, svg: str | None, caption: str, nothing: str) -> str:
    if svg is None:
        return f'<p class="nothing" id="{chart_id}-caption">{_e(nothing)}</p>'
    return (
        f'<figure id="{chart_id}">{svg}'
        f'<figcaption id="{chart_id}-caption">{_e(caption)}</figcaption></figure>'
    )


def _table(
    table_id: str,
    headers: Iterable[tuple[str, bool]],
    rows: Iterable[tuple[str, Iterable[tuple[str, str, str]]]],
) -> str:
    """headers: (label, numeric); rows: (tr attributes, cells of (column key, html, kind)).

    kind is "n" (a number: right-aligned), "label" (a topic id or a day: kept on one line)
    or "text" (free text: wraps).
    """
    head = "".join(f'<th scope="col"{" class=n" if n else ""}>{h}</th>' for h, n in headers)
    body = "".join(
        f"<tr{attrs}>"
        + "".join(f'<td data-col="{col}" class="{kind}">{cell}</td>' for col, cell, kind in cells)
        + "</tr>"
        for attrs, cells in rows
    )
    return (
        f'<div class="table-wrap"><table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _topics_section(data: ReportData, charts: ReportCharts) -> str:
    table = _table(
        "table-topics",
        [("Topic", False), ("Questions", True), ("Share", True)],
        (
            (
                f' data-topic="{_e(t.topic)}"',
                [
                    ("topic", _e(t.topic), "label"),
                    ("questions", _num(t.questions), "n"),
                    ("share", _pct(t.questions / data.questions), "n"),
                ],
            )
            for t in data.top_topics
        ),
    )
    figure = _figure(
        "chart-topics",
        charts.topics,
        "Questions answered with each topic, and their share of all questions.",
        "No question was answered with a topic in this period.",
    )
    details = f"<details><summary>Figures as a table</summary>{table}</details>"
    return (
        f'<section class="card" id="topics"><h2>Top topics</h2>{figure}'
        f"{details if data.top_topics else ''}</section>"
    )


def _feedback_section(data: ReportData, charts: ReportCharts) -> str:
    figure = _figure(
        "chart-feedback",
        charts.feedback,
        "Helpful (👍) and not helpful (👎) votes on answers, per topic, counted on the day the "
        "question was asked.",
        "Nobody rated (👍/👎) an answer from this period yet.",
    )
    table = _table(
        "table-feedback",
        [("Topic", False), ("👍 helpful", True), ("👎 not helpful", True), ("Share helpful", True)],
        (
            (
                f' data-topic="{_e(f.topic)}"',
                [
                    ("topic", _e(f.topic), "label"),
                    ("helpful", _num(f.helpful), "n"),
                    ("unhelpful", _num(f.unhelpful), "n"),
                    ("share", _pct(f.share_helpful), "n"),
                ],
            )
            for f in data.feedback
        ),
    )
    return (
        f'<section class="card" id="feedback"><h2>Feedback per topic</h2>{figure}'
        f"{table if data.feedback else ''}</section>"
    )


def _unanswered_section(data: ReportData) -> str:
    if data.top_unanswered:
        body = _table(
            "table-unanswered",
            [("#", True), ("Question (scrubbed)", False), ("Times", True)],
            (
                (
                    "",
                    [
                        ("rank", str(i), "n"),
                        ("text", _e(q.text), "text"),
                        ("count", _num(q.count), "n"),
                    ],
                )
                for i, q in enumerate(data.top_unanswered, start=1)
            ),
        )
    else:
        body = (
            '<p class="nothing">No unanswered question texts were kept for this period '
            "(none were asked, or STATS_STORE_TEXT=none).</p>"
        )
    return (
        '<section class="card" id="unanswered"><h2>Most common unanswered questions</h2>'
        f"{body}<p class=note>Texts were scrubbed of names, numbers, addresses and links "
        "before they were stored. Add a topic or phrasings for the frequent ones.</p></section>"
    )


def _days_section(data: ReportData) -> str:
    table = _table(
        "table-days",
        [
            ("Day", False),
            ("Questions", True),
            ("Answered", True),
            ("Suggested", True),
            ("Unanswered", True),
            ("Emergency", True),
            ("Urgent", True),
            ("Askers", True),
        ],
        (
            (
                f' data-day="{d.day.isoformat()}"',
                [
                    ("day", f"{d.day:%a} {day_label(d.day)}", "label"),
                    ("questions", _num(d.questions), "n"),
                    ("answered", _num(d.answered), "n"),
                    ("suggested", _num(d.suggested), "n"),
                    ("unanswered", _num(d.unanswered), "n"),
                    ("emergency", _num(d.emergency), "n"),
                    ("urgent", _num(d.urgent), "n"),
                    ("askers", _num(d.askers), "n"),
                ],
            )
            for d in data.days
        ),
    )
    is_open = " open" if data.period.days <= _OPEN_DAY_TABLE_UP_TO else ""
    return (
        '<section class="card wide" id="days"><h2>Day by day</h2>'
        f"<details{is_open}><summary>{_e(_days_text(data.period.days))}</summary>{table}</details>"
        "</section>"
    )


def _header(data: ReportData) -> str:
    made = data.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    stamp = data.generated_at.isoformat(timespec="seconds")
    version = data.content_version or "not given"
    return (
        "<header><h1>Operator report</h1>"
        '<p class="lede">What parents asked the bot, what it could not answer, '
        "and where red flags came up.</p>"
        '<dl class="meta">'
        f'<div><dt>Period</dt><dd id="period">{_e(_period_text(data))}</dd></div>'
        f'<div><dt>Made</dt><dd id="generated"><time datetime="{_e(stamp)}">'
        f"{_e(made)}</time></dd></div>"
        f'<div><dt>Content version</dt><dd id="content-version">{_e(version)}</dd></div>'
        "</dl></header>"
    )


def _footer(data: ReportData) -> str:
    dropped = (
        f"{_num(data.dropped_events)} events were dropped on queue overflow since the "
        "database was created."
        if data.dropped_events
        else "No events were dropped."
    )
    return (
        "<footer>"
        "<p>Anonymous statistics: no user ids, names or raw messages are stored. Askers are "
        "counted per UTC day with tokens that change every day, so they cannot be added up "
        "across days.</p>"
        f'<p id="dropped" data-value="{data.dropped_events}">{_e(dropped)}</p>'
        "</footer>"
    )


def _body(data: ReportData, charts: ReportCharts | None) -> str:
    if data.is_empty or charts is None:
        return (
            '<section class="card empty" id="empty" data-state="empty">'
            "<h2>No questions yet</h2>"
            f"<p>No questions were recorded between {_e(day_label(data.period.first))} and "
            f"{_e(day_label(data.period.last))} (UTC). "
            "Figures and charts appear here once parents ask the bot.</p></section>"
        )
    warn = (
        f'<p class="warn">{_num(data.dropped_events)} events were dropped when the '
        "statistics queue overflowed: the figures may be slightly low.</p>"
        if data.dropped_events
        else ""
    )
    questions = _figure(
        "chart-questions",
        charts.questions,
        "Answered with a topic, answered with suggestions (“did you mean”), and unanswered "
        "(the kind fallback, or nothing readable).",
        "",
    )
    red_flags = _figure(
        "chart-redflags",
        charts.red_flags,
        "Questions that carried a red flag, by their highest level.",
        "No red flags in this period.",
    )
    askers = _figure(
        "chart-askers",
        charts.askers,
        "Distinct anonymous askers on each day.",
        "",
    )
    return (
        f"{warn}{_kpis(data)}"
        '<div class="grid">'
        f'<section class="card" id="questions"><h2>Questions per day</h2>{questions}</section>'
        f'<section class="card" id="red-flags"><h2>Red flags per day</h2>{red_flags}</section>'
        f'<section class="card" id="askers"><h2>Distinct askers per day</h2>{askers}</section>'
        f"{_topics_section(data, charts)}"
        f"{_feedback_section(data, charts)}"
        f"{_unanswered_section(data)}"
        f"{_days_section(data)}"
        "</div>"
    )


def render_report_html(data: ReportData, charts: ReportCharts | None) -> str:
    """The whole page. charts may be None only for an empty report (nothing to draw)."""
    title = f"Operator report · {_period_text(data)}"
    state = "empty" if data.is_empty else "data"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        '<meta name="robots" content="noindex">'
        f"<title>{_e(title)}</title><style>{_css()}</style></head>"
        f'<body data-state="{state}"><main>{_header(data)}{_body(data, charts)}'
        f"{_footer(data)}</main></body></html>\n"
    )
