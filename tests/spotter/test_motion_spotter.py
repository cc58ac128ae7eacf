"""The training-free (flow) motion spotter on real decoded video with rendered motion (see kit.py, conftest.py); the
learned spotter, the default, is tested in test_learned_spotter.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.analysis.evaluate import interval_iou
from app.analysis.motion_spotter import MotionConfig, MotionSpotter, samples_to_arrays, spot_video

from .conftest import BLINK, BROWS, SMILE


@pytest.fixture(scope="module")
def spotted(clip, pipeline):
    cache = {}

    def get(name: str, config: MotionConfig = MotionConfig(method="flow")):
        key = (name, config)
        if key not in cache:
            cache[key] = spot_video(clip(name), config, pipeline=pipeline, video_name=f"{name}.mp4")
        return cache[key]

    return get


@pytest.mark.parametrize("name, warp", [("smile", SMILE), ("brows", BROWS)])
def test_curve_peaks_inside_the_rendered_event(spotted, name, warp):
    result = spotted(name)
    peak = int(np.nanargmax(result.motion))
    assert warp.onset <= peak <= warp.offset
    outside = np.r_[result.motion[:warp.onset - 5], result.motion[warp.offset + 5:]]
    assert np.nanmax(outside) < 0.5 < result.motion[peak]


@pytest.mark.parametrize("name, warp, regions", [("smile", SMILE, ("mouth_l", "mouth_r")),
                                                 ("brows", BROWS, ("brow_l", "brow_r"))])
def test_one_interval_matching_the_event(spotted, name, warp, regions):
    events = spotted(name).events
    assert len(events) == 1
    event = events[0]
    assert interval_iou((event.onset_frame, event.offset_frame), (warp.onset, warp.offset)) >= 0.5
    assert warp.onset <= event.apex_frame <= warp.offset
    assert (event.kind, event.source, event.status, event.emotion) == ("micro", "model", "suggested", "none")
    assert event.notes.startswith("motion spotter") and event.notes.split("(")[1].rstrip(")") in regions
    assert 0.0 < event.confidence <= 1.0 and event.fps == 30.0


def test_head_motion_alone_gives_no_interval(spotted):
    result = spotted("drift")
    assert result.events == []
    assert np.nanmax(result.motion) < 0.5
    assert np.isfinite(result.motion).mean() > 0.7  # computed, not skipped


def test_blink_is_ignored_by_default_and_spotted_with_eyes(spotted):
    default = spotted("blink")
    assert default.events == []
    with_eyes = spotted("blink", MotionConfig(method="flow", include_eyes=True))
    assert len(with_eyes.events) == 1
    event = with_eyes.events[0]
    assert interval_iou((event.onset_frame, event.offset_frame), (BLINK.onset, BLINK.offset)) > 0
    assert "eye" in event.notes


def test_frames_without_a_face_are_nan(spotted):
    result = spotted("gap")
    k = MotionConfig().lag_frames(30.0)
    assert not result.face_ok[70:90].any() and result.face_ok[:70].all()
    assert np.isnan(result.motion[70 - k:90 + k]).all()   # u, u-k or u+k without a face
    assert np.isnan(result.motion[:k]).all() and np.isnan(result.motion[-k:]).all()  # no look-back / ahead
    assert np.isfinite(result.motion[k:60]).all()
    assert [(e.onset_frame <= 34 <= e.offset_frame) for e in result.events] == [True]


def test_streaming_in_chunks_equals_one_pass(face_results, spotted):
    results = face_results("smile")
    one_pass = MotionSpotter(30.0)
    whole = [s for s in map(one_pass.update, results) if s is not None] + one_pass.finish()
    assert [s.frame for s in whole] == list(range(len(results)))

    spotter = MotionSpotter(30.0)
    chunked, start = [], 0
    for size in (1, 2, 7, 31, 200):
        chunk = results[start:start + size]
        start += size
        out = [spotter.update(r) for r in chunk]
        assert all(s is None or s.frame == r.index - spotter.k for s, r in zip(out, chunk))  # k frames late
        chunked += [s for s in out if s is not None]
    chunked += spotter.finish()
    a, b, c = samples_to_arrays(whole), samples_to_arrays(chunked), spotted("smile")
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[0], c.motion)
    assert a[2] == b[2] == c.region


def test_indices_must_be_consecutive(face_results):
    results = face_results("smile")
    spotter = MotionSpotter(30.0)
    spotter.update(results[0])
    with pytest.raises(ValueError, match="consecutive"):
        spotter.update(results[2])
    spotter.reset()
    assert spotter.update(results[5]) is None  # a fresh stream may start anywhere


def test_lag_and_config_validation():
    assert MotionConfig(lag_s=0.3).lag_frames(30.0) == 9
    assert MotionConfig(lag_s=0.3).lag_frames(200.0) == 60
    assert MotionConfig(lag_s=0.01).lag_frames(25.0) == 1
    for bad in (dict(lag_s=0), dict(flow_size=8), dict(noise_z=-1), dict(blink_ratio=0), dict(half_score=0)):
        with pytest.raises(ValueError):
            MotionConfig(**bad)
    with pytest.raises(ValueError):
        MotionSpotter(math.nan)


def test_five_point_landmarks_are_refused_up_front(clip):
    from dataclasses import replace

    from app.face import FaceConfig

    config = replace(FaceConfig(), align=replace(FaceConfig().align, landmarks="5"))
    with pytest.raises(ValueError, match="68-point"):
        spot_video(clip("smile"), face_config=config)
