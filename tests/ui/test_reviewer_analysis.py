"""Analysis from the reviewer window: a worker thread streams curves into the timeline and the
project, the device shows in the status bar, labels are kept, cancel stops a run, and a reopened
project shows its curves again. (Tiny model with random weights: code paths, not accuracy.)"""

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from app.core.events import Event
from app.resources import demo_video_path
from app.ui.main_window import ReviewerWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    video = tmp_path / "interview.mp4"
    shutil.copy(demo_video_path(), video)
    win = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    assert win.open_path(video)
    qtbot.waitUntil(lambda: win.face_track is not None, timeout=60000)
    return win


def test_analysis_fills_curves_keeps_labels_and_is_stored(window, qtbot, tiny_checkpoint, tmp_path):
    manual = Event(video=window.store.video["path"], subject="interview", event_id="mine", onset_frame=10,
                   apex_frame=12, offset_frame=15, fps=30.0, emotion="surprise")
    window.document.add_event(manual)
    with qtbot.waitSignal(window.analysis.runEnded, timeout=180000) as ended:
        assert window.analyse(str(tiny_checkpoint), mode="fast")
        assert window.progress.isVisible()
    assert ended.args[0] == "finished", ended.args
    assert "model on cpu" in window.device_label.text() and "random weights" in window.device_label.text()
    assert set(window.timeline.curve_names()) >= {"p_onset", "p_apex", "p_offset"}
    stored = window.store.curve("p_apex")
    assert stored.shape == (300,) and np.isfinite(stored).mean() > 0.8
    analysed = window.store.curve("analysed")
    assert 0 < np.nansum(analysed) < 300  # the fast mode marks what the model saw
    assert window.document.event_by_id("mine") == manual  # re-analysis keeps labels
    assert all(e.source == "model" and e.status == "suggested" for e in window.document.events() if e.event_id != "mine")
    assert window.store.provenance()["analysis"]["checkpoint"] == str(tiny_checkpoint)
    project = window.store.path
    window.close()
    again = ReviewerWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.open_path(project)
    assert "p_apex" in again.timeline.curve_names()


def test_cancel_stops_the_run(window, qtbot, tiny_checkpoint):
    with qtbot.waitSignal(window.analysis.runEnded, timeout=60000) as ended:
        window.analyse(str(tiny_checkpoint), mode="full")
        window.analysis.cancel()
    assert ended.args[0] == "cancelled"
    assert not window.progress.isVisible()


def test_bad_checkpoint_is_reported_in_the_window(window, qtbot, tmp_path):
    bogus = tmp_path / "model.pt"
    bogus.write_bytes(b"not a checkpoint")
    with qtbot.waitSignal(window.analysis.runEnded, timeout=60000) as ended:
        window.analyse(str(bogus))
    assert ended.args[0] == "failed"
    assert "model.pt" in window.error_banner.text() and window.error_banner.isVisible()
