"""The 68 dlib landmarks' groups, the face's own axes, and the points of the warp mesh.

Mesh points, in this order: the 68 landmarks; the two eye centres (moved by gaze shifts); the two mid-cheek points;
then static anchors (never moved): points on the forehead above the brows, a ring around the face and points on
the frame border, so the background and the hair stay where they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# dlib's 68-point numbering (0-based). "right"/"left" are the subject's: the subject's right is the image's left.
JAW = tuple(range(0, 17))
RIGHT_BROW = (17, 18, 19, 20, 21)   # 17 outer, 21 inner
LEFT_BROW = (22, 23, 24, 25, 26)    # 22 inner, 26 outer
NOSE_BRIDGE = (27, 28, 29, 30)
NOSE_BASE = (31, 32, 33, 34, 35)    # 31 and 35 the wings
RIGHT_EYE = (36, 37, 38, 39, 40, 41)  # 36 outer corner, 37-38 upper lid, 39 inner corner, 40-41 lower lid
LEFT_EYE = (42, 43, 44, 45, 46, 47)   # 42 inner corner, 43-44 upper lid, 45 outer corner, 46-47 lower lid
UPPER_LID_TO_LOWER = {37: 41, 38: 40, 43: 47, 44: 46}
MOUTH_CORNERS = (48, 54)            # outer lip corners (right, left)
N_LANDMARKS = 68

RIGHT_EYE_CENTRE, LEFT_EYE_CENTRE, RIGHT_CHEEK, LEFT_CHEEK = 68, 69, 70, 71
N_MOVABLE = 72  # landmarks + eye centres + cheeks: the points an expression or a nuisance may move
FOREHEAD_BROWS = (17, 19, 21, 22, 24, 26)
RING_POINTS = 20


_RIGHT_SIDE = frozenset([*range(0, 8), *RIGHT_BROW, 31, 32, *RIGHT_EYE, 48, 49, 50, 58, 59, 60, 61, 67,
                         RIGHT_EYE_CENTRE, RIGHT_CHEEK])
_MIDLINE = frozenset([8, *NOSE_BRIDGE, 33, 51, 57, 62, 66])


def side_of(point: int) -> str:
    """'R' (subject's right), 'L' or 'M' (midline) for a movable mesh point."""
    if point in _RIGHT_SIDE:
        return "R"
    return "M" if point in _MIDLINE else "L"


@dataclass(frozen=True)
class FaceAxes:
    """The face's own frame in image pixels: `x` from the subject's right eye to the left one (unit vector), `y`
    perpendicular to it pointing down the face, `iod` the inter-ocular distance in pixels."""

    x: np.ndarray
    y: np.ndarray
    iod: float
    centre: np.ndarray

    def to_pixels(self, vectors: np.ndarray) -> np.ndarray:
        """(K, 2) vectors in inter-ocular units of the face's frame -> (K, 2) pixel vectors."""
        vectors = np.asarray(vectors, dtype=np.float64)
        return self.iod * (vectors[:, :1] * self.x + vectors[:, 1:2] * self.y)


def face_axes(landmarks: np.ndarray) -> FaceAxes:
    right = landmarks[list(RIGHT_EYE)].mean(axis=0)
    left = landmarks[list(LEFT_EYE)].mean(axis=0)
    span = left - right
    iod = float(np.hypot(*span))
    if iod <= 1e-6:
        raise ValueError("landmarks have both eyes at one place")
    x = span / iod
    return FaceAxes(x, np.array([-x[1], x[0]]), iod, landmarks.mean(axis=0))


def movable_points(landmarks: np.ndarray) -> np.ndarray:
    """(72, 2): the landmarks, the eye centres and the mid-cheek points."""
    lm = np.asarray(landmarks, dtype=np.float64)
    right_cheek = (lm[41] + lm[48] + lm[2]) / 3
    left_cheek = (lm[46] + lm[54] + lm[14]) / 3
    extra = [lm[list(RIGHT_EYE)].mean(axis=0), lm[list(LEFT_EYE)].mean(axis=0), right_cheek, left_cheek]
    return np.vstack([lm, np.array(extra)])


def anchor_points(landmarks: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Static points: the forehead above the brows, a ring around the face, the frame's border."""
    axes = face_axes(landmarks)
    forehead = landmarks[list(FOREHEAD_BROWS)] - 0.55 * axes.iod * axes.y
    points = np.vstack([landmarks, forehead])
    local = (points - axes.centre) @ np.stack([axes.x, axes.y]).T  # face-frame coordinates
    half_w = np.abs(local[:, 0]).max() * 1.3 + 0.1 * axes.iod
    half_h = np.abs(local[:, 1]).max() * 1.3 + 0.1 * axes.iod
    angles = np.linspace(0, 2 * np.pi, RING_POINTS, endpoint=False)
    ring = axes.centre + np.outer(half_w * np.cos(angles), axes.x) + np.outer(half_h * np.sin(angles), axes.y)
    width, height = size
    w, h = width - 1.0, height - 1.0
    border = np.array([[0, 0], [w / 2, 0], [w, 0], [w, h / 2], [w, h], [w / 2, h], [0, h], [0, h / 2]])
    inside = (ring[:, 0] > 1) & (ring[:, 0] < w - 1) & (ring[:, 1] > 1) & (ring[:, 1] < h - 1)
    return np.vstack([forehead, ring[inside], border])


def mesh_points(landmarks: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """All mesh points of one frame: the 72 movable ones first, then the static anchors."""
    return np.vstack([movable_points(landmarks), anchor_points(landmarks, size)])
