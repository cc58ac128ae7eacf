"""Print a review report (`app.report`, self-contained HTML) to PDF with Qt alone: QTextDocument lays
it out, QPdfWriter writes A4 pages. The embedded base64 PNGs are decoded here, so nothing is fetched."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from app.core.atomic import atomic_write_bytes

_DATA_PNG = "data:image/png;base64,"


class _ReportDocument(QTextDocument):
    """A QTextDocument that reads `data:image/png;base64,` images and refuses every other resource."""

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt's name)
        text = url.toString()
        if kind == QTextDocument.ResourceType.ImageResource.value and text.startswith(_DATA_PNG):
            try:
                return QImage.fromData(base64.b64decode(text[len(_DATA_PNG):], validate=True), "PNG")
            except (binascii.Error, ValueError):
                return QImage()
        return None


def html_to_pdf(html: str, path: str | os.PathLike, *, resolution_dpi: int = 150) -> int:
    """Lay out `html` on A4 pages and write them to `path` as PDF (atomically); returns the page count."""
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target}: folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    writer = QPdfWriter(str(partial))
    writer.setResolution(resolution_dpi)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setTitle("Micro-expression review report")
    document = _ReportDocument()
    document.documentLayout().setPaintDevice(writer)  # lay out in the PDF's resolution and page size,
    document.setPageSize(QSizeF(writer.width(), writer.height()))  # so pageCount() is the PDF's
    document.setHtml(html)
    try:
        document.print_(writer)
        pages = document.pageCount()
        del writer  # finishes and closes the PDF file
        atomic_write_bytes(target, partial.read_bytes())
    finally:
        partial.unlink(missing_ok=True)
    return pages


def report_file_to_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike) -> int:
    """A report written by `tsfmicro report` (HTML file) printed to PDF; returns the page count."""
    source = Path(html_path)
    if not source.is_file():
        raise FileNotFoundError(f"{source}: report file not found")
    return html_to_pdf(source.read_text(encoding="utf-8"), pdf_path)
