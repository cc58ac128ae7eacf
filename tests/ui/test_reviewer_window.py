"""The reviewer window, driven for real (offscreen): open the demo video, step, play, label with
the keyboard, nudge, undo, accept, reopen; bad files give a message."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence

from app.core.project_store import ProjectStore
from app.media import open_video

pytestmark = pytest.mark.gui


def _shown_pixels(window):
    image = window.video_view.shown_pixmap().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def _open(window, qtbot, path):
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.face_track is not None, timeout=60000)


def _mark(window, qtbot, *marks):
    """Label with the keyboard: go to each frame and press its key (I onset, A apex, O offset)."""
    for frame, key in marks:
        window.show_frame(frame)
        qtbot.keyClick(window, key)


def test_open_step_and_frame_exact_display(make_window, qtbot, demo_copy):
    window = make_window()
    _open(window, qtbot, demo_copy)
    assert (demo_copy.parent / "interview.mp4.tsfproj").exists()
    assert window.face_track.found.mean() > 0.95
    window.video_view.show_box = False  # compare raw pixels
    reference = open_video(demo_copy)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_frame == 11
    assert np.array_equal(_shown_pixels(window), reference.read(11))
    window.show_frame(250)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert np.array_equal(_shown_pixels(window), reference.read(249))
    assert "frame 249 / 299" in window.video_view.position.text()


def test_play_and_pause(make_window, qtbot, demo_copy, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    window.show_frame(280)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.current_frame == 299, timeout=5000)
    qtbot.waitUntil(lambda: not window.playback.playing, timeout=2000)


def test_label_nudge_undo_accept_and_reopen(make_window, qtbot, demo_copy, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    _mark(window, qtbot, (100, Qt.Key.Key_I), (104, Qt.Key.Key_A), (110, Qt.Key.Key_O))
    events = window.document.events()
    assert [(e.onset_frame, e.apex_frame, e.offset_frame) for e in events] == [(100, 104, 110)]
    assert window.event_table_model.rowCount() == 1 and window.labeling.selected == events[0].event_id
    qtbot.keyClick(window, Qt.Key.Key_2)  # nudge the apex
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.document.events()[0].apex_frame == 107
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the merged nudges undo at once
    assert window.document.events()[0].apex_frame == 104
    window.show_frame(200)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.document.events()[0].status == "accepted"
    project = window.store.path
    window.close()
    with ProjectStore.open(project) as store:
        saved = store.events()
    assert [(e.onset_frame, e.apex_frame, e.offset_frame, e.status) for e in saved] == [(100, 104, 110, "accepted")]
    again = make_window(fake_face_tracker)
    assert again.open_path(project)
    assert again.current_frame == 200 and again.event_table_model.rowCount() == 1
    assert again.face_track is not None  # stored in the project: no second tracking run
    assert str(project) in again.recent_projects()


def test_timeline_drag_moves_the_interval_as_one_undo_step(make_window, qtbot, demo_copy, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    _mark(window, qtbot, (50, Qt.Key.Key_I), (53, Qt.Key.Key_A), (58, Qt.Key.Key_O))
    event_id = window.document.events()[0].event_id
    window.timeline.intervalEdited.emit(event_id, 60, 68)  # what a whole-interval drag ends with
    moved = window.document.event_by_id(event_id)
    assert (moved.onset_frame, moved.apex_frame, moved.offset_frame) == (60, 63, 68)
    window.document.undo_stack.undo()
    assert window.document.event_by_id(event_id).onset_frame == 50


def test_bad_file_shows_a_message_and_keeps_the_open_video(make_window, qtbot, demo_copy, tmp_path, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    window.show_frame(5)
    bogus = tmp_path / "broken.mp4"
    bogus.write_text("not a video")
    assert not window.open_path(bogus)
    assert "broken.mp4" in window.error_banner.text() and window.error_banner.isVisible()
    assert window.current_frame == 5 and window.document is not None


def test_export_and_reimport_labels_round_trip(make_window, qtbot, demo_copy, tmp_path, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    _mark(window, qtbot, (100, Qt.Key.Key_I), (104, Qt.Key.Key_A), (110, Qt.Key.Key_O),
          (200, Qt.Key.Key_I), (212, Qt.Key.Key_O))
    window.document.set_fields(window.document.events()[1].event_id, emotion="surprise", notes="=looks odd")
    out = tmp_path / "exports" / "labels.csv"
    out.parent.mkdir()
    assert window.label_files.export_labels(out)
    text = out.read_text()
    assert "../interview.mp4" in text and "'=looks odd" in text  # relative video path; formula-safe cell
    before = window.document.events()
    for event in before:
        window.document.remove_event(event.event_id)
    summary = window.label_files.import_labels(out)
    assert "2 events imported" in summary
    assert [(e.onset_frame, e.apex_frame, e.offset_frame, e.emotion, e.notes) for e in window.document.events()] == \
        [(e.onset_frame, e.apex_frame, e.offset_frame, e.emotion, e.notes) for e in before]
    assert "0 events imported, 2 already here" in window.label_files.import_labels(out)
    window.document.undo_stack.undo()  # the import is one undo step
    assert window.document.events() == []


def test_drawn_interval_creates_an_event_and_apex_drag_moves_it(make_window, qtbot, demo_copy, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    window.timeline.intervalDrawn.emit(140, 150)  # what a Shift+drag on the timeline ends with
    (event,) = window.document.events()
    assert (event.onset_frame, event.offset_frame, event.source) == (140, 150, "manual")
    assert window.labeling.selected == event.event_id
    window.timeline.apexMoved.emit(event.event_id, 148)  # the selected event's apex line dragged
    assert window.document.event_by_id(event.event_id).apex_frame == 148
    window.timeline.apexMoved.emit(event.event_id, 170)  # outside the interval: refused, unchanged
    assert window.document.event_by_id(event.event_id).apex_frame == 148 and window.error_banner.isVisible()


def test_first_open_counts_frames_in_a_worker_and_reopen_needs_no_count(make_window, qtbot, demo_copy,
                                                                        fake_face_tracker):
    window = make_window(fake_face_tracker)
    assert window.open_path(demo_copy)
    assert window.document is None and "counting the frames" in window.jobs.label.text()  # the window stays live
    qtbot.waitUntil(lambda: window.document is not None, timeout=30000)
    assert window.document.n_frames == 300
    window.close()
    again = make_window(fake_face_tracker)
    assert again.open_path(demo_copy) and again.document is not None  # project exists: opened at once


def test_suggestions_are_accepted_and_rejected_with_one_key_each(make_window, qtbot, demo_copy, fake_face_tracker):
    from app.core.events import Event

    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    suggestions = [Event(video=window.store.video["path"], subject="interview", event_id=f"model-{onset}",
                         onset_frame=onset, apex_frame=onset + 3, offset_frame=onset + 8, fps=30.0,
                         source="model", status="suggested", confidence=0.7) for onset in (40, 120, 200)]
    window.document.add_events(suggestions, "suggestions")
    window.show_frame(0)
    qtbot.keyClick(window, Qt.Key.Key_Tab)  # next suggestion: selected, and the playhead jumps to it
    assert window.labeling.selected == "model-40" and window.current_frame == 40
    qtbot.keyClick(window, Qt.Key.Key_Return)  # accept, then on to the next suggestion
    assert window.labeling.selected == "model-120" and window.current_frame == 120
    qtbot.keyClick(window, Qt.Key.Key_Backspace)  # reject
    statuses = {e.event_id: e.status for e in window.document.events()}
    assert statuses == {"model-40": "accepted", "model-120": "rejected", "model-200": "suggested"}
    window.document.undo_stack.undo()
    assert window.document.event_by_id("model-120").status == "suggested"


def test_dropping_a_file_opens_it(make_window, qtbot, demo_copy, fake_face_tracker):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window(fake_face_tracker)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(demo_copy))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.document is not None, timeout=30000)
    assert window.document.n_frames == 300


def test_edit_menu_undo_and_redo_name_the_step_and_grey_out(make_window, qtbot, demo_copy, fake_face_tracker):
    window = make_window(fake_face_tracker)
    undo, redo = window.menus.undo_action, window.menus.redo_action
    assert undo in window.menuBar().actions()[1].menu().actions()  # the Edit menu's own items
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert redo.shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)
    assert not undo.isEnabled() and not redo.isEnabled()  # nothing open
    _open(window, qtbot, demo_copy)
    assert not undo.isEnabled() and not redo.isEnabled()  # an empty undo stack
    _mark(window, qtbot, (100, Qt.Key.Key_I), (110, Qt.Key.Key_O))
    event_id = window.document.events()[0].event_id
    assert undo.isEnabled() and undo.text().replace("&", "") == f"Undo add event {event_id}"
    assert not redo.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.events() == []
    assert not undo.isEnabled() and redo.isEnabled() and redo.text().replace("&", "") == f"Redo add event {event_id}"
    redo.trigger()
    assert [e.event_id for e in window.document.events()] == [event_id] and undo.isEnabled()
