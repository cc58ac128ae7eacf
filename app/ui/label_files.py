"""Label and curve files of the open project: export / import labels (training CSV, ELAN, BORIS,
MEGC), export the per-frame curves, and files dropped onto the window (a label file is imported as
labels, one undo step; anything else is opened). Writes are atomic: a failure (a full disk) leaves
the previous file as it was, and the message names the file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.core.curves_export import export_curves_csv
from app.core.label_exchange import export_labels, labels_for_video

if TYPE_CHECKING:
    from app.ui.main_window import ReviewerWindow

LABEL_FILTER = ("Training CSV (*.csv);;ELAN (*.eaf);;BORIS project (*.boris);;BORIS export (*.tsv);;"
                "MEGC spotting CSV, import (*.csv)")
LABEL_SUFFIXES = (".csv", ".eaf", ".boris", ".tsv")


def kept_note(path: Path) -> str:
    return "; the previous file is unchanged" if path.exists() else ""


class LabelFiles:
    def __init__(self, window: "ReviewerWindow"):
        self._window = window

    def export_labels(self, csv_path: str | os.PathLike) -> bool:
        w = self._window
        try:
            export_labels(csv_path, w.document.events(), w.store.video["path"])
        except (OSError, ValueError) as err:
            w.show_error(f"{csv_path}: export failed: {err}{kept_note(Path(csv_path))}")
            return False
        w.statusBar().showMessage(f"exported {len(w.document.events())} events to {csv_path}", 8000)
        return True

    def import_labels(self, csv_path: str | os.PathLike) -> Optional[str]:
        """Add the file's events for this video (one undo step); returns the summary shown."""
        w = self._window
        try:
            events, report, elsewhere = labels_for_video(csv_path, w.store.video["path"])
        except (OSError, ValueError, KeyError, IndexError) as err:
            w.show_error(f"{csv_path}: import failed: {err}")
            return None
        added, skipped = w.document.add_events(events, f"import {Path(csv_path).name}")
        summary = (f"{Path(csv_path).name}: {added} events imported, {skipped} already here, "
                   f"{elsewhere} for other videos; {report.summary()}")
        if report.problems and w.isVisible() and not os.environ.get("TSFMICRO_NO_DIALOGS"):
            QMessageBox.warning(w, "Some rows were not imported", summary)
        w.statusBar().showMessage(summary, 10000)
        return summary

    def export_curves(self, csv_path: str | os.PathLike) -> bool:
        w = self._window
        try:
            export_curves_csv(csv_path, w.store, w.face_track.ok if w.face_track is not None else None)
        except (OSError, ValueError) as err:
            w.show_error(f"{csv_path}: export failed: {err}{kept_note(Path(csv_path))}")
            return False
        w.statusBar().showMessage(f"exported per-frame curves to {csv_path}", 8000)
        return True

    def on_export_labels_triggered(self) -> None:
        w = self._window
        if w.document is not None:
            default = str(Path(w.store.video["path"]).with_suffix(".events.csv"))
            path, _ = QFileDialog.getSaveFileName(w, "Export labels", default, LABEL_FILTER)
            if path:
                self.export_labels(path)

    def on_import_labels_triggered(self) -> None:
        w = self._window
        if w.document is not None:
            path, _ = QFileDialog.getOpenFileName(w, "Import labels", "", LABEL_FILTER + ";;All files (*)")
            if path:
                self.import_labels(path)

    def on_export_curves_triggered(self) -> None:
        w = self._window
        if w.document is not None:
            default = str(Path(w.store.video["path"]).with_suffix(".frames.csv"))
            path, _ = QFileDialog.getSaveFileName(w, "Export per-frame curves", default, "CSV (*.csv)")
            if path:
                self.export_curves(path)

    def dropped(self, paths: list[str]) -> None:
        """Files dropped onto the window: label files are imported into the open project (each one
        undo step); the first other file (a video, folder or project) is opened."""
        w = self._window
        labels = [p for p in paths if Path(p).suffix.lower() in LABEL_SUFFIXES]
        others = [p for p in paths if p not in labels]
        if labels and w.document is None:
            w.show_error(f"{labels[0]}: open a video first, then drop its labels onto the window")
        elif labels:
            for path in labels:
                self.import_labels(path)
        if others:
            w.open_path(others[0])
