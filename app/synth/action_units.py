"""FACS action units as displacements of points of the 68-point (iBUG) landmark layout.

Each AU is a list of `Move`s: a control point (a landmark, or a weighted mix of landmarks for
places without one, such as the cheek) and a displacement in the face's own frame, in units of
the inter-ocular distance (IOD) at full strength. Moves are written once for the subject's right
side (the image's left in a frontal, unmirrored view) and mirrored for the left side; a
unilateral code ("L14", "R12") keeps one side. `control_moves` turns a set of AU codes, the
current landmarks and an amplitude into pixel control points and vectors for `app.synth.warp`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np

# Mirror partner of every point of the 68-point layout (subject's right <-> left).
MIRROR = np.array(
    [16 - i for i in range(17)]  # jaw 0..16
    + [26, 25, 24, 23, 22, 21, 20, 19, 18, 17]  # brows 17..26
    + [27, 28, 29, 30, 35, 34, 33, 32, 31]  # nose 27..35
    + [45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40]  # eyes 36..47
    + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55]  # outer lips 48..59
    + [64, 63, 62, 61, 60, 67, 66, 65]  # inner lips 60..67
)
RIGHT_EYE = list(range(36, 42))  # subject's right eye (image left)
LEFT_EYE = list(range(42, 48))


@dataclass(frozen=True)
class Move:
    """One control point and its displacement at full strength (IOD units).

    `point` is ((landmark, weight), ...), the point being the weighted sum of those landmarks.
    `lateral` is along the eye line, positive away from the face's midline on the point's side;
    `vertical` is perpendicular to it, positive towards the chin. `sigma` is the kernel radius (IOD).
    Blinks are not AUs here: `warp.eyelid_field` closes the eyes.
    """

    point: tuple[tuple[int, float], ...]
    lateral: float
    vertical: float
    sigma: float


def _m(point, lateral: float, vertical: float, sigma: float) -> Move:
    if isinstance(point, int):
        point = ((point, 1.0),)
    return Move(tuple((int(i), float(w)) for i, w in point), float(lateral), float(vertical), float(sigma))


# AU -> (moves on the subject's right side, mirrored for the left; moves on the midline).
_CHEEK = ((1, 0.3), (31, 0.3), (41, 0.4))
_DIMPLE = ((48, 1.25), (54, -0.25))  # just outside the lip corner
AU_TABLE: dict[int, tuple[tuple[Move, ...], tuple[Move, ...]]] = {
    1: ((_m(21, 0, -1.0, .20), _m(20, 0, -0.8, .20), _m(19, 0, -0.4, .20)), ()),  # inner brow raiser
    2: ((_m(17, 0, -0.7, .20), _m(18, 0, -1.0, .20), _m(19, 0, -0.6, .20)), ()),  # outer brow raiser
    4: ((_m(21, -0.6, 0.6, .18), _m(20, -0.3, 0.7, .18), _m(19, -0.1, 0.5, .18), _m(18, 0, 0.3, .18)), ()),  # brow lowerer
    5: ((_m(37, 0, -0.6, .08), _m(38, 0, -0.6, .08)), ()),  # upper lid raiser
    6: ((_m(_CHEEK, 0, -1.0, .22), _m(41, 0, -0.4, .08), _m(40, 0, -0.4, .08)), ()),  # cheek raiser
    7: ((_m(41, 0, -0.8, .08), _m(40, 0, -0.8, .08), _m(37, 0, 0.3, .08), _m(38, 0, 0.3, .08)), ()),  # lid tightener
    9: ((_m(31, -0.2, -1.0, .12), _m(32, -0.1, -0.6, .12), _m(21, 0, 0.4, .15)),  # nose wrinkler
        (_m(29, 0, -0.5, .12), _m(30, 0, -0.3, .12))),
    10: ((_m(50, 0, -1.0, .12), _m(49, 0, -0.6, .12), _m(61, 0, -0.8, .12)),  # upper lip raiser
         (_m(51, 0, -0.8, .12), _m(62, 0, -0.6, .12))),
    12: ((_m(48, 0.8, -0.6, .15), _m(60, 0.6, -0.5, .15), _m(49, 0.3, -0.3, .15),  # lip corner puller
          _m(59, 0.3, -0.2, .15)), ()),
    14: ((_m(48, 0.5, -0.1, .12), _m(60, 0.4, 0, .12), _m(_DIMPLE, -0.7, 0, .08)), ()),  # dimpler
    15: ((_m(48, 0.1, 1.0, .14), _m(60, 0, 0.7, .14), _m(59, 0, 0.5, .14)), ()),  # lip corner depressor
    17: ((_m(7, 0, -0.6, .18), _m(58, 0, -0.5, .18)),  # chin raiser
         (_m(8, 0, -0.8, .18), _m(57, 0, -0.6, .18), _m(66, 0, -0.3, .18))),
    18: ((_m(48, -0.8, 0, .14), _m(60, -0.6, 0, .14), _m(49, -0.3, 0.1, .12), _m(59, -0.3, -0.1, .12)), ()),  # lip pucker
    20: ((_m(48, 0.9, 0.2, .15), _m(60, 0.7, 0.15, .15), _m(49, 0.3, 0, .15), _m(59, 0.3, 0.1, .15)), ()),  # lip stretcher
    23: ((_m(50, 0, 0.4, .10), _m(58, 0, -0.4, .10), _m(48, -0.3, 0, .10)),  # lip tightener
         (_m(51, 0, 0.5, .10), _m(57, 0, -0.5, .10))),
    24: ((_m(50, 0, 0.5, .12), _m(58, 0, -0.6, .12)),  # lip pressor
         (_m(51, 0, 0.6, .12), _m(57, 0, -0.7, .12), _m(62, 0, 0.3, .10), _m(66, 0, -0.3, .10))),
    25: ((_m(67, 0, 0.6, .10), _m(58, 0, 0.5, .10)),  # lips part
         (_m(66, 0, 0.8, .10), _m(57, 0, 0.6, .10), _m(62, 0, -0.3, .10))),
    26: ((_m(7, 0, 0.9, .20), _m(6, 0, 0.7, .20), _m(5, 0, 0.4, .20), _m(58, 0, 1.0, .20), _m(67, 0, 0.9, .20),
          _m(59, 0, 0.6, .20)),  # jaw drop
         (_m(8, 0, 1.0, .20), _m(57, 0, 1.0, .20), _m(66, 0, 1.0, .20))),
}

_CODE = re.compile(r"^([LR]?)(\d+)$")


def parse_aus(code: str) -> list[tuple[str, int]]:
    """'6+12' -> [('', 6), ('', 12)]; 'L14' -> [('L', 14)]. Raises ValueError for unknown AUs."""
    out = []
    for token in code.split("+"):
        match = _CODE.match(token.strip().upper())
        if not match:
            raise ValueError(f"bad action-unit token {token!r} in {code!r}")
        side, number = match.group(1), int(match.group(2))
        if number not in AU_TABLE:
            raise ValueError(f"AU{number} has no rendering (known: {sorted(AU_TABLE)})")
        out.append((side, number))
    return out


def moves_for(code: str) -> list[tuple[Move, int]]:
    """All moves of an AU code as (move, side): side -1 = subject's right, +1 = left, 0 = midline.

    Midline moves of a unilateral AU are kept at half strength."""
    out: list[tuple[Move, int]] = []
    for side, number in parse_aus(code):
        bilateral, midline = AU_TABLE[number]
        for move in bilateral:
            if side in ("", "R"):
                out.append((move, -1))
            if side in ("", "L"):
                out.append((_mirror(move), +1))
        scale = 1.0 if side == "" else 0.5
        out.extend((Move(m.point, m.lateral, m.vertical * scale, m.sigma), 0) for m in midline)
    return out


def _mirror(move: Move) -> Move:
    return Move(tuple((int(MIRROR[i]), w) for i, w in move.point), move.lateral, move.vertical, move.sigma)


def face_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Unit vectors along the eye line (image left -> right) and towards the chin, and the IOD in pixels."""
    right = landmarks[RIGHT_EYE].mean(axis=0)
    left = landmarks[LEFT_EYE].mean(axis=0)
    axis = left - right
    iod = float(np.hypot(*axis))
    u = axis / iod
    return u, np.array([-u[1], u[0]]), iod


def inter_ocular(landmarks: np.ndarray) -> float:
    return face_frame(landmarks)[2]


def control_moves(
    landmarks: np.ndarray, weighted_codes: Iterable[tuple[str, float]], amplitude: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Control points (P, 2), displacement vectors (P, 2) and kernel radii (P,), all in pixels.

    `weighted_codes` are (AU code, weight in [0, 1]); `amplitude` is the peak displacement in IOD
    units at weight 1. Moves of several AUs on the same point add up; every summed vector is then
    clipped to `amplitude` IOD, so no control point moves further than that.
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    u, v, iod = face_frame(lm)
    merged: dict[tuple, list] = {}
    for code, weight in weighted_codes:
        for move, side in moves_for(code):
            point = sum(w * lm[i] for i, w in move.point)
            vector = side * move.lateral * u + move.vertical * v if side else move.vertical * v
            key = move.point
            if key in merged:
                merged[key][1] = merged[key][1] + weight * vector
                merged[key][2] = max(merged[key][2], move.sigma)
            else:
                merged[key] = [point, weight * vector, move.sigma]
    if not merged:
        return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0)
    points = np.array([m[0] for m in merged.values()])
    vectors = np.array([m[1] for m in merged.values()])
    norms = np.hypot(vectors[:, 0], vectors[:, 1])
    vectors = vectors * (np.minimum(1.0, 1.0 / np.maximum(norms, 1e-12)))[:, None]
    sigmas = np.array([m[2] for m in merged.values()])
    return points, vectors * amplitude * iod, sigmas * iod


# Emotion -> AU codes one event may show (CASME II-style; repetition weights the draw).
EMOTION_AUS: dict[str, tuple[str, ...]] = {
    "happiness": ("12", "6+12", "6+12", "R12", "L12"),
    "surprise": ("1+2", "1+2", "1+2+5", "1", "2"),
    "disgust": ("9", "10", "4+9", "4+10", "9+10", "L10"),
    "repression": ("14", "L14", "R14", "15", "17", "15+17", "14+17"),
    "others": ("4", "4+7", "7", "L2", "R2"),  # no code shared with another emotion: labels stay learnable
}
EMOTIONS = tuple(EMOTION_AUS)


def split_codes(action_units: str) -> list[str]:
    """'6+12' -> ['6', '12'] (each AU gets its own weight)."""
    return [token.strip() for token in action_units.split("+") if token.strip()]
