"""The review report: one self-contained HTML file a psychologist can file (Qt-free).

    from app.report import gather, write_report
    write_report("report.html", gather("interview.tsfproj"))           # or gather(video, events_csv=...)
"""

from app.report.gather import ReportData, ReportError, gather
from app.report.html import render_html, write_report

__all__ = ["ReportData", "ReportError", "gather", "render_html", "write_report"]
