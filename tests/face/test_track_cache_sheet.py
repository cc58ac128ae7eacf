"""FaceTrack .npz/CSV, the track cache through `track_video`, and the contact sheet."""

from __future__ import annotations

import csv

import cv2
import numpy as np
import pytest

from app.face import FaceConfig, FaceTrack, FaceTrackCache, contact_sheet_from_track, render_contact_sheet, track_video
from app.face.contact_sheet import sample_rows
from app.media import open_video

from face_testkit import CountingDetector, moving_astronaut

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def carphone_track(carphone_results):
    return FaceTrack.from_results(carphone_results, 29.97, FaceConfig())


def test_track_arrays(carphone_track):
    t = carphone_track
    assert t.n_frames == 120
    assert t.boxes.shape == (120, 4) and t.boxes.dtype == np.float32
    assert t.landmarks.shape == (120, 68, 2) and t.transforms.shape == (120, 2, 3)
    assert t.found.dtype == np.bool_ and t.ok.dtype == np.bool_
    assert np.all(np.isnan(t.boxes[~t.found])) and not np.any(np.isnan(t.boxes[t.found]))
    assert t.time_s[30] == pytest.approx(30 / 29.97)


def test_npz_round_trip_without_pickle(carphone_track, tmp_path):
    path = tmp_path / "track.npz"
    carphone_track.save(path)
    with np.load(path, allow_pickle=False) as data:
        assert "config_json" in data.files
    again = FaceTrack.load(path)
    assert again.config == carphone_track.config and again.fps == carphone_track.fps
    for name in ("frame_index", "boxes", "landmarks", "transforms", "found", "detected", "det_score", "track_conf", "jitter_px", "jump", "ok"):
        np.testing.assert_array_equal(getattr(again, name), getattr(carphone_track, name))


def test_load_rejects_garbage(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(ValueError, match="not a valid face track"):
        FaceTrack.load(path)
    with pytest.raises(FileNotFoundError):
        FaceTrack.load(tmp_path / "missing.npz")


def test_csv_columns(carphone_track, tmp_path):
    path = tmp_path / "track.csv"
    carphone_track.to_csv(path)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert header[:12] == ["frame", "time_s", "face_found", "bbox_x_px", "bbox_y_px", "bbox_w_px", "bbox_h_px",
                           "det_score", "track_conf", "jitter_px", "jump", "quality_ok"]
    assert header[12:16] == ["lm0_x_px", "lm0_y_px", "lm1_x_px", "lm1_y_px"] and header[-1] == "lm67_y_px"
    assert len(rows) == 121 and all(len(r) == len(header) for r in rows)
    first_found = int(np.flatnonzero(carphone_track.found)[0])
    row = rows[1 + first_found]
    assert row[2] == "1" and float(row[5]) == pytest.approx(carphone_track.boxes[first_found, 2] - carphone_track.boxes[first_found, 0], abs=1e-3)


@pytest.fixture(scope="module")
def astronaut_video(tmp_path_factory, astronaut, encode_video):
    frames, _ = moving_astronaut(astronaut, 40)
    return encode_video(tmp_path_factory.mktemp("video") / "astronaut.mp4", [f for _, f in frames], 30.0)


def test_track_video_cache_hit_and_corrupt_rebuild(astronaut_video, tmp_path, hog, landmarks68):
    counter = CountingDetector(hog)
    crops = []
    with open_video(astronaut_video) as source:
        first = track_video(source, cache=tmp_path / "cache", detector=counter, landmark_model=landmarks68,
                            on_result=lambda r: crops.append(r.crop.shape))
    assert first.n_frames == 40 and first.found.all() and first.fps == pytest.approx(30.0)
    assert counter.calls > 0 and crops == [(224, 224, 3)] * 40
    files = list((tmp_path / "cache").glob("*.npz"))
    assert len(files) == 1

    calls = counter.calls
    with open_video(astronaut_video) as source:
        cached = track_video(source, cache=FaceTrackCache(tmp_path / "cache"), detector=counter, landmark_model=landmarks68)
    assert counter.calls == calls  # nothing re-run
    np.testing.assert_array_equal(cached.transforms, first.transforms)

    files[0].write_bytes(b"garbage")
    with open_video(astronaut_video) as source:
        rebuilt = track_video(source, cache=tmp_path / "cache", detector=counter, landmark_model=landmarks68)
    assert counter.calls > calls
    np.testing.assert_array_equal(rebuilt.boxes, first.boxes)
    assert FaceTrack.load(files[0]).n_frames == 40  # the bad file was replaced


def test_cache_key_depends_on_config_and_video():
    a = FaceTrackCache.key("abc", FaceConfig())
    assert a == FaceTrackCache.key("abc", FaceConfig())
    assert a != FaceTrackCache.key("abd", FaceConfig())
    assert a != FaceTrackCache.key("abc", FaceConfig.from_json(FaceConfig().to_json().replace('"every": 15', '"every": 5')))


def test_contact_sheet_png(carphone_track, carphone_frames, tmp_path):
    path = tmp_path / "sheet.png"
    sheet = contact_sheet_from_track(path, carphone_track, lambda i: carphone_frames[i][1], count=10, columns=4)
    assert sheet.shape == (3 * 224, 4 * 224, 3)
    png = cv2.imread(str(path))
    assert png.shape == sheet.shape
    rows = sample_rows(carphone_track, 10)
    assert len(rows) == 10 and rows[0] == np.flatnonzero(carphone_track.found)[0]
    # the frame number is drawn: the label corner differs from the raw crop
    label_corner = sheet[:12, :20]
    assert label_corner.min() == 0 and label_corner.max() > 200  # white text on a black box


def test_render_contact_sheet_rejects_mixed_sizes():
    with pytest.raises(ValueError):
        render_contact_sheet([(0, np.zeros((8, 8, 3), np.uint8)), (1, np.zeros((9, 9, 3), np.uint8))])
    with pytest.raises(ValueError):
        render_contact_sheet([])
