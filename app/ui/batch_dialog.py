"""The batch dialog: score a folder of videos from the window and open any result in the reviewer.

It runs the real `tsfmicro score` command in a separate process (its worker processes, resume
markers and Ctrl-C handling are the command line's own), lists every input video up front, and
fills the per-video table from `OUT/summary.csv` as videos finish. Cancel sends the process the
same SIGINT as Ctrl-C: it stops cleanly and a later run with *resume* continues. The process is the
"batch" job of a JobRunner: the window's (closing the window stops it), or the dialog's own.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.batch.inputs import InputError, collect_videos
from app.core.csv_rows import guarded
from app.ui.job_runner import JobRunner

TABLE_COLUMNS = ("video", "status", "frames", "events", "fps", "error")
JOB = "batch"


def read_summary(out_dir: Path) -> dict[str, dict[str, str]]:
    """Rows of OUT/summary.csv by absolute video path ({} while there is none yet)."""
    path = out_dir / "summary.csv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["path"]: row for row in guarded(csv.DictReader(handle), path)}


class BatchDialog(QDialog):
    openRequested = Signal(str, str)  # video path, its events.csv
    runFinished = Signal(int)  # the command's exit code

    def __init__(self, parent: Optional[QWidget] = None, jobs: Optional[JobRunner] = None):
        super().__init__(parent)
        self._jobs = jobs if jobs is not None else JobRunner(self)
        self.setWindowTitle("Batch scoring")
        self.resize(900, 520)
        self.input_edit, self.out_edit, self.checkpoint_edit = QLineEdit(), QLineEdit(), QLineEdit()
        self.checkpoint_edit.setPlaceholderText("empty: the training-free motion spotter; 'default': the bundled model")
        self.workers = QSpinBox()
        self.workers.setRange(1, max(1, os.cpu_count() or 1))
        self.resume = QCheckBox("skip videos already scored with the same model (resume)")
        self.resume.setChecked(True)
        form = QFormLayout()
        for label, edit, folder in (("Videos (folder)", self.input_edit, True), ("Output folder", self.out_edit, True),
                                    ("Model checkpoint", self.checkpoint_edit, False)):
            form.addRow(label, self._with_browse(edit, folder))
        form.addRow("Worker processes", self.workers)
        form.addRow("", self.resume)
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(self._on_row_double_clicked)
        self.status = QLabel("Choose a folder of videos and an output folder. Double-click a scored video to review it.")
        self.status.setWordWrap(True)
        self.start_button, self.cancel_button = QPushButton("Start"), QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._videos: list[Path] = []
        self._exit_code: Optional[int] = None
        self._poll = QTimer(self)
        self._poll.setInterval(500)
        self._poll.timeout.connect(self.refresh)

    def _with_browse(self, edit: QLineEdit, folder: bool) -> QWidget:
        button = QPushButton("Browse…")

        def browse() -> None:
            path = (QFileDialog.getExistingDirectory(self, "Choose a folder") if folder
                    else QFileDialog.getOpenFileName(self, "Model checkpoint", "", "Checkpoints (*.pt)")[0])
            if path:
                edit.setText(path)

        button.clicked.connect(browse)
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit, 1)
        box.addWidget(button)
        return row

    @property
    def running(self) -> bool:
        return self._jobs.running(JOB)

    @property
    def out_dir(self) -> Path:
        return Path(self.out_edit.text()).expanduser().absolute()

    def start(self) -> bool:
        if self.running:
            return False
        source, out = self.input_edit.text().strip(), self.out_edit.text().strip()
        if not source or not out:
            self.status.setText("Choose both the folder of videos and the output folder.")
            return False
        try:
            self._videos = collect_videos(source, exclude=out)
        except (InputError, OSError) as err:
            self.status.setText(str(err))
            return False
        self.table.setRowCount(len(self._videos))
        for row, video in enumerate(self._videos):
            self._set_row(row, {"path": str(video), "status": "queued"})
        arguments = ["-m", "app.cli", "score", source, "--out", out, "--workers", str(self.workers.value())]
        if self.checkpoint_edit.text().strip():
            arguments += ["--checkpoint", self.checkpoint_edit.text().strip()]
        if self.resume.isChecked():
            arguments.append("--resume")
        self._exit_code: Optional[int] = None
        self._jobs.start_process(JOB, arguments, on_output=self._on_output, on_finished=self._on_finished,
                                 on_done=self._on_ended, project=False)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"scoring {len(self._videos)} videos…")
        self._poll.start()
        return True

    def cancel(self) -> None:
        """Stop like Ctrl-C: finished videos keep their outputs, a resumed run continues."""
        self._jobs.cancel(JOB)

    def refresh(self) -> None:
        rows = read_summary(self.out_dir)
        for row, video in enumerate(self._videos):
            if str(video.absolute()) in rows:
                self._set_row(row, rows[str(video.absolute())])

    def _set_row(self, row: int, values: dict[str, str]) -> None:
        shown = {"video": Path(values["path"]).name, **{k: values.get(k, "") for k in TABLE_COLUMNS[1:]}}
        for column, name in enumerate(TABLE_COLUMNS):
            item = QTableWidgetItem(str(shown[name]))
            item.setToolTip(values["path"] if name == "video" else str(shown[name]))
            self.table.setItem(row, column, item)

    def _on_output(self, text: str) -> None:
        lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
        if lines:
            self.status.setText(lines[-1][-160:])

    def _on_finished(self, exit_code: int) -> None:
        self._exit_code = exit_code

    def _on_ended(self) -> None:
        """The run ended: by itself, cancelled, or stopped because the window closed (no exit code then)."""
        self._poll.stop()
        self.refresh()
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        exit_code, self._exit_code = self._exit_code, None
        if exit_code is None:
            self.status.setText("stopped; start again with resume to continue")
            return
        outcome = {0: "all videos scored", 1: "finished; some videos failed (see the error column)",
                   130: "cancelled; start again with resume to continue"}
        self.status.setText(outcome.get(exit_code, f"stopped (exit {exit_code}): {self.status.text()}"))
        self.runFinished.emit(exit_code)

    def _on_row_double_clicked(self, row: int, _column: int) -> None:
        video = self._videos[row]
        summary = read_summary(self.out_dir).get(str(video.absolute()))
        if summary is None or summary["status"] not in ("ok", "skipped"):
            self.status.setText(f"{video.name} has not been scored successfully; nothing to open")
            return
        self.openRequested.emit(str(video), str(self.out_dir / summary["output"] / "events.csv"))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.running:
            self.cancel()
            self._jobs.wait(JOB)
        super().closeEvent(event)
