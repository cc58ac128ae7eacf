"""A real X window under Xvfb, screenshotted after analysis: reviewer_after_analysis.png in the test's
temporary folder, or in $TSFMICRO_SCREENSHOT_DIR when set (to keep the picture and look at it).

Skipped where Xvfb is not installed (the README's setup installs it when run as root). The window
runs in a child process with the xcb platform; this process's Qt stays offscreen."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import pytest

from app.resources import demo_video_path

pytestmark = [pytest.mark.gui, pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")]
SCREENSHOT_DIR = "TSFMICRO_SCREENSHOT_DIR"  # where the screenshot goes (default: the test's tmp_path)


def test_screenshot_after_analysis(tmp_path, tiny_checkpoint):
    video = tmp_path / "interview.mp4"
    shutil.copy(demo_video_path(), video)
    folder = Path(os.environ.get(SCREENSHOT_DIR) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "reviewer_after_analysis.png"
    shot.unlink(missing_ok=True)
    display = f":{90 + os.getpid() % 100}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        script = textwrap.dedent(f"""
            import sys
            from PySide6.QtCore import QSettings, QTimer
            from PySide6.QtWidgets import QApplication
            from app.ui.main_window import ReviewerWindow
            app = QApplication([])
            assert app.platformName() == "xcb", app.platformName()
            window = ReviewerWindow(QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))
            window.resize(1200, 860)
            window.show()
            assert window.open_path({str(video)!r})
            def analyse_when_tracked():
                if window.face_track is None:
                    QTimer.singleShot(100, analyse_when_tracked)
                    return
                window.model_actions.analysis.runEnded.connect(lambda how, text: QTimer.singleShot(300, snap))
                window.model_actions.analyse({str(tiny_checkpoint)!r}, mode="fast")
            def snap():
                window.show_frame(146)
                app.processEvents()
                window.grab().save({str(shot)!r})
                app.quit()
            analyse_when_tracked()
            sys.exit(app.exec())
        """)
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        run = subprocess.run([sys.executable, "-c", script], env={**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[0] >= 800 and image.shape[1] >= 1100
    assert image.std() > 20  # a real picture, not a blank window
