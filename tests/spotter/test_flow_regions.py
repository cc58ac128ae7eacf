"""Region boxes, box means and head-motion compensation on synthetic flow fields."""

from __future__ import annotations

import numpy as np

from app.analysis.flow_regions import ALL_REGIONS, REGIONS, box_means, compensated_flow, head_motion, region_boxes
from app.analysis.motion_spotter import MotionConfig, frame_score, motion_events, robust_baseline
from app.face.align import apply_transform, fit_similarity

from .kit import portrait_and_landmarks

SIZE = 112


def crop_points() -> np.ndarray:
    """The portrait's 68 landmarks mapped into a 112 px crop, eyes near the canonical place."""
    _, landmarks = portrait_and_landmarks()
    src = landmarks[[36, 45]].astype(np.float64)
    dst = np.array([[SIZE * 0.31, SIZE * 0.36], [SIZE * 0.69, SIZE * 0.36]])
    return apply_transform(fit_similarity(src, dst), landmarks)


def similarity_flow(transform: np.ndarray) -> np.ndarray:
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    grid = np.stack([xs, ys], axis=-1).reshape(-1, 2)
    return (apply_transform(transform, grid) - grid).reshape(SIZE, SIZE, 2).astype(np.float32)


def test_box_means_match_numpy():
    rng = np.random.default_rng(0)
    flow = rng.normal(size=(40, 50, 2)).astype(np.float32)
    boxes = np.array([[0, 0, 50, 40], [3, 4, 9, 11], [49, 39, 50, 40]])
    expected = [flow[y0:y1, x0:x1].reshape(-1, 2).mean(0) for x0, y0, x1, y1 in boxes]
    np.testing.assert_allclose(box_means(flow, boxes), expected, atol=1e-5)


def test_regions_sit_where_their_landmarks_are():
    points = crop_points()
    names = tuple(REGIONS[n] for n in ALL_REGIONS)
    boxes = region_boxes(points, names, (SIZE, SIZE))
    for region, (x0, y0, x1, y1) in zip(names, boxes):
        centre = points[list(region.points)].mean(axis=0)
        assert 0 <= x0 < x1 <= SIZE and 0 <= y0 < y1 <= SIZE
        assert x0 - 1 <= centre[0] <= x1 + 1, region.name
    by_name = dict(zip(ALL_REGIONS, boxes))
    assert by_name["brow_l"][3] <= by_name["eye_l"][3] and by_name["mouth_l"][0] < by_name["mouth_r"][0]


def test_head_motion_is_removed_and_local_motion_kept():
    points = crop_points()
    regions = tuple(REGIONS[n] for n in ALL_REGIONS)
    centre = points[27:31].mean(axis=0)
    head = np.hstack([np.eye(2) * 1.02 @ np.array([[np.cos(0.03), -np.sin(0.03)], [np.sin(0.03), np.cos(0.03)]]),
                      np.zeros((2, 1))])
    head[:, 2] = centre - head[:, :2] @ centre + (1.5, -0.8)  # rotate and zoom about the nose, then shift
    flow = similarity_flow(head)
    assert np.abs(compensated_flow(flow, points, regions)).max() < 2e-3  # eye spans

    x0, y0, x1, y1 = region_boxes(points, (REGIONS["mouth_r"],), (SIZE, SIZE))[0]
    flow[y0:y1, x0:x1, 1] -= 2.0  # the right mouth corner moves up 2 px on top of the head motion
    moved = compensated_flow(flow, points, regions)
    index = ALL_REGIONS.index("mouth_r")
    span = np.hypot(*(points[45] - points[36]))
    assert abs(moved[index, 1] * span + 2.0) < 0.3
    assert np.abs(np.delete(moved, index, axis=0)).max() * span < 0.3


def test_robust_head_fit_ignores_a_few_outliers():
    rng = np.random.default_rng(1)
    centres = rng.uniform(0, 100, size=(36, 2))
    truth = np.array([[1.01, -0.02, 0.5], [0.02, 1.01, -1.0]])
    moves = apply_transform(truth, centres) - centres
    moves[:5] += (4.0, -3.0)
    np.testing.assert_allclose(head_motion(centres, moves), truth, atol=1e-9)


def test_frame_score_pairs_back_and_ahead_and_guards_blinks():
    n = len(ALL_REGIONS)
    back, ahead = np.zeros((n, 2)), np.zeros((n, 2))
    i = ALL_REGIONS.index("mouth_l")
    back[i], ahead[i] = (0, -0.03), (0, 0.03)  # moved up since u-k, moves back down by u+k
    score, region = frame_score(back, ahead, MotionConfig())
    assert region == "mouth_l" and np.isclose(score, 3.0)  # % eye span
    ahead[i] = (0, -0.03)  # keeps going: a steady movement, not a transient
    assert frame_score(back, ahead, MotionConfig())[0] == 0.0

    back, ahead = np.zeros((n, 2)), np.zeros((n, 2))
    eye, brow = ALL_REGIONS.index("eye_l"), ALL_REGIONS.index("brow_l")
    back[eye], ahead[eye] = (0, 0.05), (0, -0.05)
    back[brow], ahead[brow] = (0, 0.015), (0, -0.015)
    assert frame_score(back, ahead, MotionConfig())[0] == 0.0  # the blink drags the brow: ignored
    score, region = frame_score(back, ahead, MotionConfig(blink_ratio=None))
    assert region == "brow_l" and np.isclose(score, 1.5)
    assert frame_score(back, ahead, MotionConfig(include_eyes=True))[1] == "eye_l"


def test_robust_baseline():
    assert robust_baseline(np.array([]), 3.0) == 0.0
    assert robust_baseline(np.array([1.0, 1.0, 1.0]), 3.0) == 1.0
    assert np.isclose(robust_baseline(np.array([0.0, 1.0, 2.0]), 1.0), 1.0 + 1.4826)


def test_events_from_a_curve_use_the_duration_priors():
    motion = np.zeros(300)
    motion[:9] = np.nan
    motion[50:59] = 0.9    # 0.3 s: micro
    motion[150:174] = 0.9  # 0.8 s: macro
    motion[250:252] = 0.15  # below the thresholds
    region = [""] * 300
    region[40:60] = ["mouth_r"] * 20
    events = motion_events(motion, 30.0, video="v.mp4", subject="s", region=region)
    # the 0.05 s smoothing widens a hard-edged run by one frame on each side
    assert [(e.onset_frame, e.offset_frame, e.kind) for e in events] == [(49, 59, "micro"), (149, 174, "macro")]
    assert events[0].notes == "motion spotter (mouth_r)" and events[1].notes == "motion spotter"
    assert events[0].event_id == "motion-49" and events[0].apex_frame in range(50, 59)
