"""A reviewer window in another process labels events through the keyboard path and is killed with
SIGKILL mid-edit; reopening the project must show every event the window had reported as made."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from app.core.project_store import ProjectStore
from app.resources import demo_video_path

pytestmark = pytest.mark.gui


def test_sigkill_mid_labelling_loses_nothing(tmp_path):
    video = tmp_path / "interview.mp4"
    shutil.copy(demo_video_path(), video)
    script = textwrap.dedent(f"""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        from app.ui.main_window import ReviewerWindow
        app = QApplication([])
        window = ReviewerWindow(QSettings({str(tmp_path / 'settings.ini')!r}, QSettings.Format.IniFormat))
        window.show()
        assert window.open_path({str(video)!r})
        while window.labeling is None:  # a new video: its frames are counted in a worker first
            app.processEvents()
        i = 0
        while True:
            onset = (i * 7) % 280
            for frame, edge in ((onset, "onset_frame"), (onset + 5, "offset_frame")):
                window.show_frame(frame)
                created = window.labeling.mark(edge, frame)
            window.document.set_fields(created, notes=f"note {{i}}")
            app.processEvents()
            print(created, flush=True)
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    made = []
    for line in proc.stdout:
        made.append(line.strip())
        if len(made) >= 25:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with ProjectStore.open(tmp_path / "interview.mp4.tsfproj") as store:
        saved = {e.event_id: e for e in store.events()}
    assert set(made) <= set(saved)
    assert all(saved[event_id].notes.startswith("note ") for event_id in made)
