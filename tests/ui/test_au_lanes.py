"""AU lanes in the reviewer window (offscreen, a real window): py-feat's and OpenFace's real export
files become one lane per AU on the video's frames, the matching is shown, the lanes follow the
timeline and come back with the project; a bad file gives a message and changes nothing."""

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from app.core.au_tracks import read_au_track
from app.ui.au_import import AuColumnsDialog

pytestmark = pytest.mark.gui

SPEC = importlib.util.find_spec("feat")
DATA = Path(SPEC.origin).parent / "tests" / "data" if SPEC else None
needs_feat = pytest.mark.skipif(DATA is None or not (DATA / "Feat_Test.csv").is_file(),
                                reason="py-feat's test files are not installed")


def _open(window, qtbot, path):
    assert window.open_path(path)
    qtbot.waitUntil(lambda: window.face_track is not None, timeout=60000)


@pytest.fixture
def accept_dialog(monkeypatch):
    """The column dialog, accepted with what it offers (its default choice)."""
    monkeypatch.setattr(AuColumnsDialog, "exec", lambda self: QDialog.DialogCode.Accepted)


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, title, text: shown.append((title, text))))
    return shown


def _timestamp_frames(path, fps):
    """Video frames the OpenFace rows fall on, read from the CSV itself: round(timestamp * fps)."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    column = [h.strip() for h in rows[0]].index("timestamp")
    return {math.floor(float(row[column]) * fps + 0.5) for row in rows[1:] if row}


@needs_feat
def test_column_dialog_defaults_to_intensities(qtbot):
    track = read_au_track(DATA / "OpenFace_Test.csv")
    dialog = AuColumnsDialog(track)
    qtbot.addWidget(dialog)
    assert dialog.columns() == [c for c in track.au_columns if c.endswith("_r")] and len(dialog.columns()) == 17
    dialog.check(set(track.au_columns))
    assert len(dialog.columns()) == 35
    dialog.check(set())
    assert dialog.columns() == []
    feat = read_au_track(DATA / "Feat_Test.csv")
    assert AuColumnsDialog(feat).columns() == feat.au_columns  # one value per AU: all of them


@needs_feat
def test_feat_and_openface_exports_become_lanes(make_window, qtbot, demo_copy, accept_dialog, warnings,
                                                fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    n, fps = window.document.n_frames, window.document.fps
    lanes = window.review_tools.au_lanes

    assert window.review_tools.au.import_track(str(DATA / "Feat_Test.csv"))
    assert lanes.isVisible() and lanes.lane_names() == read_au_track(DATA / "Feat_Test.csv").au_columns
    for name in lanes.lane_names():
        values = lanes.lane_values(name)
        assert len(values) == n and np.isfinite(values).sum() == 1 and np.isfinite(values[0])  # one frame, frame 0
    assert "Feat_Test.csv (py-feat), 20 lanes, matched by frame index" in window.review_tools.au_status.text()

    assert window.review_tools.au.import_track(str(DATA / "OpenFace_Test.csv"))
    names = lanes.lane_names()
    assert len(names) == 17 and all(name.endswith("_r") for name in names)
    expected = len(_timestamp_frames(DATA / "OpenFace_Test.csv", fps))
    assert all(np.isfinite(lanes.lane_values(name)).sum() == expected for name in names)
    status = window.review_tools.au_status.text()
    assert "matched by timestamp" in status and "offset" in status and "video has 300" in status
    assert not any(name.startswith("au:AU01") and name != "au:AU01_r" for name in window.store.curve_names())
    assert warnings == []

    plot = lanes.lane_plot("AU12_r")
    assert plot.getViewBox().linkedView(0) is window.timeline.detail.vb  # follows zoom and scroll
    window.timeline.detail.setXRange(100, 200, padding=0)
    qtbot.waitUntil(lambda: abs(plot.viewRange()[0][0] - 100) < 5)
    window.show_frame(150)
    assert lanes._lanes["AU12_r"][2].value() == 150.5  # the lane's playhead


@needs_feat
def test_lanes_are_stored_with_the_project(make_window, qtbot, demo_copy, accept_dialog, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    assert window.review_tools.au.import_track(str(DATA / "OpenFace_Test.csv"), columns=["AU12_r", "AU06_r"])
    before = {name: window.review_tools.au_lanes.lane_values(name).copy() for name in ("AU12_r", "AU06_r")}
    window.close()
    again = make_window(fake_face_tracker)
    _open(again, qtbot, demo_copy)
    assert again.review_tools.au_lanes.lane_names() == ["AU12_r", "AU06_r"]
    for name, values in before.items():
        assert np.array_equal(again.review_tools.au_lanes.lane_values(name), values, equal_nan=True)
    assert "OpenFace_Test.csv (OpenFace 2.x), 2 lanes" in again.review_tools.au_status.text()


def test_a_bad_au_file_gives_a_message_and_changes_nothing(make_window, qtbot, demo_copy, tmp_path, warnings,
                                                           accept_dialog, fake_face_tracker):
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    good = tmp_path / "openface.csv"  # an OpenFace 2.x export in miniature: one row per video frame
    good.write_text("frame, timestamp, success, AU12_r, AU12_c\n"
                    + "".join(f"{i + 1}, {i / 30:.3f}, 1, {i % 5}, 0\n" for i in range(300)))
    assert window.review_tools.au.import_track(str(good))
    assert np.isfinite(window.review_tools.au_lanes.lane_values("AU12_r")).sum() == 300
    assert "matched by frame index" in window.review_tools.au_status.text()
    lanes, status = window.review_tools.au_lanes.lane_names(), window.review_tools.au_status.text()
    curves, events = window.store.curve_names(), window.document.events()
    bad = tmp_path / "labels.csv"
    bad.write_text("video,subject\nx,y\n")
    assert not window.review_tools.au.import_track(str(bad))
    (title, text), = warnings
    assert "labels.csv" in text and "not an AU export" in text
    assert window.review_tools.au.import_track(str(tmp_path / "missing.csv")) is False
    assert "missing.csv" in warnings[-1][1] and "not found" in warnings[-1][1]
    assert window.review_tools.au_lanes.lane_names() == lanes and window.review_tools.au_status.text() == status
    assert window.store.curve_names() == curves and window.document.events() == events


@needs_feat
@pytest.mark.parametrize("name", ["iMotions_Test_v5.txt", "iMotions_Test_v6.txt"])
def test_imotions_exports_become_lanes(make_window, qtbot, demo_copy, accept_dialog, warnings, name, fake_face_tracker):
    """py-feat's two real iMotions exports (v5 and v6 layouts): their AU columns become lanes with values."""
    window = make_window(fake_face_tracker)
    _open(window, qtbot, demo_copy)
    track = read_au_track(DATA / name)
    assert window.review_tools.au.import_track(str(DATA / name))
    lanes = window.review_tools.au_lanes
    assert lanes.lane_names() == AuColumnsDialog(track).columns() and len(lanes.lane_names()) >= 10
    assert all(np.isfinite(lanes.lane_values(n)).any() for n in lanes.lane_names())
    status = window.review_tools.au_status.text()
    assert name in status and "iMotions" in status and warnings == []
