"""The operator report opened in a real headless browser (Debian's chromium via Playwright).

Checks what a reader sees against the scripted event set, that the page makes no network
request at all (only the file itself is loaded), and that it holds up in dark mode, on a
390 px phone and in print. Full-page screenshots go to test-artifacts/ for people to look at.
Uses Playwright's sync API in plain (non-async) tests, so it never meets pytest-asyncio's loop.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, sync_playwright
from report_scenario import (
    CONTENT_VERSION,
    DAYS,
    EXPECTED_DAYS,
    EXPECTED_EMERGENCY,
    EXPECTED_FEEDBACK,
    EXPECTED_QUESTIONS,
    EXPECTED_UNANSWERED,
    EXPECTED_UNANSWERED_TEXTS,
    EXPECTED_URGENT,
    NOW,
    SCRIPT_TEXT,
    write_one_day,
    write_scenario,
)

from tgbot.report import build_report_html
from tgbot.report.charts import PALETTE

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium "
    "(apt-get install chromium; .ci/run installs it)",
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# No sandbox (containers), no GPU, and none of Chrome's own background traffic: the only
# thing this browser may touch is the file under test.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
T = TypeVar("T")
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@dataclass
class OpenedPage:
    """A page loaded from disk, with everything it asked the network for or complained about."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def figure(self, key: str) -> tuple[str, str]:
        """(data-value, visible value) of a summary figure."""
        item = self.page.locator(f'[data-figure="{key}"]')
        return str(item.get_attribute("data-value")), item.locator(".value").inner_text()

    def rows(self, table_id: str) -> list[list[str]]:
        return [
            [cell.strip() for cell in row]
            for row in self.page.eval_on_selector_all(
                f"#{table_id} tbody tr",
                "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
            )
        ]

    def shoot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


Opener = Callable[..., OpenedPage]  # (html_file, *, dark=False, phone=False)


@pytest.fixture
def open_page(browser: BrowserContext) -> Iterator[Opener]:
    pages: list[Page] = []

    def opener(html_file: Path, *, dark: bool = False, phone: bool = False) -> OpenedPage:
        page = browser.new_page()
        pages.append(page)
        page.emulate_media(color_scheme="dark" if dark else "light")
        page.set_viewport_size(PHONE if phone else DESKTOP)
        opened = OpenedPage(page, html_file.resolve().as_uri())
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on(
            "console",
            lambda msg: opened.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.goto(opened.url, wait_until="load")
        return opened

    yield opener
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser-report")
    db = folder / "stats.sqlite3"
    _run(write_scenario(db))
    html = _run(build_report_html(db, DAYS, now=NOW, content_version=CONTENT_VERSION))
    out = folder / "report.html"
    out.write_text(html, encoding="utf-8")
    return out


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from a sync test.

    Playwright's sync API keeps its own event loop running on this thread while the browser
    is open, so _run() must happen on another thread.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _assert_offline(opened: OpenedPage) -> None:
    assert opened.requests == [opened.url]  # the file itself, nothing else
    assert opened.console_errors == []  # e.g. no fetch refused by the page's CSP


def test_scripted_report_shows_the_known_figures(open_page: Opener, scenario_file: Path) -> None:
    opened = open_page(scenario_file)
    page = opened.page

    _assert_offline(opened)
    assert opened.figure("questions") == (str(EXPECTED_QUESTIONS), str(EXPECTED_QUESTIONS))
    assert opened.figure("answered_share") == ("0.6250", "62\u202f%")
    assert opened.figure("unanswered") == (str(EXPECTED_UNANSWERED), str(EXPECTED_UNANSWERED))
    red_flags = str(EXPECTED_EMERGENCY + EXPECTED_URGENT)
    assert opened.figure("red_flags") == (red_flags, red_flags)
    assert opened.figure("askers_per_day") == ("1.86", "1.9")  # 13 askers over 7 days
    assert opened.figure("helpful_share") == ("0.6000", "60\u202f%")
    assert opened.figure("top_topic") == ("sleep-twitching", "sleep-twitching")
    assert page.locator("#period").inner_text() == "4 Mar 2025 – 10 Mar 2025 (7 days, UTC)"
    assert page.locator("#generated").inner_text() == "2025-03-10 18:00 UTC"
    assert page.locator("#content-version").inner_text() == CONTENT_VERSION

    days = opened.rows("table-days")
    assert [row[1:] for row in days] == [[str(n) for n in day[1:]] for day in EXPECTED_DAYS]
    assert page.eval_on_selector_all(
        "#table-days tr[data-day]", "r => r.map(x => x.dataset.day)"
    ) == [day[0] for day in EXPECTED_DAYS]
    assert [row[1:] for row in opened.rows("table-unanswered")] == [
        [text, str(count)] for text, count in EXPECTED_UNANSWERED_TEXTS
    ]
    assert opened.rows("table-feedback") == [
        [topic, str(up), str(down), share] for topic, up, down, share in EXPECTED_FEEDBACK
    ]
    assert opened.rows("table-topics")[0] == ["sleep-twitching", "5", "31\u202f%"]


def test_scripted_report_draws_every_chart_with_its_figures(
    open_page: Opener, scenario_file: Path
) -> None:
    opened = open_page(scenario_file)
    page = opened.page

    for chart in ("questions", "redflags", "askers", "topics", "feedback"):
        box = page.locator(f"#chart-{chart} svg").bounding_box()
        assert box is not None, chart
        assert box["width"] > 300, chart
        assert box["height"] > 150, chart
    # The totals written on the bars (days without questions get none).
    labels = page.eval_on_selector_all(
        "#chart-questions svg text", "t => t.map(x => x.textContent)"
    )
    totals = [str(day[1]) for day in EXPECTED_DAYS if day[1]]
    assert [t for t in labels if t.isdigit() and t in totals][-len(totals) :] == totals
    for legend in ("answered", "suggested", "unanswered"):
        assert legend in labels
    flag_labels = page.locator("#chart-redflags svg").inner_html()
    assert ">emergency</text>" in flag_labels
    assert ">urgent</text>" in flag_labels
    assert ">sleep-twitching</text>" in page.locator("#chart-topics svg").inner_html()
    assert ">67\u202f% helpful</text>" in page.locator("#chart-feedback svg").inner_html()
    opened.shoot("report-light.png")


def test_markup_typed_by_a_parent_is_shown_not_run(open_page: Opener, scenario_file: Path) -> None:
    opened = open_page(scenario_file)

    assert opened.page.locator("script").count() == 0
    cell = opened.page.locator("#table-unanswered td[data-col=text]").nth(1)
    assert cell.inner_text() == SCRIPT_TEXT
    assert cell.locator("b").count() == 0  # shown as typed, not made bold


def test_dark_mode_recolours_page_and_charts(open_page: Opener, scenario_file: Path) -> None:
    opened = open_page(scenario_file, dark=True)
    page = opened.page

    _assert_offline(opened)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _luminance(background) < 0.1
    label_fill = page.evaluate(
        "getComputedStyle(document.querySelector('#chart-topics svg text')).fill"
    )
    assert label_fill == _rgb(PALETTE["ink"].dark)  # light text on the dark card
    bar = page.locator("#chart-questions svg path[style*='--chart-0072b2']").first
    assert page.evaluate("b => getComputedStyle(b).fill", bar.element_handle()) == _rgb(
        PALETTE["answered"].dark
    )
    opened.shoot("report-dark.png")


def test_phone_width_fits_without_sideways_scrolling(
    open_page: Opener, scenario_file: Path
) -> None:
    opened = open_page(scenario_file, phone=True)
    page = opened.page

    _assert_offline(opened)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for chart in ("questions", "redflags", "askers", "topics", "feedback"):
        box = page.locator(f"#chart-{chart} svg").bounding_box()
        assert box is not None, chart
        assert 300 <= box["width"] <= PHONE["width"], chart
    # Chart labels stay readable: at least 9 px on screen.
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg text')]
            .map(t => t.getBoundingClientRect().height).filter(h => h > 0))"""
    )
    assert smallest >= 9
    opened.shoot("report-phone.png")


def test_print_uses_a_white_page(open_page: Opener, scenario_file: Path) -> None:
    opened = open_page(scenario_file, dark=True)
    page = opened.page

    page.emulate_media(media="print", color_scheme="dark")

    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    label_fill = page.evaluate(
        "getComputedStyle(document.querySelector('#chart-topics svg text')).fill"
    )
    assert label_fill == _rgb(PALETTE["ink"].light)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")


def test_empty_database_shows_no_questions_yet(open_page: Opener, tmp_path: Path) -> None:
    db = tmp_path / "stats.sqlite3"  # never created: the bot has not started yet
    out = tmp_path / "empty.html"
    out.write_text(_run(build_report_html(db, 30, now=NOW)), encoding="utf-8")

    opened = open_page(out)

    _assert_offline(opened)
    assert opened.page.locator("#empty h2").inner_text() == "No questions yet"
    assert opened.page.locator("#empty").is_visible()
    assert opened.page.locator("svg").count() == 0
    opened.shoot("report-empty.png")


def test_one_day_of_data_renders_in_the_browser(open_page: Opener, tmp_path: Path) -> None:
    db = tmp_path / "stats.sqlite3"
    _run(write_one_day(db, NOW.date()))
    out = tmp_path / "one-day.html"
    out.write_text(
        _run(build_report_html(db, 1, now=NOW, content_version="en:one")), encoding="utf-8"
    )

    opened = open_page(out)

    _assert_offline(opened)
    assert opened.figure("questions") == ("3", "3")
    assert opened.figure("red_flags") == ("1", "1")
    assert opened.rows("table-days") == [["Mon 10 Mar 2025", "3", "2", "0", "1", "0", "1", "2"]]
    assert opened.page.locator("svg").count() == 4
    assert "10 Mar" in opened.page.locator("#chart-questions svg").inner_html()
    opened.shoot("report-one-day.png")


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _luminance(css_rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
