"""Step-to-displayed latency of the reviewer: from a ±1-frame step to the new frame painted.

Runs the real ReviewerWindow (offscreen unless a display is set) on a 640x480 30 fps clip. Each
sample times `step()` (frame-exact read, overlays, crop inset, timeline playhead) plus the event
processing that paints it. Measured idle, and again while the face-tracking worker runs in its
thread over a second copy of the video (background analysis load).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.ui.jobs import FaceTrackWorker, start_in_thread  # noqa: E402
from app.ui.main_window import ReviewerWindow  # noqa: E402


def _time_steps(app: QApplication, window: ReviewerWindow, steps: int) -> list[float]:
    pattern = [1, 1, 1, -1, 1, 1, -1, -1, 1, 1]  # mostly forward, some back: what reviewers do
    samples = []
    for i in range(steps):
        if window.current_frame >= window.document.n_frames - 2:
            window.show_frame(10)
        start = time.perf_counter()
        window.step(pattern[i % len(pattern)])
        app.processEvents()
        samples.append(1000.0 * (time.perf_counter() - start))
    return samples


def run_step_latency_bench(clip: Path, steps: int = 300) -> dict:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / clip.name
        shutil.copyfile(clip, video)
        window = ReviewerWindow(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1200, 860)
        window.show()
        window.open_path(video)
        while window.face_track is None:  # the window's own first-open tracking
            app.processEvents()
            time.sleep(0.01)
        window.show_frame(10)
        idle = _time_steps(app, window, steps)
        busy_video = Path(tmp) / f"busy_{clip.name}"
        shutil.copyfile(clip, busy_video)
        worker = FaceTrackWorker(str(busy_video))
        done = []
        start_in_thread(worker, app, lambda: done.append(True))
        busy = _time_steps(app, window, steps)
        worker.cancel()
        while not done:
            app.processEvents()
            time.sleep(0.01)
        window.close()
    return {
        "step_latency_ms_median": round(statistics.median(idle), 2),
        "step_latency_ms_p95": round(sorted(idle)[int(0.95 * len(idle))], 2),
        "step_latency_busy_ms_median": round(statistics.median(busy), 2),
        "step_latency_busy_ms_p95": round(sorted(busy)[int(0.95 * len(busy))], 2),
        "steps": steps,
        "platform": app.platformName(),
    }
