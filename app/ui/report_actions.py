"""File > Export report… (the review report as self-contained HTML, then optionally the same as PDF)
and Analysis > Magnify selected event… (the motion-magnification dialog) in the reviewer window.
One instance per window; `attach(document, labeling)` and `detach()` follow the open project. What it
has to say goes out as signals: `message` for the status bar, `failed` for the error banner."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from app.core.atomic import atomic_write_text
from app.media import VideoError
from app.report import ReportError, gather, render_html
from app.ui.document import ProjectDocument
from app.ui.label_files import kept_note
from app.ui.labeling import LabelingController
from app.ui.magnify_view import MagnifyDialog
from app.ui.report_pdf import html_to_pdf


class ReportActions(QObject):
    message = Signal(str, int)  # text for the status bar, how long to show it (ms)
    failed = Signal(str)  # an error to show in the window

    def __init__(self, dialog_parent: QWidget):
        super().__init__(dialog_parent)
        self._dialog_parent = dialog_parent
        self._document: Optional[ProjectDocument] = None
        self._labeling: Optional[LabelingController] = None
        self.magnify_dialog = None

    def attach(self, document: ProjectDocument, labeling: LabelingController) -> None:
        self._document, self._labeling = document, labeling

    def detach(self) -> None:
        self._document = self._labeling = None

    def export_report(self, html_path: str | os.PathLike, pdf_path: Optional[str | os.PathLike] = None) -> bool:
        """Write the report of the open project (its events as they are now) as HTML, and as PDF when
        `pdf_path` is given. A failure (a full disk) names the file and leaves an older one as it was."""
        document = self._document
        if document is None:
            return False
        document.flush_view_state()
        target = Path(html_path)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = gather(document.store.path)
            html = render_html(data)
            atomic_write_text(target, html)
            if pdf_path is not None:
                target = Path(pdf_path)
                html_to_pdf(html, target)
        except (OSError, ValueError, ReportError) as err:
            self.failed.emit(f"{target}: report not written: {err}{kept_note(target)}")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.message.emit(f"report written to {target}", 8000)
        return True

    def on_export_report_triggered(self) -> None:
        if self._document is None:
            return
        parent = self._dialog_parent
        default = str(Path(self._document.store.video["path"]).with_suffix(".report.html"))
        path, _ = QFileDialog.getSaveFileName(parent, "Export report", default, "HTML report (*.html)")
        if not path or not self.export_report(path):
            return
        answer = QMessageBox.question(parent, "Report written", f"The report is at\n{path}\n\nAlso save it as PDF?")
        if answer == QMessageBox.StandardButton.Yes:
            pdf, _ = QFileDialog.getSaveFileName(parent, "Save the report as PDF", str(Path(path).with_suffix(".pdf")),
                                                 "PDF (*.pdf)")
            if pdf:
                self.export_report(path, pdf)

    def magnify_selected(self):
        """The magnification dialog for the selected event (its face crops are computed here, a few seconds)."""
        selected = self._labeling.selected if self._labeling is not None else None
        if selected is None:
            self.message.emit("select an event first (click it, or N for the next one)", 6000)
            return None
        event = self._document.event_by_id(selected)
        video_path = self._document.store.video["path"]
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            dialog = MagnifyDialog.for_event(video_path, event, parent=self._dialog_parent)
        except (OSError, ValueError, VideoError) as err:
            text = str(err) if video_path in str(err) else f"{video_path}: {err}"
            self.failed.emit(f"cannot magnify {selected}: {text}")
            return None
        finally:
            QApplication.restoreOverrideCursor()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.magnify_dialog = dialog
        return dialog
