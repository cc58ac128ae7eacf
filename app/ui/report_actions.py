"""File > Export report… (the review report as self-contained HTML, then optionally the same as PDF)
and Analysis > Magnify selected event… (the motion-magnification dialog) in the reviewer window."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.media import VideoError
from app.ui.label_files import kept_note

if TYPE_CHECKING:
    from app.ui.main_window import ReviewerWindow


class ReportActions:
    def __init__(self, window: "ReviewerWindow"):
        self._window = window
        self.magnify_dialog = None

    def export_report(self, html_path: str | os.PathLike, pdf_path: Optional[str | os.PathLike] = None) -> bool:
        """Write the report of the open project (its events as they are now) as HTML, and as PDF when
        `pdf_path` is given. A failure (a full disk) names the file and leaves an older one as it was."""
        from app.report import ReportError, gather, render_html
        from app.core.atomic import atomic_write_text

        w = self._window
        if w.document is None:
            return False
        w.document.flush_view_state()
        target = Path(html_path)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = gather(w.store.path)
            html = render_html(data)
            atomic_write_text(target, html)
            if pdf_path is not None:
                target = Path(pdf_path)
                from app.ui.report_pdf import html_to_pdf

                html_to_pdf(html, target)
        except (OSError, ValueError, ReportError) as err:
            w.show_error(f"{target}: report not written: {err}{kept_note(target)}")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        w.statusBar().showMessage(f"report written to {target}", 8000)
        return True

    def on_export_report_triggered(self) -> None:
        w = self._window
        if w.document is None:
            return
        default = str(Path(w.store.video["path"]).with_suffix(".report.html"))
        path, _ = QFileDialog.getSaveFileName(w, "Export report", default, "HTML report (*.html)")
        if not path or not self.export_report(path):
            return
        answer = QMessageBox.question(w, "Report written", f"The report is at\n{path}\n\nAlso save it as PDF?")
        if answer == QMessageBox.StandardButton.Yes:
            pdf, _ = QFileDialog.getSaveFileName(w, "Save the report as PDF", str(Path(path).with_suffix(".pdf")),
                                                 "PDF (*.pdf)")
            if pdf:
                self.export_report(path, pdf)

    def magnify_selected(self):
        """The magnification dialog for the selected event (its face crops are computed here, a few seconds)."""
        from app.ui.magnify_view import MagnifyDialog

        w = self._window
        selected = w.labeling.selected if w.labeling is not None else None
        if selected is None:
            w.statusBar().showMessage("select an event first (click it, or N for the next one)", 6000)
            return None
        event = w.document.event_by_id(selected)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            dialog = MagnifyDialog.for_event(w.store.video["path"], event, parent=w)
        except (OSError, ValueError, VideoError) as err:
            text = str(err) if w.store.video["path"] in str(err) else f"{w.store.video['path']}: {err}"
            w.show_error(f"cannot magnify {selected}: {text}")
            return None
        finally:
            QApplication.restoreOverrideCursor()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.magnify_dialog = dialog
        return dialog
