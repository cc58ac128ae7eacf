"""Configuration validation, similarity fitting, transform parameters, One-Euro filter, subject choice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.face import AlignConfig, DetectConfig, FaceConfig, QualityConfig, SmoothConfig, TrackConfig
from app.face.align import apply_transform, fit_similarity, from_params, template_points, to_params
from app.face.detect import Detection
from app.face.smoothing import OneEuroFilter, TransformStabilizer
from app.face.subject import match_subject, pick_subject


def test_config_json_round_trip_and_frozen():
    config = FaceConfig(detect=DetectConfig(every=7, subject="leftmost"), align=AlignConfig(crop_size=112, landmarks="5"))
    again = FaceConfig.from_json(config.to_json())
    assert again == config
    with pytest.raises(AttributeError):
        config.detect = DetectConfig()  # type: ignore[misc]


@pytest.mark.parametrize(
    "build",
    [
        lambda: DetectConfig(detector="yolo"),
        lambda: DetectConfig(subject="tallest"),
        lambda: DetectConfig(every=0),
        lambda: TrackConfig(lost_below=0.9, redetect_below=0.5),
        lambda: AlignConfig(crop_size=4),
        lambda: AlignConfig(landmarks="81"),
        lambda: SmoothConfig(min_cutoff=0),
        lambda: QualityConfig(max_jitter_px=0),
    ],
)
def test_invalid_config_raises_value_error(build):
    with pytest.raises(ValueError):
        build()


def test_from_json_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown"):
        FaceConfig.from_json('{"detect": {"colour": 1}}')


def test_fit_similarity_recovers_a_known_transform():
    rng = np.random.default_rng(1)
    src = rng.uniform(0, 300, size=(8, 2))
    angle, scale = 0.3, 1.7
    truth = np.array([[scale * math.cos(angle), -scale * math.sin(angle), 12.0], [scale * math.sin(angle), scale * math.cos(angle), -40.0]])
    fitted = fit_similarity(src, apply_transform(truth, src))
    np.testing.assert_allclose(fitted, truth, atol=1e-9)


def test_fit_similarity_rejects_bad_points():
    with pytest.raises(ValueError):
        fit_similarity(np.zeros((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError):
        fit_similarity(np.zeros((4, 2)), np.ones((3, 2)))


def test_transform_params_round_trip():
    transform = fit_similarity(np.array([[10.0, 20.0], [60.0, 25.0], [30.0, 70.0]]), np.array([[80.0, 90.0], [150.0, 80.0], [120.0, 160.0]]))
    np.testing.assert_allclose(from_params(to_params(transform, 224), 224), transform, atol=1e-9)


def test_template_is_symmetric_and_scaled_to_the_crop():
    points = template_points(AlignConfig(crop_size=200, eye_span=0.4, eye_line=0.35))
    outer_left, outer_right = points[0], points[3]
    assert outer_right[0] - outer_left[0] == pytest.approx(80.0)
    assert outer_left[1] == pytest.approx(70.0)
    assert (outer_left[0] + outer_right[0]) / 2 == pytest.approx(100.0)


def test_one_euro_filter_smooths_noise_and_follows_a_step():
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff=0.5, beta=0.5, d_cutoff=1.0)
    noisy = 5.0 + rng.normal(0, 0.3, size=200)  # landmark-like noise, in crop px
    out = np.array([f(np.array([x]), 1 / 30)[0] for x in noisy])
    assert out[50:].std() < 0.5 * noisy[50:].std()
    steps = [f(np.array([100.0]), 1 / 30)[0] for _ in range(30)]
    assert steps[-1] == pytest.approx(100.0, abs=1.0)


def test_stabilizer_disabled_returns_the_raw_transform():
    raw = np.array([[1.2, -0.1, 5.0], [0.1, 1.2, 7.0]])
    stabilizer = TransformStabilizer(SmoothConfig(enabled=False), 224)
    assert stabilizer.update(raw, 0.0) is raw


def test_stabilizer_keeps_angle_continuous_across_pi():
    stabilizer = TransformStabilizer(SmoothConfig(), 224)
    for i, angle in enumerate([math.pi - 0.01, -math.pi + 0.01, math.pi - 0.01]):
        out = stabilizer.update(from_params(np.array([100.0, 100.0, 0.0, angle]), 224), i / 30)
        assert abs(abs(to_params(out, 224)[3]) - math.pi) < 0.05


def _det(x0, y0, side, score=1.0):
    return Detection((x0, y0, x0 + side, y0 + side), score)


def test_pick_subject_policies():
    small_left, big_middle, right = _det(10, 50, 40), _det(100, 40, 90), _det(300, 60, 60)
    faces = [small_left, big_middle, right]
    assert pick_subject(faces, "largest") is big_middle
    assert pick_subject(faces, "leftmost") is small_left
    assert pick_subject(faces, "rightmost") is right
    assert pick_subject([], "largest") is None


def test_pick_subject_prefers_confident_detections():
    weak_big, clear_small = _det(0, 0, 100, score=0.05), _det(200, 0, 90, score=1.4)
    assert pick_subject([weak_big, clear_small], "largest", confident_score=0.5) is clear_small
    assert pick_subject([weak_big], "largest", confident_score=0.5) is weak_big


def test_match_subject_by_overlap_then_centre_distance():
    tracked = (100.0, 100.0, 200.0, 200.0)
    near, other = _det(110, 105, 100), _det(400, 100, 100)
    assert match_subject([other, near], tracked, 0.3) is near
    assert match_subject([other], tracked, 0.3) is None
