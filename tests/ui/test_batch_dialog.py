"""The batch dialog runs the real `tsfmicro score` over a folder (motion-spotter fallback: no
checkpoint), fills its per-video table, reports a bad video, and opens a scored video in the
reviewer with its suggestions imported."""

import shutil

import pytest
from PySide6.QtCore import QSettings

from app.core.events_csv import read_events_csv
from app.resources import demo_video_path
from app.ui.main_window import ReviewerWindow

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_batch_dialog_scores_a_folder_and_opens_a_result(qtbot, tmp_path, fake_face_tracker):
    videos = tmp_path / "interviews"
    videos.mkdir()
    shutil.copy(demo_video_path(), videos / "p01.mp4")
    (videos / "broken.mp4").write_bytes(b"not a video at all" * 100)
    window = ReviewerWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                            face_pipeline=fake_face_tracker)
    qtbot.addWidget(window)
    window.show()
    dialog = window.show_batch_dialog()
    dialog.input_edit.setText(str(videos))
    dialog.out_edit.setText(str(tmp_path / "scores"))
    with qtbot.waitSignal(dialog.runFinished, timeout=240000) as finished:
        assert dialog.start()
        assert dialog.table.rowCount() == 2 and dialog.table.item(0, 1).text() == "queued"
    assert finished.args == [1]  # one video failed, the other was scored
    statuses = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(2)}
    assert statuses == {"broken.mp4": "error", "p01.mp4": "ok"}
    broken_row = [r for r in range(2) if dialog.table.item(r, 0).text() == "broken.mp4"][0]
    assert dialog.table.item(broken_row, 5).text().strip()  # the reason is shown
    ok_row = 1 - broken_row
    events_csv = tmp_path / "scores" / "p01" / "events.csv"
    expected = read_events_csv(events_csv, check_videos=False).accepted
    dialog.table.cellDoubleClicked.emit(ok_row, 0)
    qtbot.waitUntil(lambda: window.document is not None, timeout=60000)
    assert window.store.video["path"].endswith("p01.mp4")
    got = [(e.onset_frame, e.offset_frame, e.source, e.status) for e in window.document.events()]
    assert got == [(e.onset_frame, e.offset_frame, "model", "suggested") for e in expected]
