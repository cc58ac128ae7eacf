"""Label and curve files of the open project: export / import labels (training CSV, ELAN, BORIS,
MEGC), export the per-frame curves, and files dropped onto the window (a label file is imported as
labels, one undo step; anything else is opened). Writes are atomic: a failure (a full disk) leaves
the previous file as it was, and the message names the file. One instance per window; `attach(document)`
and `detach()` follow the open project. What it has to say goes out as signals: `message` for the status
bar, `failed` for the error banner, `openRequested` for a dropped file to open."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.curves_export import export_curves_csv
from app.core.label_exchange import export_labels, labels_for_video
from app.ui.document import ProjectDocument
from app.ui.frames import FrameDisplay

LABEL_FILTER = ("Training CSV (*.csv);;ELAN (*.eaf);;BORIS project (*.boris);;BORIS export (*.tsv);;"
                "MEGC spotting CSV, import (*.csv)")
LABEL_SUFFIXES = (".csv", ".eaf", ".boris", ".tsv")


def kept_note(path: Path) -> str:
    return "; the previous file is unchanged" if path.exists() else ""


class LabelFiles(QObject):
    message = Signal(str, int)  # text for the status bar, how long to show it (ms)
    failed = Signal(str)  # an error to show in the window
    openRequested = Signal(str)  # a dropped file that is not a label file: a video, folder or project

    def __init__(self, dialog_parent: QWidget, frames: FrameDisplay):
        """`frames`: the frame display, whose face track (when there is one) marks the frames with a face."""
        super().__init__(dialog_parent)
        self._dialog_parent, self._frames = dialog_parent, frames
        self._document: Optional[ProjectDocument] = None

    def attach(self, document: ProjectDocument) -> None:
        self._document = document

    def detach(self) -> None:
        self._document = None

    def _video_path(self) -> str:
        return self._document.store.video["path"]

    def export_labels(self, csv_path: str | os.PathLike) -> bool:
        document = self._document
        try:
            export_labels(csv_path, document.events(), self._video_path())
        except (OSError, ValueError) as err:
            self.failed.emit(f"{csv_path}: export failed: {err}{kept_note(Path(csv_path))}")
            return False
        self.message.emit(f"exported {len(document.events())} events to {csv_path}", 8000)
        return True

    def import_labels(self, csv_path: str | os.PathLike) -> Optional[str]:
        """Add the file's events for this video (one undo step); returns the summary shown."""
        try:
            events, report, elsewhere = labels_for_video(csv_path, self._video_path())
        except (OSError, ValueError, KeyError, IndexError) as err:
            self.failed.emit(f"{csv_path}: import failed: {err}")
            return None
        added, skipped = self._document.add_events(events, f"import {Path(csv_path).name}")
        summary = (f"{Path(csv_path).name}: {added} events imported, {skipped} already here, "
                   f"{elsewhere} for other videos; {report.summary()}")
        parent = self._dialog_parent
        if report.problems and parent.isVisible() and not os.environ.get("TSFMICRO_NO_DIALOGS"):
            QMessageBox.warning(parent, "Some rows were not imported", summary)
        self.message.emit(summary, 10000)
        return summary

    def export_curves(self, csv_path: str | os.PathLike) -> bool:
        face_track = self._frames.face_track
        try:
            export_curves_csv(csv_path, self._document.store, face_track.ok if face_track is not None else None)
        except (OSError, ValueError) as err:
            self.failed.emit(f"{csv_path}: export failed: {err}{kept_note(Path(csv_path))}")
            return False
        self.message.emit(f"exported per-frame curves to {csv_path}", 8000)
        return True

    def on_export_labels_triggered(self) -> None:
        if self._document is not None:
            default = str(Path(self._video_path()).with_suffix(".events.csv"))
            path, _ = QFileDialog.getSaveFileName(self._dialog_parent, "Export labels", default, LABEL_FILTER)
            if path:
                self.export_labels(path)

    def on_import_labels_triggered(self) -> None:
        if self._document is not None:
            path, _ = QFileDialog.getOpenFileName(self._dialog_parent, "Import labels", "",
                                                  LABEL_FILTER + ";;All files (*)")
            if path:
                self.import_labels(path)

    def on_export_curves_triggered(self) -> None:
        if self._document is not None:
            default = str(Path(self._video_path()).with_suffix(".frames.csv"))
            path, _ = QFileDialog.getSaveFileName(self._dialog_parent, "Export per-frame curves", default,
                                                  "CSV (*.csv)")
            if path:
                self.export_curves(path)

    def dropped(self, paths: list[str]) -> None:
        """Files dropped onto the window: label files are imported into the open project (each one
        undo step); the first other file (a video, folder or project) is opened."""
        labels = [p for p in paths if Path(p).suffix.lower() in LABEL_SUFFIXES]
        others = [p for p in paths if p not in labels]
        if labels and self._document is None:
            self.failed.emit(f"{labels[0]}: open a video first, then drop its labels onto the window")
        elif labels:
            for path in labels:
                self.import_labels(path)
        if others:
            self.openRequested.emit(others[0])
