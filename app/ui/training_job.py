"""'Train on these labels': export the project's accepted labels to a training CSV and run
`tsfmicro train` on them in a separate process (so the window stays responsive and a crash of the
training cannot take the window with it). Its last output line is shown as progress."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, QProcess, Signal

from app.core.label_exchange import export_labels
from app.ui.document import ProjectDocument


@dataclass(frozen=True)
class TrainingRequest:
    model: str = "tsfmicro"  # or "tsfmicro_tiny" (fast, for trying the loop)
    epochs: int = 30
    device: str = "auto"


class TrainingJob(QObject):
    progress = Signal(str)
    finished = Signal(str)  # the new checkpoint
    errored = Signal(str)

    def __init__(self, document: ProjectDocument, video_path: str, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._document, self._video_path = document, video_path
        self._process: Optional[QProcess] = None
        self._tail = ""

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, request: TrainingRequest) -> bool:
        accepted = [e for e in self._document.events() if e.status == "accepted"]
        emotions = {e.emotion for e in accepted}
        if len(accepted) < 2 or len(emotions) < 2:
            self.errored.emit(f"training needs accepted events of at least two emotions; this project has "
                              f"{len(accepted)} accepted event(s) of {len(emotions)} emotion(s)")
            return False
        folder = Path(str(self._document.store.path) + ".training")
        folder.mkdir(exist_ok=True)
        labels = export_labels(folder / "labels.csv", accepted, self._video_path)
        self.checkpoint = folder / f"{request.model}-{len(accepted)}-events.pt"
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._on_output)
        process.finished.connect(self._on_finished)
        arguments = ["-m", "app.cli", "train", str(labels), "--out", str(self.checkpoint), "--protocol", "none",
                     "--model", request.model, "--epochs", str(request.epochs), "--device", request.device, "--restart"]
        self._process = process
        process.start(sys.executable, arguments)
        return True

    def cancel(self) -> None:
        """Ask the training to stop (Ctrl-C semantics: it saves its state and exits)."""
        if self._process is not None and self._process.processId():
            os.kill(self._process.processId(), signal.SIGINT)

    def wait(self, timeout_ms: int = 30000) -> None:
        if self._process is not None:
            self._process.waitForFinished(timeout_ms)

    def _on_output(self) -> None:
        text = bytes(self._process.readAllStandardOutput()).decode(errors="replace")
        self._tail = (self._tail + text)[-4000:]
        lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
        if lines:
            self.progress.emit(lines[-1])

    def _on_finished(self, exit_code: int, _status) -> None:
        self._process = None
        if exit_code == 0 and self.checkpoint.exists():
            self.finished.emit(str(self.checkpoint))
        else:
            last = [line for line in self._tail.splitlines() if line.strip()][-3:]
            self.errored.emit(f"training stopped (exit {exit_code}): " + " | ".join(last))
