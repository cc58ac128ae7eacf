"""Damaged frames, faceless input and invalid input."""

from __future__ import annotations

import numpy as np
import pytest

from app.face import AlignConfig, FaceConfig, FacePipeline, LandmarkModel
from face_testkit import CountingDetector


@pytest.mark.realdata
def test_damaged_frames_are_not_found_and_the_run_continues(make_pipeline, carphone_frames):
    damaged = {0, 10, 11, 50, 119}
    frames = [(i, None if i in damaged else f) for i, f in carphone_frames]
    results = list(make_pipeline(FaceConfig(), fps=29.97).run(frames))
    assert [r.index for r in results] == list(range(120))
    for r in results:
        if r.index in damaged:
            assert not r.found and not r.ok and r.crop is None and r.box is None
    assert sum(r.found for r in results) >= 0.95 * (120 - len(damaged))
    assert np.isnan(results[12].jitter_px)  # no jitter across a gap


def test_blank_frames_give_no_face_and_are_scanned_sparsely(make_pipeline, hog):
    counting = CountingDetector(hog)
    frames = [(i, np.full((144, 176, 3), 128, np.uint8)) for i in range(20)]
    results = list(make_pipeline(FaceConfig(), detector=counting).run(frames))
    assert len(results) == 20
    assert not any(r.found or r.ok for r in results)
    # with no face held, a full-frame scan runs on every 5th frame only (frames 0, 5, 10, 15)
    assert [r.index for r in results if r.detected] == [0, 5, 10, 15]
    assert counting.calls == 4


@pytest.mark.realdata
def test_face_reacquired_within_search_interval_after_a_faceless_stretch(make_pipeline, hog, astronaut):
    blank = np.full(astronaut.shape, 90, np.uint8)
    frames = [(i, blank if 3 <= i < 15 else astronaut) for i in range(25)]
    results = list(make_pipeline(FaceConfig(), detector=CountingDetector(hog)).run(frames))
    assert all(r.found for r in results[:3]) and not any(r.found for r in results[3:15])
    first_back = next(r.index for r in results[15:] if r.found)
    assert first_back - 15 < FaceConfig().detect.search_every
    assert all(r.found for r in results if r.index >= first_back)


@pytest.mark.parametrize(
    "frame, message",
    [
        (np.zeros((64, 64, 3), np.float32), "uint8"),
        (np.zeros((64, 64), np.uint8), "shape"),
        (np.zeros((64, 64, 4), np.uint8), "shape"),
        ("not a frame", "numpy array"),
    ],
)
def test_bad_frames_raise_value_error(make_pipeline, frame, message):
    with pytest.raises(ValueError, match=message):
        list(make_pipeline(FaceConfig()).run([(0, frame)]))


def test_indices_must_be_increasing_ints(make_pipeline):
    frame = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match="increase"):
        list(make_pipeline(FaceConfig()).run([(3, frame), (3, frame)]))
    with pytest.raises(ValueError, match="int"):
        list(make_pipeline(FaceConfig()).run([(0.5, frame)]))


def test_bad_pipeline_arguments(landmarks68):
    with pytest.raises(ValueError, match="fps"):
        FacePipeline(FaceConfig(), fps=0)
    with pytest.raises(ValueError, match="config"):
        FacePipeline("hog")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="5"):
        FacePipeline(FaceConfig(align=AlignConfig(landmarks="5")), landmark_model=landmarks68)
    with pytest.raises(ValueError):
        LandmarkModel("81")


@pytest.mark.realdata
def test_five_point_landmarks_and_custom_crop_size(hog, carphone_frames):
    config = FaceConfig(align=AlignConfig(landmarks="5", crop_size=112))
    results = list(FacePipeline(config, 29.97, detector=hog).run(carphone_frames[:30]))
    found = [r for r in results if r.found]
    assert len(found) >= 28
    assert all(r.landmarks.shape == (5, 2) and r.crop.shape == (112, 112, 3) for r in found)


@pytest.mark.realdata
def test_make_crops_false_skips_the_warp(make_pipeline, carphone_frames):
    results = list(make_pipeline(FaceConfig(), make_crops=False).run(carphone_frames[:5]))
    assert all(r.found and r.crop is None and r.transform.shape == (2, 3) for r in results)
