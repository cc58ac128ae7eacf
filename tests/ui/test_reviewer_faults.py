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


def _opened(make_window, qtbot, path, face_pipeline=None):
    window = make_window(face_pipeline)
    assert window.open_path(path)
    # open, and its frame count's job ended (the document can arrive a moment before the job's thread is done)
    qtbot.waitUntil(lambda: window.document is not None and not window.opener.counting, timeout=30000)
    return window


def _label(window, event_id="mine", onset=100, emotion="surprise"):
    window.document.add_event(Event(video=window.store.video["path"], subject="interview", event_id=event_id,
                                    onset_frame=onset, apex_frame=onset + 3, offset_frame=onset + 8, fps=30.0,
                                    emotion=emotion))


def _saved_ids(project):
    with ProjectStore.open(project) as store:
        return {e.event_id for e in store.events()}


# -- closing the window while work runs --------------------------------------------------------------
# Each starter starts one job of the open project's window and returns (job name, its QThread or QProcess).

def _start_face_tracking(window, tmp_path, tiny_checkpoint):
    assert window.face_tracking.running  # the real tracker: still at it
    return "face tracking", window.jobs.thread("face tracking")


def _start_spotter(window, tmp_path, tiny_checkpoint):
    assert window.model_actions.run_motion_spotter()
    return "spotter", window.jobs.thread("spotter")


def _start_flow_spotter(window, tmp_path, tiny_checkpoint):
    assert window.model_actions.run_motion_spotter("flow")
    return "spotter", window.jobs.thread("spotter")


def _start_analysis(window, tmp_path, tiny_checkpoint):
    assert window.model_actions.analyse(str(tiny_checkpoint), mode="full")
    return "analysis", window.jobs.thread("analysis")


def _start_training(window, tmp_path, tiny_checkpoint):
    _label(window, "other", 200, "happiness")
    assert window.model_actions.train_on_labels(TrainingRequest(model="tsfmicro_tiny", epochs=1, device="cpu"))
    return "training", window.jobs.process("training")


def _start_batch(window, tmp_path, tiny_checkpoint):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(demo_video_path(), folder / "p01.mp4")
    dialog = window.show_batch_dialog()
    dialog.input_edit.setText(str(folder))
    dialog.out_edit.setText(str(tmp_path / "scores"))
    assert dialog.start()
    return "batch", window.jobs.process("batch")


def _start_counting_another_video(window, tmp_path, tiny_checkpoint):
    """A second, new video opened while the project is open: its frames are counted first."""
    other = tmp_path / "other.mp4"
    shutil.copy(demo_video_path(), other)
    assert window.open_path(other) and window.opener.counting
    return "frame count", window.jobs.thread("frame count")


STARTERS = [_start_face_tracking, _start_spotter, _start_flow_spotter, _start_analysis, _start_training,
            _start_batch, _start_counting_another_video]


def _stopped(job) -> bool:
    if isinstance(job, QProcess):
        return job.state() == QProcess.ProcessState.NotRunning
    return job.isFinished()


@pytest.mark.parametrize("start", STARTERS, ids=lambda f: f.__name__[7:])
def test_closing_during_a_job_stops_and_waits_for_it(make_window, qtbot, demo_copy, tmp_path, tiny_checkpoint, start,
                                                    fake_face_tracker):
    tracker = None if start is _start_face_tracking else fake_face_tracker  # the real one tracks long enough
    window = _opened(make_window, qtbot, demo_copy, tracker)
    _label(window)
    project = window.store.path
    if tracker is not None:
        qtbot.waitUntil(lambda: not window.face_tracking.running, timeout=30000)
    name, job = start(window, tmp_path, tiny_checkpoint)
    assert window.jobs.running(name)
    window.close()
    assert _stopped(job)
    assert window.jobs.names() == [] and not window.jobs.progress.isVisible() and window.jobs.label.text() == ""
    assert window.opener.pending is None and window.document is None
    assert "mine" in _saved_ids(project)


def test_closing_during_every_job_at_once_stops_them_all(make_window, qtbot, demo_copy, tmp_path, tiny_checkpoint):
    window = _opened(make_window, qtbot, demo_copy)  # the real tracker: still tracking when the window closes
    _label(window)
    project = window.store.path
    jobs = [start(window, tmp_path, tiny_checkpoint) for start in STARTERS
            if start is not _start_flow_spotter]  # one spotter at a time
    assert sorted(window.jobs.names()) == sorted(name for name, _ in jobs)
    window.close()
    assert all(_stopped(job) for _, job in jobs)
    assert window.jobs.names() == [] and window.opener.pending is None
    assert "mine" in _saved_ids(project)


def test_closing_while_frames_are_counted_stops_the_count(make_window, qtbot, demo_copy, fake_face_tracker):
    window = make_window(fake_face_tracker)
    assert window.open_path(demo_copy) and window.opener.counting
    thread = window.jobs.thread("frame count")
    window.close()
    assert thread.isFinished() and not window.opener.counting and window.opener.pending is None
    assert window.document is None and window.jobs.names() == []


# -- the video, the folder, the disk ------------------------------------------------------------------

@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_the_video_moved_or_deleted_while_open_gives_a_message_and_keeps_the_labels(make_window, qtbot, demo_copy,
                                                                                   how, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
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
                                                                               read_only, tmp_path, fake_face_tracker):
    read_only.append(demo_copy.parent.resolve())
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    assert (tmp_path / "user-data" / "projects") in window.store.path.parents
    _label(window)
    assert not list(demo_copy.parent.glob("*.tsfproj"))
    assert "mine" in _saved_ids(window.store.path)


def test_a_project_whose_folder_became_read_only_is_copied_and_nothing_is_lost(make_window, qtbot, demo_copy,
                                                                             read_only, tmp_path, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _label(window)
    original = window.store.path
    window.close()
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    read_only.append(demo_copy.parent.resolve())
    again = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
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


def test_a_full_disk_while_saving_an_edit_refuses_it_with_a_message(make_window, qtbot, demo_copy, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
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
                                                            export, fake_face_tracker):
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
    _label(window)
    target = tmp_path / f"out.{'html' if export == 'report' else 'csv'}"
    files, reports = window.label_files, window.report_actions
    write = {"labels": files.export_labels, "curves": files.export_curves, "report": reports.export_report}
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


def test_a_label_file_dropped_onto_the_window_is_imported_as_one_undo_step(make_window, qtbot, demo_copy, tmp_path,
                                                                           fake_face_tracker):
    window = make_window(fake_face_tracker)
    labels = tmp_path / "rater.csv"
    _drop(window, labels)  # nothing open yet: a message, no crash
    assert "rater.csv" in window.error_banner.text()
    window = _opened(make_window, qtbot, demo_copy, fake_face_tracker)
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
