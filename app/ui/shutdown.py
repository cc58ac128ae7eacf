"""Closing the window while work runs: every background job is stopped and waited for, so nothing
writes to a closed project and no thread or child process is left behind.

Threads (frame counting, face tracking, the spotter, model analysis) are cancelled and joined; child
processes (training, batch scoring) get Ctrl-C (they save their state and exit), and are killed only
if they do not end within the timeout."""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QProcess

if TYPE_CHECKING:
    from app.ui.main_window import ReviewerWindow

PROCESS_TIMEOUT_MS = 30000


def stop_process(process: Optional[QProcess], timeout_ms: int = PROCESS_TIMEOUT_MS) -> None:
    """Ctrl-C a child process and wait for it; kill it if it does not end in time."""
    if process is None or process.state() == QProcess.ProcessState.NotRunning:
        return
    process.waitForStarted(5000)
    if process.processId():
        try:
            os.kill(process.processId(), signal.SIGINT)
        except OSError:
            pass  # it ended meanwhile
    if not process.waitForFinished(timeout_ms):
        process.kill()
        process.waitForFinished(5000)


def stop_all_jobs(window: "ReviewerWindow") -> None:
    """Stop every job of the window (it closes); the project itself is closed by the window."""
    window.opener.cancel()
    window.faces.cancel()
    training = window.models.training
    if training is not None:
        stop_process(getattr(training, "_process", None))
    dialog = window.batch_dialog
    if dialog is not None and dialog.running:
        dialog.cancel()
        stop_process(getattr(dialog, "_process", None))
