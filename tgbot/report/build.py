"""The report's entry points for the bot and the command line: async, off-loop rendering.

Reading is async (aiosqlite); drawing is CPU-bound matplotlib work, so it runs in a worker
thread and the bot keeps answering while an operator's chart is drawn. Never imports telegram.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from tgbot.report.charts import render_report_charts, render_stats_png
from tgbot.report.data import load_report_data
from tgbot.report.html import render_report_html
from tgbot.report.model import ReportData

__all__ = ["build_report_html", "build_stats_chart_png", "render_page"]


def render_page(data: ReportData) -> str:
    """The HTML page of already-loaded figures (synchronous; draws the charts)."""
    if data.is_empty:
        # Nothing to draw: the empty state never imports matplotlib.
        return render_report_html(data, None)
    return render_report_html(data, render_report_charts(data))


async def build_report_html(
    db_path: Path, days: int, *, now: datetime | None = None, content_version: str = ""
) -> str:
    """The self-contained HTML report of the last `days` UTC days (an empty state if no data).

    Raises ValueError for days < 1 and tgbot.stats.store.SchemaMismatch for a database of
    another schema version.
    """
    data = await load_report_data(db_path, days, now=now, content_version=content_version)
    return await asyncio.to_thread(render_page, data)


async def build_stats_chart_png(db_path: Path, days: int, *, now: datetime | None = None) -> bytes:
    """A PNG (charts.PNG_SIZE pixels) of questions and red flags per day of the period."""
    data = await load_report_data(db_path, days, now=now)
    return await asyncio.to_thread(render_stats_png, data)
