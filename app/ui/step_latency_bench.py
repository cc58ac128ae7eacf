"""Step-to-displayed latency of the reviewer: from a ±1-frame step to the new frame painted.

Runs the real ReviewerWindow (offscreen unless a display is set) on a 640x480 30 fps clip. Each
sample times `step()` (frame-exact read, overlays, crop inset, timeline playhead) plus the event
processing that paints it. Measured idle, and again while the window's own analysis runs: the
full TSFmicro model (random weights; only its cost matters here) in full-fidelity mode, which
keeps torch busy on every core.
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

from app.analysis.contract import ModelContract  # noqa: E402
from app.ui.main_window import ReviewerWindow  # noqa: E402
from model import PreprocessCfg, create_model, save_checkpoint  # noqa: E402
from model.spotting_head import SpottingHead, SpottingHeadCfg  # noqa: E402


def _random_full_checkpoint(path: Path) -> Path:
    model = create_model("tsfmicro", num_classes=5).eval()
    head = SpottingHead(SpottingHeadCfg(embed_dim=model.cfg.embed_dim)).eval()
    return save_checkpoint(path, model, model_name="tsfmicro", class_names=("a", "b", "c", "d", "e"),
                           preprocess=PreprocessCfg(size=model.cfg.input_size), contract=ModelContract().to_dict(),
                           model_card={"data": "none (random weights, benchmark load)"},
                           spotting_head=head)


def _time_steps(app: QApplication, window: ReviewerWindow, steps: int) -> list[float]:
    pattern = [1, 1, 1, -1, 1, 1, -1, -1, 1, 1]  # mostly forward, some back: what reviewers do
    samples = []
    for i in range(steps):
        if window.current_frame >= window.document.n_frames - 2:
            window.show_frame(10)
        start = time.perf_counter()
        window.frames.step(pattern[i % len(pattern)])
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
        checkpoint = _random_full_checkpoint(Path(tmp) / "random_full.pt")
        window.model_actions.analyse(str(checkpoint), mode="full")
        while window.model_actions.analysis.description is None:  # model loaded, frames flowing
            app.processEvents()
            time.sleep(0.01)
        busy = _time_steps(app, window, steps)
        analysis_still_running = window.model_actions.analysis.running
        window.close()
    return {
        "step_latency_ms_median": round(statistics.median(idle), 2),
        "step_latency_ms_p95": round(sorted(idle)[int(0.95 * len(idle))], 2),
        "step_latency_busy_ms_median": round(statistics.median(busy), 2),
        "step_latency_busy_ms_p95": round(sorted(busy)[int(0.95 * len(busy))], 2),
        "steps": steps,
        "busy_load": "window analysis, full model, full mode" + ("" if analysis_still_running else " (ended early)"),
        "platform": app.platformName(),
    }
