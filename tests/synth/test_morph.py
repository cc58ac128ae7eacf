"""Morphs of two real portraits: the spline goes through its points, and a morph is a face in between."""

import cv2
import numpy as np
import pytest

from app.synth.faces import hopper_path, portrait_landmarks
from app.synth.morph import face_mask, morph, thin_plate_map


def test_thin_plate_map_sends_each_point_to_its_source_and_is_identity_without_motion():
    target = np.array([[100.0, 100.0], [200.0, 120.0], [150.0, 250.0], [300.0, 300.0]])
    source = target + np.array([[5.0, -3.0], [0.0, 4.0], [-6.0, 2.0], [3.0, 3.0]])
    map_x, map_y = thin_plate_map(target, source, (400, 500))
    assert map_x.shape == (400, 500)
    for (x, y), (sx, sy) in zip(target.astype(int), source):
        assert map_x[y, x] == pytest.approx(sx, abs=1e-3) and map_y[y, x] == pytest.approx(sy, abs=1e-3)
    assert map_x[0, 499] == pytest.approx(499, abs=1e-3) and map_y[399, 0] == pytest.approx(399, abs=1e-3)
    still_x, still_y = thin_plate_map(target, target, (400, 500))
    ys, xs = np.mgrid[0:400, 0:500]
    assert np.abs(still_x - xs).max() < 1e-3 and np.abs(still_y - ys).max() < 1e-3


@pytest.mark.realdata
def test_morph_is_a_face_in_between_with_known_landmarks():
    from app.face import HogDetector, LandmarkModel

    if hopper_path() is None:
        pytest.skip("matplotlib's sample portrait is not installed")
    a, a_points = portrait_landmarks("astronaut")
    b, b_points = portrait_landmarks("grace_hopper")
    with pytest.raises(ValueError):
        morph(a, a_points, b, b_points, 1.0)
    similarity, _ = cv2.estimateAffinePartial2D(b_points.astype(np.float32), a_points.astype(np.float32))
    b_on_a = cv2.warpAffine(b, similarity, (a.shape[1], a.shape[0])).astype(np.float64)
    iod = np.hypot(*(a_points[36:42].mean(0) - a_points[42:48].mean(0)))
    centre = face_mask(a_points, a.shape[:2], iod) > 0.99
    distances = []
    for weight in (0.3, 0.7):
        image, points = morph(a, a_points, b, b_points, weight)
        assert image.shape == a.shape and image.dtype == np.uint8
        b_on_a_points = b_points @ similarity[:, :2].T + similarity[:, 2]
        assert np.allclose(points, (1 - weight) * a_points + weight * b_on_a_points)
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        found = HogDetector().detect(gray)
        assert found, "dlib finds no face in the morph"
        fitted = LandmarkModel("68").fit(gray, max(found, key=lambda d: d.score).box)
        assert np.median(np.hypot(*(fitted - points).T)) < 0.05 * iod
        distances.append((np.abs(image[centre] - a[centre].astype(np.float64)).mean(),
                          np.abs(image[centre] - b_on_a[centre]).mean()))
    (to_a_30, to_b_30), (to_a_70, to_b_70) = distances
    assert to_a_30 < to_a_70 and to_b_70 < to_b_30  # more of B's weight: further from A, nearer to B
    assert min(to_a_30, to_b_70) > 5  # and never simply one of them
