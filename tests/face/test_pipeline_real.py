"""The pipeline on real faces: the carphone clip, the astronaut moving, two faces, MMOD smoke test."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.face import DetectConfig, FaceConfig, MmodDetector, SmoothConfig
from app.face.align import apply_transform, stable_indices, template_points
from app.face.detect import scan_frame, scan_roi
from app.face.geometry import box_center, grow_box

from face_testkit import ASTRONAUT_FACE, CountingDetector, motion_matrix, moving_astronaut, render

pytestmark = pytest.mark.realdata

OUTER_EYE_CORNERS = [36, 45]


def test_hog_finds_the_astronaut_face(hog, astronaut):
    gray = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
    found = scan_frame(gray, hog, DetectConfig(min_face_px=80))  # no resize at all
    assert len(found) == 1
    np.testing.assert_allclose(found[0].box, ASTRONAUT_FACE, atol=2)
    in_roi = scan_roi(gray, ASTRONAUT_FACE, hog, DetectConfig())
    assert len(in_roi) == 1
    np.testing.assert_allclose(in_roi[0].box, ASTRONAUT_FACE, atol=6)


def test_small_frames_are_upsampled_for_detection(hog, carphone_frames):
    gray = cv2.cvtColor(carphone_frames[0][1], cv2.COLOR_RGB2GRAY)
    assert hog.detect(gray) == []  # the ~52 px face is below HOG's 80 px window
    assert len(scan_frame(gray, hog, DetectConfig())) >= 1


def test_mmod_detector_smoke(astronaut):
    head = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)[30:250, 110:330]  # small image: MMOD is ~1 fps at 640x480
    found = MmodDetector().detect(head)
    assert len(found) == 1
    x0, y0, x1, y1 = found[0].box
    assert abs((x0 + x1) / 2 - 112) < 15 and abs((y0 + y1) / 2 - 96) < 15  # the HOG face box's centre


def test_carphone_face_found_landmarks_in_box_crops_aligned(carphone_results):
    results = carphone_results
    assert len(results) == 120
    found = [r for r in results if r.found]
    assert len(found) >= 0.95 * 120
    template = template_points(FaceConfig().align)
    for r in found:
        assert r.crop.shape == (224, 224, 3) and r.crop.dtype == np.uint8
        x0, y0, x1, y1 = grow_box(tuple(r.box), 0.3)  # HOG boxes are tight: the chin reaches up to ~25% below
        assert np.all((r.landmarks[:, 0] >= x0) & (r.landmarks[:, 0] <= x1) & (r.landmarks[:, 1] >= y0) & (r.landmarks[:, 1] <= y1))
        eyes = apply_transform(r.transform.astype(np.float64), r.landmarks[OUTER_EYE_CORNERS])
        assert np.all(np.linalg.norm(eyes - template[[0, 3]], axis=1) < 12.0)  # 12 of 224 px, face 4x upscaled
    assert sum(r.ok for r in results) >= 0.8 * 120


def test_carphone_detection_runs_every_n_frames(make_pipeline, carphone_frames, hog):
    counter = CountingDetector(hog)
    results = list(make_pipeline(FaceConfig(), fps=29.97, detector=counter).run(carphone_frames))
    detected = np.flatnonzero([r.detected for r in results])
    assert detected[0] == 0
    assert len(detected) < 120 / 4
    assert counter.calls < 120 / 4


def test_detection_not_run_every_frame(make_pipeline, astronaut, hog):
    frames = [(i, render(astronaut, motion_matrix((222, 126), 0.0, 1.0, (98.0 + i, 40.0 + 0.5 * i)))) for i in range(60)]
    counter = CountingDetector(hog)
    results = list(make_pipeline(FaceConfig(detect=DetectConfig(every=15)), detector=counter).run(frames))
    assert all(r.found for r in results)
    assert counter.calls == 4  # frames 0, 15, 30, 45
    assert [r.index for r in results if r.detected] == [0, 15, 30, 45]


@pytest.fixture(scope="module")
def astronaut_motion(astronaut):
    return moving_astronaut(astronaut, 90)


def _true_crop_points(results, matrices):
    """Fixed points of the astronaut's face, through the true motion and the pipeline's transform."""
    face = np.array([[179, 83], [266, 83], [179, 170], [266, 170], [222, 126]], dtype=np.float64)
    return np.array([apply_transform(r.transform.astype(np.float64), apply_transform(m, face)) for r, m in zip(results, matrices)])


def test_moving_astronaut_head_motion_removed(make_pipeline, astronaut_motion):
    frames, matrices = astronaut_motion
    results = list(make_pipeline(FaceConfig()).run(frames))
    assert all(r.found for r in results)
    centres = np.array([box_center(tuple(r.box)) for r in results])
    assert np.ptp(centres[:, 0]) > 80 and np.ptp(centres[:, 1]) > 40  # the face really moves
    in_crop = _true_crop_points(results, matrices)
    assert in_crop.std(axis=0).max() < 2.0  # but stays put in the crop (crop px)
    template = template_points(FaceConfig().align)
    stable = stable_indices("68")
    residual = np.array([np.abs(apply_transform(r.transform.astype(np.float64), r.landmarks[stable]) - template).max() for r in results])
    assert residual.max() < 12.0 and residual.std() < 1.5
    assert sum(r.ok for r in results) >= 85


def test_smoothing_reduces_crop_shake_on_a_static_face(make_pipeline, astronaut):
    rng = np.random.default_rng(0)
    base = render(astronaut, motion_matrix((222, 126), 0.0, 1.0, (98.0, 40.0))).astype(np.int16)
    frames = [(i, np.clip(base + rng.normal(0, 6, base.shape).astype(np.int16), 0, 255).astype(np.uint8)) for i in range(45)]
    corners = np.array([[0, 0], [224, 0], [0, 224], [224, 224]], dtype=np.float64)

    def shake(config):
        transforms = [r.transform.astype(np.float64) for r in make_pipeline(config).run(frames)]
        moves = [apply_transform(b, apply_transform(cv2.invertAffineTransform(a), corners)) - corners for a, b in zip(transforms, transforms[1:])]
        return float(np.mean([np.sqrt(np.mean(np.sum(m**2, axis=1))) for m in moves]))

    smoothed, raw = shake(FaceConfig()), shake(FaceConfig(smooth=SmoothConfig(enabled=False)))
    assert raw > 0.3  # the landmarks really jitter on the noisy frames
    assert smoothed < 0.5 * raw


@pytest.fixture(scope="module")
def two_faces(astronaut):
    """30 frames, two astronaut heads: a large one on the right, a smaller one on the left, both drifting."""
    head = astronaut[30:250, 110:330]
    small = cv2.resize(head, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(30):
        canvas = np.full((480, 640, 3), 90, np.uint8)
        dx, dy = int(round(6 * np.sin(i / 5))), int(round(4 * np.cos(i / 4)))
        canvas[140 + dy : 140 + dy + small.shape[0], 40 + dx : 40 + dx + small.shape[1]] = small
        canvas[100 - dy : 100 - dy + head.shape[0], 380 - dx : 380 - dx + head.shape[1]] = head
        frames.append((i, canvas))
    return frames


@pytest.mark.parametrize("policy, side", [("largest", "right"), ("rightmost", "right"), ("leftmost", "left")])
def test_two_faces_subject_policy_and_identity(make_pipeline, two_faces, policy, side):
    results = list(make_pipeline(FaceConfig(detect=DetectConfig(subject=policy, every=5))).run(two_faces))
    assert all(r.found for r in results)
    xs = np.array([box_center(tuple(r.box))[0] for r in results])
    assert np.all(xs > 320) if side == "right" else np.all(xs < 320)
    assert np.ptp(xs) < 30  # followed one identity, never switched


def test_detector_accepts_strided_views(hog, astronaut):
    gray = cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY)
    view = gray[40:300, 100:360]  # not C-contiguous: dlib would misread it without a copy
    assert not view.flags["C_CONTIGUOUS"]
    assert [d.box for d in hog.detect(view)] == [d.box for d in hog.detect(view.copy())]
