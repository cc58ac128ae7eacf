"""Faults the reviewer survives, each with a message naming the file and nothing lost: closing the
window while each background job runs, the video deleted or moved while open, a read-only project
folder, a full disk while saving or exporting, and a label file dropped onto the window."""

import errno
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QProcess, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.core.events import Event
from app.core.project_store import ProjectStore
from app.resources import demo_video_path
from app.ui.training_job import TrainingRequest

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_copy(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    path = folder / "interview.mp4"
    shutil.copy(demo_video_path(), path)
    return path


def _opened(make_window, qtbot, path):
    window = make_window()
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.document is not None, timeout=30000)
    return window


def _label(window, event_id="mine", onset=100, emotion="surprise"):
    window.document.add_event(Event(video=window.store.video["path"], subject="interview", event_id=event_id,
                                    onset_frame=onset, apex_frame=onset + 3, offset_frame=onset + 8, fps=30.0,
                                    emotion=emotion))


def _saved_ids(project):
    with ProjectStore.open(project) as store:
        return {e.event_id for e in store.events()}


# -- closing the window while work runs --------------------------------------------------------------

def _start_face_tracking(window, qtbot, tmp_path, tiny_checkpoint):
    assert window.face_tracking.running
    return window.jobs.thread("face tracking")


def _start_spotter(window, qtbot, tmp_path, tiny_checkpoint):
    window.face_tracking.cancel()
    assert window.model_actions.run_motion_spotter()
    return window.jobs.thread("spotter")


def _start_analysis(window, qtbot, tmp_path, tiny_checkpoint):
    window.face_tracking.cancel()
    assert window.model_actions.analyse(str(tiny_checkpoint), mode="full")
    return window.jobs.thread("analysis")


def _start_training(window, qtbot, tmp_path, tiny_checkpoint):
    window.face_tracking.cancel()
    _label(window, "other", 200, "happiness")
    assert window.model_actions.train_on_labels(TrainingRequest(model="tsfmicro_tiny", epochs=1, device="cpu"))
    return window.jobs.process("training")


def _start_batch(window, qtbot, tmp_path, tiny_checkpoint):
    window.face_tracking.cancel()
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(demo_video_path(), folder / "p01.mp4")
    dialog = window.show_batch_dialog()
    dialog.input_edit.setText(str(folder))
    dialog.out_edit.setText(str(tmp_path / "scores"))
    assert dialog.start()
    return window.jobs.process("batch")


@pytest.mark.parametrize("start", [_start_face_tracking, _start_spotter, _start_analysis, _start_training,
                                   _start_batch], ids=lambda f: f.__name__[7:])
def test_closing_during_a_job_stops_and_waits_for_it(make_window, qtbot, demo_copy, tmp_path, tiny_checkpoint, start):
    window = _opened(make_window, qtbot, demo_copy)
    _label(window)
    project = window.store.path
    job = start(window, qtbot, tmp_path, tiny_checkpoint)
    window.close()
    if isinstance(job, QProcess):
        assert job.state() == QProcess.ProcessState.NotRunning
    else:
        assert job.isFinished()
    assert "mine" in _saved_ids(project)


def test_closing_while_frames_are_counted_stops_the_count(make_window, qtbot, demo_copy):
    window = make_window()
    assert window.open_path(demo_copy) and window.opener.counting
    thread = window.jobs.thread("frame count")
    window.close()
    assert thread.isFinished() and not window.opener.counting and window.opener.pending is None


# -- the video, the folder, the disk ------------------------------------------------------------------

@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_the_video_moved_or_deleted_while_open_gives_a_message_and_keeps_the_labels(make_window, qtbot, demo_copy,
                                                                                   how):
    window = _opened(make_window, qtbot, demo_copy)
    _label(window)
    if how == "moved":
        demo_copy.rename(demo_copy.with_name("moved.mp4"))
    else:
        demo_copy.unlink()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=10000)
    assert str(demo_copy) in window.error_banner.text() and "moved or deleted" in window.error_banner.text()
    assert "mine" in {e.event_id for e in window.document.events()}
    _label(window, "after", 150)  # labelling goes on
    assert {"mine", "after"} <= _saved_ids(window.store.path)


@pytest.fixture
def read_only(monkeypatch):
    """Folders to treat as read-only (tests may run as root, for whom permissions do not hold)."""
    folders: list[Path] = []
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        path = Path(path).resolve()
        if mode & os.W_OK and any(path == f or f in path.parents for f in folders):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return folders


def test_a_video_in_a_read_only_folder_keeps_its_project_in_the_user_data_folder(make_window, qtbot, demo_copy,
                                                                               read_only, tmp_path):
    read_only.append(demo_copy.parent.resolve())
    window = _opened(make_window, qtbot, demo_copy)
    assert (tmp_path / "user-data" / "projects") in window.store.path.parents
    _label(window)
    assert not list(demo_copy.parent.glob("*.tsfproj"))
    assert "mine" in _saved_ids(window.store.path)


def test_a_project_whose_folder_became_read_only_is_copied_and_nothing_is_lost(make_window, qtbot, demo_copy,
                                                                             read_only, tmp_path):
    window = _opened(make_window, qtbot, demo_copy)
    _label(window)
    original = window.store.path
    window.close()
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    read_only.append(demo_copy.parent.resolve())
    again = _opened(make_window, qtbot, demo_copy)
    assert (tmp_path / "user-data" / "projects") in again.store.path.parents
    assert str(original) in again.error_banner.text() and "read-only" in again.error_banner.text()
    assert "mine" in {e.event_id for e in again.document.events()}
    _label(again, "new", 150)
    assert {"mine", "new"} <= _saved_ids(again.store.path)
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before


class _FullDisk:
    """The project's SQLite connection on a full disk: every write fails as SQLite reports ENOSPC."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, *args):
        if sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise sqlite3.OperationalError(f"database or disk is full ({os.strerror(errno.ENOSPC)})")
        return self._conn.execute(sql, *args)

    def __enter__(self):
        return self._conn.__enter__()

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_full_disk_while_saving_an_edit_refuses_it_with_a_message(make_window, qtbot, demo_copy):
    window = _opened(make_window, qtbot, demo_copy)
    _label(window)
    steps = window.document.undo_stack.count()
    real = window.store._conn
    window.store._conn = _FullDisk(real)
    window.show_frame(200)
    for key, frame in ((Qt.Key.Key_I, 200), (Qt.Key.Key_O, 208)):
        window.show_frame(frame)
        qtbot.keyClick(window, key)
    assert window.store.path.name in window.error_banner.text() and "not applied" in window.error_banner.text()
    assert [e.event_id for e in window.document.events()] == ["mine"]  # what is shown is what is saved
    assert window.document.undo_stack.count() == steps
    window.store._conn = real  # space freed: the same edit now works, and the earlier label is intact
    created = window.labeling.create(200, 208)
    assert created is not None and _saved_ids(window.store.path) == {"mine", created}


@pytest.mark.parametrize("export", ["labels", "curves", "report"])
def test_a_full_disk_while_exporting_keeps_the_previous_file(make_window, qtbot, demo_copy, tmp_path, monkeypatch,
                                                            export):
    window = _opened(make_window, qtbot, demo_copy)
    _label(window)
    target = tmp_path / f"out.{'html' if export == 'report' else 'csv'}"
    files = window.label_files
    write = {"labels": files.export_labels, "curves": files.export_curves, "report": window.report_actions.export_report}
    assert write[export](target)
    previous = target.read_bytes()

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("app.core.atomic.os.fsync", full)
    assert not write[export](target)
    assert str(target) in window.error_banner.text() and "previous file is unchanged" in window.error_banner.text()
    assert target.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def _drop(window, *paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))


def test_a_label_file_dropped_onto_the_window_is_imported_as_one_undo_step(make_window, qtbot, demo_copy, tmp_path):
    window = make_window()
    labels = tmp_path / "rater.csv"
    _drop(window, labels)  # nothing open yet: a message, no crash
    assert "rater.csv" in window.error_banner.text()
    window = _opened(make_window, qtbot, demo_copy)
    _label(window, "a", 100)
    _label(window, "b", 200, "happiness")
    assert window.label_files.export_labels(labels)
    for event_id in ("a", "b"):
        window.document.remove_event(event_id)
    steps = window.document.undo_stack.count()
    _drop(window, labels)
    assert sorted(e.onset_frame for e in window.document.events()) == [100, 200]
    assert window.document.undo_stack.count() == steps + 1
    window.document.undo_stack.undo()
    assert window.document.events() == []
