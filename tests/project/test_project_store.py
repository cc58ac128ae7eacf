"""Project files: write-through, crash-safe, and careful about what they open (real SQLite files)."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from app.core.events import Event
from app.core.project_store import SCHEMA_VERSION, ProjectError, ProjectStore


def _event(i, **changes):
    base = Event(video="interview.mp4", subject="s01", event_id=f"e{i}", onset_frame=10 * i,
                 apex_frame=10 * i + 3, offset_frame=10 * i + 7, fps=30.0, emotion="happiness",
                 action_units="6+12", annotator="ana", notes="=SUM(A1)" if i == 2 else "")
    return Event(**{**base.__dict__, **changes})


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "interview.mp4"
    path.write_bytes(b"pretend video")
    return path


def test_round_trip_of_everything_a_project_holds(tmp_path, video):
    path = tmp_path / "p.tsfproj"
    with ProjectStore.create(path, video, "abc123", fps=30.0, n_frames=100) as store:
        for i in range(3):
            store.add_event(_event(i))
        store.replace_event(_event(1, apex_frame=14, status="accepted", extra={"source_frame": 57}))
        store.remove_event("e0")
        store.add_event(_event(0), position=0)
        store.put_curve_chunk("probs", 0, np.full((40, 4), 0.25, np.float32))
        store.put_curve_chunk("probs", 40, np.full((30, 4), 0.5, np.float32))
        store.put_curve_chunk("motion", 0, np.arange(100, dtype=np.float32))
        store.put_face_track(b"npz bytes")
        store.set_provenance({"checkpoint_sha256": "ff00", "class_names": ["happiness", "others"]})
        store.set_view_state(current_frame=57)
    with ProjectStore.open(path) as store:
        assert [e.event_id for e in store.events()] == ["e0", "e1", "e2"]
        assert store.event("e1").apex_frame == 14 and store.event("e1").extra == {"source_frame": 57}
        assert store.event("e2").notes == "=SUM(A1)"
        probs = store.curve("probs")
        assert probs.shape == (100, 4) and np.all(probs[:40] == 0.25) and np.all(probs[40:70] == 0.5)
        assert np.isnan(probs[70:]).all()
        assert np.array_equal(store.curve("motion"), np.arange(100, dtype=np.float32))
        assert store.face_track_bytes() == b"npz bytes"
        assert store.provenance()["class_names"] == ["happiness", "others"]
        assert store.view_state() == {"current_frame": 57}
        log = store.edit_log()
        assert [entry["action"] for entry in log] == ["add", "add", "add", "edit", "remove", "add"]
        assert log[3]["before"].apex_frame == 13 and log[3]["after"].apex_frame == 14
        assert store.meta()["schema_version"] == str(SCHEMA_VERSION)


def test_create_refuses_to_overwrite(tmp_path, video):
    path = tmp_path / "p.tsfproj"
    path.write_bytes(b"somebody's file")
    with pytest.raises(ProjectError, match="exists already"):
        ProjectStore.create(path, video, "h", 30.0, 10)
    assert path.read_bytes() == b"somebody's file"


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"col1,col2\n1,2\n", "not a readable project"),
], ids=["zero-bytes", "csv"])
def test_non_projects_are_refused_and_untouched(tmp_path, content, reason):
    path = tmp_path / "x.tsfproj"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=reason) as err:
        ProjectStore.open(path)
    assert "x.tsfproj" in str(err.value)
    assert path.read_bytes() == content


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a TSFmicro Studio project"):
        ProjectStore.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused_and_untouched(tmp_path, video):
    path = tmp_path / "future.tsfproj"
    ProjectStore.create(path, video, "h", 30.0, 10).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="newer TSFmicro Studio"):
        ProjectStore.open(path)
    assert path.read_bytes() == before


def test_damaged_file_is_refused_and_untouched(tmp_path, video):
    path = tmp_path / "damaged.tsfproj"
    with ProjectStore.create(path, video, "h", 30.0, 10) as store:
        for i in range(200):
            store.add_event(_event(i, notes="x" * 200))
    data = bytearray(path.read_bytes())
    data[5000:9000] = b"\xff" * 4000  # scribble over b-tree pages
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError) as err:
        ProjectStore.open(path)
    assert "damaged.tsfproj" in str(err.value)
    assert path.read_bytes() == bytes(data)


def test_moved_video_is_detected_and_relinked_only_to_the_same_content(tmp_path, video):
    path = tmp_path / "p.tsfproj"
    ProjectStore.create(path, video, "hash-of-interview", 30.0, 10).close()
    moved = tmp_path / "archive" / "interview.mp4"
    moved.parent.mkdir()
    video.rename(moved)
    with ProjectStore.open(path) as store:
        assert store.video_is_missing()
        with pytest.raises(ProjectError, match="not the video this project was made for"):
            store.relink_video(moved, "another-hash")
        store.relink_video(moved, "hash-of-interview")
    with ProjectStore.open(path) as store:
        assert not store.video_is_missing() and store.video["path"] == str(moved.resolve())


def test_a_failed_write_keeps_the_last_saved_state(tmp_path, video):
    path = tmp_path / "p.tsfproj"
    with ProjectStore.create(path, video, "h", 30.0, 10) as store:
        store.add_event(_event(1))
        with pytest.raises(ProjectError, match="could not save"):
            store.add_event(_event(1))  # duplicate id: the whole transaction is rolled back
        assert [e.event_id for e in store.events()] == ["e1"]
        assert len(store.edit_log()) == 1


def test_kill_9_mid_edit_loses_nothing_that_was_saved(tmp_path, video):
    """A separate process adds events one transaction at a time and reports each commit; it is
    killed with SIGKILL mid-stream. Every event it reported as saved must be in the file."""
    path = tmp_path / "p.tsfproj"
    ProjectStore.create(path, video, "h", 30.0, 100000).close()
    script = textwrap.dedent(f"""
        import sys
        from app.core.events import Event
        from app.core.project_store import ProjectStore
        store = ProjectStore.open({str(path)!r})
        i = 0
        while True:
            store.add_event(Event(video="v", subject="s", event_id=f"e{{i}}", onset_frame=i, apex_frame=i,
                                  offset_frame=i, fps=30.0))
            store.set_view_state(current_frame=i)
            print(i, flush=True)
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    saved = -1
    for line in proc.stdout:
        saved = int(line)
        if saved >= 40:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with ProjectStore.open(path) as store:
        ids = {e.event_id for e in store.events()}
        assert {f"e{i}" for i in range(saved + 1)} <= ids
        assert store.view_state()["current_frame"] >= saved
