"""Screenshots of the reviewer for docs/screenshots/: the bundled demo on first open (analysed at once),
triaged at confidence >= 0.5, and in blind mode. Run under a display, e.g.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/reviewer_screenshots.py docs/screenshots

The demo is copied to a temporary folder (its project is made there, not in resources/)."""
import shutil
import sys
import tempfile
import time
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer, Qt
from PySide6.QtWidgets import QApplication
import app.ui.first_run as first_run
from app.resources import demo_video_path
from app.ui.main_window import ReviewerWindow

out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
work = Path(tempfile.mkdtemp())
video = work / "astronaut_demo.mp4"
shutil.copy(demo_video_path(), video)
first_run.demo_video_path = lambda: video
qt = QApplication([])
window = ReviewerWindow(QSettings(str(work / "s.ini"), QSettings.Format.IniFormat))
window.show()
window.open_path(video)
t0 = time.time()
stage = {"n": 0}

def tick():
    w = window
    if w.document is None or w.face_track is None or w.model_actions.spotter_running or not w.document.curve_names():
        if time.time() - t0 > 400:
            print("timeout"); qt.quit(); return
        QTimer.singleShot(200, tick); return
    if stage["n"] == 0:
        print("ready after", round(time.time() - t0, 1), "s; events", len(w.document.events()))
        w.show_frame(0)
        w.events.jump(+1, True)
        qt.processEvents()
        w.grab().scaledToWidth(1100, Qt.TransformationMode.SmoothTransformation).save(str(out / "reviewer_first_run.png"))
        w.toolbar.threshold.setValue(0.5)
        w.events.jump(+1, True)
        qt.processEvents()
        w.grab().scaledToWidth(1100, Qt.TransformationMode.SmoothTransformation).save(str(out / "reviewer_triage.png"))
        w.menus.blind_action.trigger()
        qt.processEvents()
        w.grab().scaledToWidth(1100, Qt.TransformationMode.SmoothTransformation).save(str(out / "reviewer_blind.png"))
        w.menus.blind_action.trigger()
        print("queue:", w.toolbar.queue.text(), "size", w.width(), w.height())
        w.close()
        qt.quit()

QTimer.singleShot(200, tick)
qt.exec()
