"""The review report printed to PDF with Qt alone (QTextDocument + QPdfWriter), images included."""

import re

import pytest

from app.report import gather, render_html
from app.resources import resource_path
from app.ui.report_pdf import html_to_pdf, report_file_to_pdf

pytestmark = [pytest.mark.gui]


def test_report_prints_to_pdf(qtbot, tmp_path):
    data = gather(resource_path("demo", "astronaut_demo.mp4"),
                  events_csv=resource_path("demo", "astronaut_demo.events.csv"), with_card=False)
    html_path = tmp_path / "report.html"
    html_path.write_text(render_html(data), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pages = report_file_to_pdf(html_path, pdf)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and pages >= 1
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == pages
    assert len(re.findall(rb"/Subtype\s*/Image", content)) >= 1 + 2 * len(data.events)  # plot and faces embedded
    assert not list(tmp_path.glob(".*partial"))


def test_missing_inputs_are_named(qtbot, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.html"):
        report_file_to_pdf(tmp_path / "nope.html", tmp_path / "r.pdf")
    with pytest.raises(FileNotFoundError, match="no/such"):
        html_to_pdf("<p>x</p>", tmp_path / "no" / "such" / "r.pdf")
