"""The report's charts, drawn with matplotlib: inline SVG for the HTML page, one PNG for /stats.

matplotlib is imported inside the functions, never at module import, so the bot pays for it
(start-up time and memory) only when an operator asks for a chart. Figures are built with the
object-oriented API (`matplotlib.figure.Figure`), not pyplot: no global figure registry to
leak or close, no GUI backend, and PNGs go through the Agg canvas. Rendering holds a lock
because rcParams (fonttype, hash salt) are process-global. Never imports telegram or aiosqlite.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from tgbot.extras import require
from tgbot.report.model import ReportData

if TYPE_CHECKING:  # only for annotations: importing matplotlib is what we avoid at runtime
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

__all__ = [
    "PALETTE",
    "PNG_SIZE",
    "ReportCharts",
    "SeriesColour",
    "render_report_charts",
    "render_stats_png",
]


@dataclass(frozen=True, slots=True)
class SeriesColour:
    """A chart colour: `light` is drawn, the page swaps in `dark` under prefers-color-scheme."""

    light: str
    dark: str

    @property
    def css_var(self) -> str:
        return f"--chart-{self.light[1:]}"


# Okabe-Ito based: distinguishable with the common colour-vision deficiencies, and each has
# a lighter twin that keeps its contrast on a dark page. `ink` and `grid` are the text and
# the rules. Every light value must be unique (a test checks): the SVG is re-coloured by value.
PALETTE: Final[dict[str, SeriesColour]] = {
    "ink": SeriesColour("#333333", "#e4e4e4"),
    "grid": SeriesColour("#d6d6d6", "#4a4a4a"),
    "answered": SeriesColour("#0072b2", "#4fa8e8"),
    "suggested": SeriesColour("#7cc4ec", "#a9dcf7"),
    "unanswered": SeriesColour("#e69f00", "#f7b733"),
    "emergency": SeriesColour("#c0392b", "#ff6f61"),
    "urgent": SeriesColour("#f08a4b", "#ffb27a"),
    "askers": SeriesColour("#009e73", "#3ccf9f"),
    "helpful": SeriesColour("#2e8b57", "#6fd59a"),
    "unhelpful": SeriesColour("#d55e00", "#ff8f4d"),
}

PNG_SIZE: Final = (1200, 600)  # pixels; Telegram shows 2:1 images without cropping
_PNG_DPI: Final = 100
# Telegram shows the image about 350 px wide on a phone before it is tapped: large labels.
_PNG_FONT_SIZE: Final = 15
# Page charts are 5.6 inches wide (403 SVG units) and scale to their card: on a 390 px phone
# (~350 px of card) the 12-unit labels render at about 10.5 px, and two charts side by side
# on a laptop show them at about 16 px.
_SVG_WIDTH_IN: Final = 5.6
_SVG_HEIGHT_IN: Final = 3.2
_FONT_SIZE: Final = 12
# Up to this many days, each bar gets its date and its total written on it.
_LABEL_EVERY_DAY_UP_TO: Final = 10
# Up to this many days, one bar a day; longer periods are drawn as filled steps.
_BARS_UP_TO: Final = 62
_MIN_DAY_SLOTS: Final = 5
_TOP_BARS: Final = 10

_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class ReportCharts:
    """Inline SVG fragments (`<svg>` elements) for the page; None where there is nothing to draw."""

    questions: str
    red_flags: str | None
    askers: str
    topics: str | None
    feedback: str | None


def _rc_settings(salt: str, *, for_svg: bool, font_size: float) -> dict[RcKeyType, Any]:
    ink, grid = PALETTE["ink"].light, PALETTE["grid"].light
    return {
        # Text stays <text>: readable, selectable, re-colourable by CSS, and no glyphs or
        # fonts are embedded; the browser uses a local sans-serif.
        "svg.fonttype": "none",
        # Deterministic ids (same data, same SVG) that differ between charts of one page.
        "svg.hashsalt": salt,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
        "font.size": font_size,
        "text.color": ink,
        "axes.labelcolor": ink,
        "axes.edgecolor": grid,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.axisbelow": True,
        "xtick.color": ink,
        "ytick.color": ink,
        "legend.frameon": False,
        # Transparent in the page (it shows the page colour, light or dark); white in the
        # PNG so Telegram's dark and light themes both show dark text on white.
        "figure.facecolor": "none" if for_svg else "white",
        "axes.facecolor": "none" if for_svg else "white",
        "savefig.facecolor": "none" if for_svg else "white",
    }


@contextmanager
def _matplotlib_settings(
    salt: str, *, for_svg: bool, font_size: float = _FONT_SIZE
) -> Iterator[None]:
    # Every drawing goes through here first: without the charts extra, one clear error.
    matplotlib = require("charts")

    # rc_context() restores every rcParam on exit, so the bot's other users of matplotlib
    # (if any) never see our settings; the lock keeps two renders from mixing them.
    with _RENDER_LOCK, matplotlib.rc_context():
        matplotlib.rcParams.update(_rc_settings(salt, for_svg=for_svg, font_size=font_size))
        yield


def _figure(width_in: float, height_in: float, dpi: float = 72) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")


def _mpl_text(text: str) -> str:
    # `$` starts mathtext in matplotlib; a topic id must be drawn literally.
    return text.replace("$", r"\$")


def _mdates() -> Any:
    # matplotlib.dates has no annotations (its siblings do): one Any here, not an ignore a call.
    import matplotlib.dates

    return matplotlib.dates


def _day_axis(ax: Axes, days: Sequence[date]) -> None:
    """Dates on the x axis: every day while they fit, else matplotlib's concise dates."""
    mdates = _mdates()
    first, last = mdates.date2num(days[0]), mdates.date2num(days[-1])
    # A short period keeps a bar's width of a week-long one instead of filling the chart.
    pad = 0.6 + max(0, _MIN_DAY_SLOTS - len(days)) / 2
    ax.set_xlim(first - pad, last + pad)
    if len(days) <= _LABEL_EVERY_DAY_UP_TO:
        # Ticks on the period's own days only (the padding must not show days outside it),
        # labelled "4 Mar": strftime's no-padding flag differs between platforms.
        rotate: dict[str, Any] = (
            {"rotation": 45, "ha": "right", "rotation_mode": "anchor"} if len(days) > 7 else {}
        )
        ax.set_xticks(
            [float(mdates.date2num(d)) for d in days],
            [f"{d.day} {d:%b}" for d in days],
            **rotate,
        )
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _count_axis(ax: Axes, top: int) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    # Head room for the totals written above the bars (and a visible axis when all is 0).
    ax.set_ylim(0, max(top, 1) * 1.15)
    ax.grid(axis="y", color=PALETTE["grid"].light, linewidth=0.8)
    ax.tick_params(axis="both", length=0, pad=4)


def _stacked_days(
    ax: Axes,
    days: Sequence[date],
    series: Sequence[tuple[str, str, Sequence[int]]],
    *,
    font_size: float = _FONT_SIZE,
) -> None:
    """Stacked values per day; series are (label, palette key, values), bottom to top.

    Up to _BARS_UP_TO days each day is a bar. Beyond, bars would be thinner than a pixel
    and anti-aliasing would stripe them, so each series becomes a filled step area (one
    flat step per day): the same figures, drawn solid.
    """
    x = [float(_mdates().date2num(d)) for d in days]
    bars = len(days) <= _BARS_UP_TO
    # Step outline: each day spans [x - 0.5, x + 0.5] at its value.
    edges = [e for xi in x for e in (xi - 0.5, xi + 0.5)]
    bottoms = [0] * len(days)
    container = None
    for label, key, values in series:
        tops = [b + v for b, v in zip(bottoms, values, strict=True)]
        if bars:
            container = ax.bar(
                x,
                values,
                width=0.8,
                bottom=bottoms,
                label=_mpl_text(label),
                color=PALETTE[key].light,
                linewidth=0,
            )
        else:
            ax.fill_between(
                edges,
                [b for b in bottoms for _ in (0, 1)],
                [t for t in tops for _ in (0, 1)],
                label=_mpl_text(label),
                color=PALETTE[key].light,
                linewidth=0,
            )
        bottoms = tops
    _day_axis(ax, days)
    _count_axis(ax, max(bottoms, default=0))
    if container is not None and len(days) <= _LABEL_EVERY_DAY_UP_TO:
        ax.bar_label(
            container,
            labels=[_count(total) if total else "" for total in bottoms],
            padding=2,
            fontsize=font_size - 1,
        )
    if len(series) > 1:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(series), borderaxespad=0.2)


def _horizontal_bars(
    ax: Axes,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
    end_labels: Sequence[str],
) -> None:
    """Horizontal stacked bars, first label on top, with a text after each bar."""
    from matplotlib.ticker import MaxNLocator

    y = list(range(len(labels)))
    lefts = [0] * len(labels)
    container = None
    for label, key, values in series:
        container = ax.barh(
            y,
            values,
            left=lefts,
            height=0.7,
            label=_mpl_text(label),
            color=PALETTE[key].light,
            linewidth=0,
        )
        lefts = [left + v for left, v in zip(lefts, values, strict=True)]
    ax.set_yticks(y, [_mpl_text(t) for t in labels])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    # Room on the right for the end labels.
    ax.set_xlim(0, max(max(lefts, default=0), 1) * 1.3)
    ax.grid(axis="x", color=PALETTE["grid"].light, linewidth=0.8)
    ax.tick_params(axis="both", length=0, pad=4)
    if container is not None:
        ax.bar_label(
            container, labels=[_mpl_text(t) for t in end_labels], padding=4, fontsize=_FONT_SIZE - 1
        )
    if len(series) > 1:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(series), borderaxespad=0.2)


def _count(n: int) -> str:
    # Narrow no-break space between thousands, as on the page: "11 690".
    return f"{n:,}".replace(",", "\u202f")


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}\u202f%" if whole else ""


# ---- SVG for the page -------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")  # matplotlib escapes '>' in attributes, so this is one tag
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_ID_REF = re.compile(r'(url\(#|xlink:href="#|href="#)([^")]+)')
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
_ROOT_SIZE = re.compile(r'\s(?:width|height)="[^"]*pt"')
_COLOUR_VARS = {c.light: f"var({c.css_var}, {c.light})" for c in PALETTE.values()}


def _inline_svg(svg: str, chart_id: str, caption_id: str) -> str:
    """Make matplotlib's standalone SVG file an element that can sit inside an HTML page.

    Drops the XML prolog, DOCTYPE, comments, RDF metadata and the global `*{}` style (the
    page carries it, scoped); prefixes every id with the chart's id, because several charts
    share one document and matplotlib numbers its ids per file (figure_1, patch_1, ...);
    removes the fixed pt size so CSS can scale the chart to the screen (the viewBox keeps
    the proportions); and turns palette colours into CSS variables so dark mode can swap
    them. Only tags are rewritten, never text, so a label can never be altered.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s*<style type="text/css">.*?</style>', "", svg, flags=re.DOTALL)

    def rewrite_tag(m: re.Match[str]) -> str:
        tag = m.group(0)
        tag = _ID_ATTR.sub(lambda i: f'id="{chart_id}-{i.group(1)}"', tag)
        tag = _ID_REF.sub(lambda r: f"{r.group(1)}{chart_id}-{r.group(2)}", tag)
        return _HEX.sub(lambda h: _COLOUR_VARS.get(h.group(0).lower(), h.group(0)), tag)

    svg = _TAG.sub(rewrite_tag, svg)
    root_end = svg.index(">")
    root = _ROOT_SIZE.sub("", svg[:root_end])
    root += f' class="chart-svg" role="img" aria-labelledby="{caption_id}"'
    svg = root + svg[root_end:]
    # Empty <defs></defs> left behind by the removed style.
    return re.sub(r"\s*<defs>\s*</defs>", "", svg).strip()


def _to_svg(fig: Figure, chart_id: str) -> str:
    buf = io.StringIO()
    # Creator/Date None: no version banner, no timestamp; the same data gives the same bytes.
    fig.savefig(buf, format="svg", metadata={"Creator": None, "Date": None})
    return _inline_svg(buf.getvalue(), chart_id, f"{chart_id}-caption")


def _svg_chart(chart_id: str, draw: Any, height_in: float = _SVG_HEIGHT_IN) -> str:
    with _matplotlib_settings(chart_id, for_svg=True):
        fig = _figure(_SVG_WIDTH_IN, height_in)
        draw(fig.add_subplot())
        return _to_svg(fig, chart_id)


def _bars_height(rows: int) -> float:
    return 0.9 + 0.36 * rows


def render_report_charts(data: ReportData) -> ReportCharts:
    """Every chart of the page, as inline SVG; CPU-bound, call it off the event loop."""
    days = [d.day for d in data.days]

    def questions(ax: Axes) -> None:
        _stacked_days(
            ax,
            days,
            [
                ("answered", "answered", [d.answered for d in data.days]),
                ("suggested", "suggested", [d.suggested for d in data.days]),
                ("unanswered", "unanswered", [d.unanswered for d in data.days]),
            ],
        )

    def red_flags(ax: Axes) -> None:
        _stacked_days(
            ax,
            days,
            [
                ("emergency", "emergency", [d.emergency for d in data.days]),
                ("urgent", "urgent", [d.urgent for d in data.days]),
            ],
        )

    def askers(ax: Axes) -> None:
        _stacked_days(ax, days, [("askers", "askers", [d.askers for d in data.days])])

    topics = data.top_topics[:_TOP_BARS]
    total = data.questions

    def top_topics(ax: Axes) -> None:
        _horizontal_bars(
            ax,
            [t.topic for t in topics],
            [("questions", "answered", [t.questions for t in topics])],
            [f"{_count(t.questions)} ({_share(t.questions, total)})" for t in topics],
        )

    rated = data.feedback[:_TOP_BARS]

    def feedback(ax: Axes) -> None:
        _horizontal_bars(
            ax,
            [f.topic for f in rated],
            [
                ("helpful", "helpful", [f.helpful for f in rated]),
                ("not helpful", "unhelpful", [f.unhelpful for f in rated]),
            ],
            [f"{_share(f.helpful, f.votes)} helpful" for f in rated],
        )

    return ReportCharts(
        questions=_svg_chart("chart-questions", questions),
        red_flags=_svg_chart("chart-redflags", red_flags) if data.emergency + data.urgent else None,
        askers=_svg_chart("chart-askers", askers),
        topics=(
            _svg_chart("chart-topics", top_topics, _bars_height(len(topics))) if topics else None
        ),
        feedback=(
            _svg_chart("chart-feedback", feedback, _bars_height(len(rated)) + 0.3)
            if rated
            else None
        ),
    )


# ---- PNG for Telegram -------------------------------------------------------------------


def render_stats_png(data: ReportData) -> bytes:
    """One PNG of PNG_SIZE pixels: questions (stacked by outcome) and red flags per day.

    CPU-bound; call it off the event loop.
    """
    days = [d.day for d in data.days]
    with _matplotlib_settings("stats-png", for_svg=False, font_size=_PNG_FONT_SIZE):
        width, height = PNG_SIZE
        fig = _figure(width / _PNG_DPI, height / _PNG_DPI, dpi=_PNG_DPI)
        fig.suptitle(
            f"Questions and red flags per day, {data.period.span_label} (UTC)",
            fontsize=_PNG_FONT_SIZE + 4,
            fontweight="bold",
        )
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        _stacked_days(
            top,
            days,
            [
                ("answered", "answered", [d.answered for d in data.days]),
                ("suggested", "suggested", [d.suggested for d in data.days]),
                ("unanswered", "unanswered", [d.unanswered for d in data.days]),
            ],
            font_size=_PNG_FONT_SIZE,
        )
        top.set_ylabel("questions")
        _stacked_days(
            bottom,
            days,
            [
                ("emergency", "emergency", [d.emergency for d in data.days]),
                ("urgent", "urgent", [d.urgent for d in data.days]),
            ],
            font_size=_PNG_FONT_SIZE,
        )
        bottom.set_ylabel("red flags")
        if data.is_empty:
            top.text(
                0.5,
                0.5,
                "No questions yet",
                transform=top.transAxes,
                ha="center",
                fontsize=_PNG_FONT_SIZE + 6,
            )
        buf = io.BytesIO()
        # No bbox_inches="tight": it would change the pixel size Telegram and the tests expect.
        fig.savefig(buf, format="png", dpi=_PNG_DPI, metadata={"Software": None})
        return buf.getvalue()
