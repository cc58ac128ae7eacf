"""'Train on these labels': export the project's accepted labels to a training CSV and run
`tsfmicro train` on them in a separate process (so the window stays responsive and a crash of the
training cannot take the window with it). Its last output line is shown as progress."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, Signal

from app.core.label_exchange import export_labels
from app.ui.document import ProjectDocument
from app.ui.job_runner import JobRunner

JOB = "training"


@dataclass(frozen=True)
class TrainingRequest:
    model: str = "tsfmicro"  # or "tsfmicro_tiny" (fast, for trying the loop)
    epochs: int = 30
    device: str = "auto"


class TrainingJob(QObject):
    progress = Signal(str)
    finished = Signal(str)  # the new checkpoint
    errored = Signal(str)

    def __init__(self, document: ProjectDocument, video_path: str, jobs: JobRunner, parent: Optional[QObject] = None):
        super().__init__(parent)
        self._document, self._video_path, self._jobs = document, video_path, jobs
        self._tail = ""

    @property
    def running(self) -> bool:
        return self._jobs.running(JOB)

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
        arguments = ["-m", "app.cli", "train", str(labels), "--out", str(self.checkpoint), "--protocol", "none",
                     "--model", request.model, "--epochs", str(request.epochs), "--device", request.device, "--restart"]
        self._tail = ""
        self._jobs.start_process(JOB, arguments, on_output=self._on_output, on_finished=self._on_finished)
        return True

    def cancel(self) -> None:
        """Ask the training to stop (Ctrl-C semantics: it saves its state and exits)."""
        self._jobs.cancel(JOB)

    def stop(self) -> None:
        """Stop the training and wait for it (the project closes)."""
        self._jobs.stop(JOB)

    def _on_output(self, text: str) -> None:
        self._tail = (self._tail + text)[-4000:]
        lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
        if lines:
            self.progress.emit(lines[-1])

    def _on_finished(self, exit_code: int) -> None:
        if exit_code == 0 and self.checkpoint.exists():
            self.finished.emit(str(self.checkpoint))
        else:
            last = [line for line in self._tail.splitlines() if line.strip()][-3:]
            self.errored.emit(f"training stopped (exit {exit_code}): " + " | ".join(last))
