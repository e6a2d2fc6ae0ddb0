"""The operator report without a browser: figures read from a scripted database, the page's
escaping and self-containment, the PNG, the command line, and lazy matplotlib loading.

The browser checks of the same page are in test_report_browser.py.
"""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from report_scenario import (
    CONTENT_VERSION,
    DAYS,
    EXPECTED_ANSWERED,
    EXPECTED_DAYS,
    EXPECTED_EMERGENCY,
    EXPECTED_FEEDBACK,
    EXPECTED_QUESTIONS,
    EXPECTED_TOP_TOPICS,
    EXPECTED_UNANSWERED,
    EXPECTED_UNANSWERED_TEXTS,
    EXPECTED_URGENT,
    FIRST_DAY,
    NOW,
    write_one_day,
    write_scenario,
)

from tgbot.report import build_report_html, build_stats_chart_png
from tgbot.report.build import render_page
from tgbot.report.charts import PALETTE, PNG_SIZE, render_stats_png
from tgbot.report.cli import main as report_main
from tgbot.report.data import load_report_data
from tgbot.report.model import (
    DayFigures,
    ReportData,
    ReportPeriod,
    TopicCount,
    TopicFeedback,
    UnansweredQuestion,
    report_period,
)
from tgbot.stats.store import open_store

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scenario_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "stats.sqlite3"
    asyncio.run(write_scenario(path))
    return path


@pytest.fixture(scope="module")
def scenario_html(scenario_db: Path) -> str:
    return asyncio.run(
        build_report_html(scenario_db, DAYS, now=NOW, content_version=CONTENT_VERSION)
    )


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG must have first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _assert_valid_png(png: bytes) -> None:
    assert _png_size(png) == PNG_SIZE
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # decodes every chunk: a truncated or corrupt file raises here
        assert image.size == PNG_SIZE


def _data(days: tuple[DayFigures, ...], **kwargs: object) -> ReportData:
    period = ReportPeriod(days[0].day, days[-1].day)
    return ReportData(
        period=period,
        generated_at=datetime(2025, 3, 10, 12, tzinfo=UTC),
        content_version="en:test",
        days=days,
        **kwargs,  # type: ignore[arg-type]
    )


# ---- the figures, read through the statistics queries ------------------------------------


async def test_report_figures_match_the_scripted_events(scenario_db: Path) -> None:
    data = await load_report_data(scenario_db, DAYS, now=NOW, content_version=CONTENT_VERSION)

    assert data.period == ReportPeriod(FIRST_DAY, NOW.date())
    assert [
        (
            d.day.isoformat(),
            d.questions,
            d.answered,
            d.suggested,
            d.unanswered,
            d.emergency,
            d.urgent,
            d.askers,
        )
        for d in data.days
    ] == list(EXPECTED_DAYS)
    assert data.questions == EXPECTED_QUESTIONS
    assert data.answered == EXPECTED_ANSWERED
    assert data.unanswered == EXPECTED_UNANSWERED
    assert (data.emergency, data.urgent) == (EXPECTED_EMERGENCY, EXPECTED_URGENT)
    assert [(t.topic, t.questions) for t in data.top_topics] == list(EXPECTED_TOP_TOPICS)
    assert [(f.topic, f.helpful, f.unhelpful) for f in data.feedback] == [
        (topic, up, down) for topic, up, down, _ in EXPECTED_FEEDBACK
    ]
    assert [(q.text, q.count) for q in data.top_unanswered] == list(EXPECTED_UNANSWERED_TEXTS)
    assert data.dropped_events == 0
    assert data.content_version == CONTENT_VERSION


async def test_missing_database_file_is_an_empty_report(tmp_path: Path) -> None:
    data = await load_report_data(tmp_path / "never-created.sqlite3", 7, now=NOW)

    assert data.is_empty
    assert len(data.days) == 7
    assert not (tmp_path / "never-created.sqlite3").exists()  # a report never creates it


async def test_new_empty_database_is_an_empty_report(tmp_path: Path) -> None:
    db = await open_store(tmp_path / "stats.sqlite3")
    await db.close()

    data = await load_report_data(tmp_path / "stats.sqlite3", 30, now=NOW)

    assert data.is_empty
    assert data.top_topics == ()
    assert data.feedback == ()
    assert data.top_unanswered == ()


def test_report_period_is_the_last_n_utc_days_including_today() -> None:
    late_evening_elsewhere = datetime(2025, 3, 10, 23, 30, tzinfo=UTC).astimezone()

    period = report_period(7, late_evening_elsewhere)

    assert (period.first, period.last, period.days) == (date(2025, 3, 4), date(2025, 3, 10), 7)
    with pytest.raises(ValueError, match="at least 1"):
        report_period(0, NOW)


def test_report_data_refuses_a_gap_in_the_days() -> None:
    with pytest.raises(ValueError, match="one entry per day"):
        ReportData(
            period=ReportPeriod(date(2025, 3, 1), date(2025, 3, 3)),
            generated_at=NOW,
            content_version="",
            days=(DayFigures(date(2025, 3, 1)), DayFigures(date(2025, 3, 3))),
        )


# ---- the page ----------------------------------------------------------------------------


def test_page_names_period_time_and_content_version(scenario_html: str) -> None:
    assert "4 Mar 2025 – 10 Mar 2025 (7 days, UTC)" in scenario_html
    assert "2025-03-10 18:00 UTC" in scenario_html
    assert CONTENT_VERSION in scenario_html


def test_page_loads_nothing_from_anywhere(scenario_html: str) -> None:
    # No scripts, stylesheets, images, fonts, frames or objects; no URL in an attribute or
    # in CSS except the SVG namespaces, which are names, never fetched.
    assert not re.search(r"<(script|link|img|iframe|object|embed|image)\b", scenario_html)
    assert not re.search(r"@import|@font-face|url\((?!#)", scenario_html)
    refs = re.findall(r'\b(?:src|href|xlink:href|action)="([^"]*)"', scenario_html)
    assert all(ref.startswith("#") for ref in refs), refs
    without_namespaces = re.sub(r'xmlns(?::\w+)?="[^"]*"', "", scenario_html)
    assert "http:" not in without_namespaces
    assert "https:" not in without_namespaces
    assert "default-src 'none'" in scenario_html  # and the browser is told to refuse fetches


def test_page_charts_are_matplotlib_svg_with_text_kept_as_text(scenario_html: str) -> None:
    svgs = re.findall(r"<svg\b[^>]*>", scenario_html)
    assert len(svgs) == 5  # questions, red flags, askers, topics, feedback
    assert all('class="chart-svg"' in s and "viewBox" in s for s in svgs)
    assert not any(re.search(r'\swidth="[\d.]+pt"', s) for s in svgs)  # scales with CSS
    assert ">sleep-twitching</text>" in scenario_html  # a label, not glyph outlines


def test_page_ids_are_unique_across_charts(scenario_html: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', scenario_html)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', scenario_html):
        assert ref in ids  # every clip path and marker still resolves


def test_every_database_text_is_escaped() -> None:
    evil_topic = '<img src=x onerror="alert(1)">&$x$'
    evil_text = "</td><script>alert('x')</script>"
    day = DayFigures(date(2025, 3, 10), answered=2, unanswered=1, askers=2)
    data = _data(
        (day,),
        top_topics=(TopicCount(evil_topic, 2),),
        feedback=(TopicFeedback(evil_topic, 1, 1),),
        top_unanswered=(UnansweredQuestion(evil_text, 1),),
    )

    page = render_page(data)

    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;/td&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;$x$" in page  # in the tables
    assert "&lt;img src=x onerror=" in page.split("<svg", 1)[1]  # and as chart labels


def test_empty_report_says_no_questions_yet(tmp_path: Path) -> None:
    page = asyncio.run(build_report_html(tmp_path / "missing.sqlite3", 30, now=NOW))

    assert "No questions yet" in page
    assert 'data-state="empty"' in page
    assert "<svg" not in page


def test_same_figures_give_the_same_page(scenario_db: Path) -> None:
    first = asyncio.run(build_report_html(scenario_db, DAYS, now=NOW))
    second = asyncio.run(build_report_html(scenario_db, DAYS, now=NOW))

    assert first == second


@pytest.mark.parametrize("days", [1, 45, 400])
def test_periods_of_any_length_render(days: int) -> None:
    period = report_period(days, NOW)
    figures = tuple(
        DayFigures(d, answered=i % 7, unanswered=i % 3, urgent=i % 2, askers=i % 5)
        for i, d in enumerate(period.each_day(), start=1)
    )

    page = render_page(_data(figures, top_topics=(TopicCount("sleep-twitching", 3),)))

    assert page.count("<svg") == 4  # no feedback chart without feedback
    assert f'data-day="{period.last.isoformat()}"' in page


def test_palette_colours_are_distinct() -> None:
    # The SVG is re-coloured for dark mode by colour value: two series must never share one.
    lights = [c.light.lower() for c in PALETTE.values()]
    assert len(set(lights)) == len(lights)


# ---- the PNG -----------------------------------------------------------------------------


def test_stats_png_is_a_valid_image_of_the_expected_size(scenario_db: Path) -> None:
    _assert_valid_png(asyncio.run(build_stats_chart_png(scenario_db, DAYS, now=NOW)))


def test_stats_png_of_an_empty_database(tmp_path: Path) -> None:
    _assert_valid_png(asyncio.run(build_stats_chart_png(tmp_path / "none.sqlite3", 7, now=NOW)))


def test_stats_png_of_one_day_and_of_a_year() -> None:
    for days in (1, 365):
        period = report_period(days, NOW)
        figures = tuple(DayFigures(d, answered=3, emergency=1) for d in period.each_day())
        _assert_valid_png(render_stats_png(_data(figures)))


# ---- one day of data ---------------------------------------------------------------------


@pytest.fixture
def one_day_db(tmp_path: Path) -> Path:
    path = tmp_path / "one-day.sqlite3"
    asyncio.run(write_one_day(path, NOW.date()))
    return path


def test_one_day_of_data_renders(one_day_db: Path) -> None:
    page = asyncio.run(build_report_html(one_day_db, 1, now=NOW))

    assert "10 Mar 2025 (1 day, UTC)" in page
    assert 'data-figure="questions" data-value="3"' in page
    assert page.count("<svg") == 4  # questions, red flags, askers, topics


# ---- the command line --------------------------------------------------------------------


def test_cli_writes_the_report(
    scenario_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, png = tmp_path / "out" / "report.html", tmp_path / "stats.png"

    code = report_main(
        [
            "--days",
            "3650",
            "--db",
            str(scenario_db),
            "--out",
            str(out),
            "--png",
            str(png),
            "--content-version",
            "en:cli",
        ]
    )

    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "en:cli" in page
    assert _png_size(png.read_bytes()) == PNG_SIZE
    assert f"wrote {out}" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary left


def test_cli_reads_stats_db_path_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATS_DB_PATH", str(tmp_path / "not-yet.sqlite3"))
    out = tmp_path / "report.html"

    assert report_main(["--out", str(out), "--content-version", "x"]) == 0
    assert "No questions yet" in out.read_text(encoding="utf-8")


def test_cli_names_the_file_when_the_schema_is_foreign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "other.sqlite3"
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA user_version = 99")
    con.close()

    code = report_main(["--db", str(db), "--out", str(tmp_path / "r.html")])

    assert code == 1
    assert str(db) in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_cli_rejects_zero_days(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        report_main(["--days", "0"])
    assert exit_info.value.code == 2
    assert "days must be between 1 and" in capsys.readouterr().err


def test_python_m_tgbot_report_dispatches_to_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tgbot",
            "report",
            "--days",
            "7",
            "--db",
            str(tmp_path / "none.sqlite3"),
            "--out",
            str(out),
            "--content-version",
            "x",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.is_file()


# ---- the bot's start-up does not pay for matplotlib --------------------------------------


def test_importing_the_report_and_an_empty_report_do_not_load_matplotlib(tmp_path: Path) -> None:
    code = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "import tgbot.report\n"
        "assert 'matplotlib' not in sys.modules, 'imported at module load'\n"
        f"asyncio.run(tgbot.report.build_report_html(Path({str(tmp_path / 'x.db')!r}), 7))\n"
        "assert 'matplotlib' not in sys.modules, 'imported for an empty report'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# ---- concurrency: two operators at once ---------------------------------------------------


async def test_concurrent_reports_give_the_same_pages(scenario_db: Path) -> None:
    # Rendering runs in threads and rcParams are global: the lock keeps the charts apart.
    pages = await asyncio.gather(
        *(build_report_html(scenario_db, DAYS, now=NOW) for _ in range(3)),
        build_stats_chart_png(scenario_db, DAYS, now=NOW),
    )
    assert pages[0] == pages[1] == pages[2]


@pytest.fixture(autouse=True)
def _no_stray_matplotlib_figures() -> Iterator[None]:
    yield
    # The report never uses pyplot, so nothing can pile up in its figure registry.
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        assert not pyplot.get_fignums()
