"""The operator report: a self-contained HTML page with charts, and the /stats chart PNG.

Entry points for the bot's handlers: `build_report_html` and `build_stats_chart_png`.
matplotlib loads only when a chart is drawn; nothing here imports telegram.
"""

from tgbot.report.build import build_report_html, build_stats_chart_png

__all__ = ["build_report_html", "build_stats_chart_png"]
