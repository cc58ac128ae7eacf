"""This renderer's own action-unit templates: for each AU, the displacement of a few mesh points (landmarks, eye
centres, mid-cheeks) in the face's own frame, in inter-ocular distances at full intensity.

A template is written symmetrically as (points, outward, down): `outward` moves away from the face's midline (to
the subject's right for right-side points, to the left for left-side ones), `down` moves down the face (negative:
up). The strongest point of each AU moves 1.0, so an event's amplitude is its largest displacement. "L" or "R"
before an AU number keeps only that side (the midline moves half as far).
"""

from __future__ import annotations

import re

import numpy as np

from app.testbed.anatomy import LEFT_CHEEK, N_MOVABLE, RIGHT_CHEEK, side_of

# AU -> ((points, outward, down), ...); names after FACS.
TEMPLATES: dict[int, tuple[tuple[tuple[int, ...], float, float], ...]] = {
    1: (((21, 22), -0.15, -1.0), ((20, 23), 0.0, -0.6), ((19, 24), 0.0, -0.25)),          # inner brow raiser
    2: (((17, 26), 0.1, -1.0), ((18, 25), 0.0, -0.8), ((19, 24), 0.0, -0.4)),             # outer brow raiser
    4: (((21, 22), -0.55, 0.7), ((20, 23), -0.3, 0.6), ((19, 24), -0.1, 0.35), ((27,), 0.0, 0.15)),  # brow lowerer
    5: (((37, 38, 43, 44), 0.0, -1.0), ((36, 45), 0.0, -0.2)),                            # upper lid raiser
    6: (((RIGHT_CHEEK, LEFT_CHEEK), 0.1, -1.0), ((40, 41, 46, 47), 0.0, -0.5), ((36, 45), 0.0, -0.25),
        ((1, 15), 0.0, -0.2)),                                                            # cheek raiser
    7: (((40, 41, 46, 47), 0.0, -1.0), ((37, 38, 43, 44), 0.0, 0.3), ((36, 45), -0.15, 0.0)),  # lid tightener
    9: (((31, 35), 0.15, -0.8), ((32, 34), 0.05, -0.6), ((33,), 0.0, -0.5), ((29, 30), 0.0, -0.35),
        ((21, 22), -0.1, 0.3), ((27, 28), 0.0, -0.2)),                                    # nose wrinkler
    10: (((50, 51, 52), 0.0, -1.0), ((49, 53), 0.05, -0.7), ((61, 62, 63), 0.0, -0.8),
         ((31, 35), 0.0, -0.2)),                                                          # upper lip raiser
    12: (((48, 54), 0.7, -0.7), ((60, 64), 0.6, -0.6), ((49, 53, 59, 55), 0.3, -0.3),
         ((RIGHT_CHEEK, LEFT_CHEEK), 0.15, -0.3)),                                        # lip corner puller
    14: (((48, 54), 0.55, 0.05), ((60, 64), 0.45, 0.0), ((49, 53, 59, 55), 0.15, 0.0)),  # dimpler
    15: (((48, 54), 0.2, 1.0), ((60, 64), 0.15, 0.8), ((59, 55), 0.05, 0.45), ((49, 53), 0.0, 0.3)),  # corner depressor
    17: (((7, 9), 0.0, -0.8), ((8,), 0.0, -1.0), ((58, 56), 0.0, -0.6), ((57,), 0.0, -0.7),
         ((65, 66, 67), 0.0, -0.45)),                                                     # chin raiser
    20: (((48, 54), 1.0, 0.2), ((60, 64), 0.8, 0.15), ((49, 53, 59, 55), 0.4, 0.05),
         ((5, 11), 0.1, 0.0)),                                                            # lip stretcher
    23: (((48, 54), -1.0, 0.0), ((60, 64), -0.8, 0.0), ((50, 51, 52), 0.0, 0.3), ((56, 57, 58), 0.0, -0.3)),  # lip tightener
    24: (((50, 51, 52), 0.0, 0.6), ((56, 57, 58), 0.0, -0.6), ((61, 62, 63), 0.0, 0.3), ((65, 66, 67), 0.0, -0.3),
         ((48, 54), -1.0, 0.0)),                                                          # lip presser
    25: (((65, 66, 67), 0.0, 1.0), ((56, 57, 58), 0.0, 0.6), ((61, 62, 63), 0.0, -0.3)),  # lips part
    26: (((8,), 0.0, 1.0), ((7, 9), 0.0, 0.9), ((6, 10), 0.0, 0.7), ((5, 11), 0.0, 0.4), ((55, 56, 57, 58, 59), 0.0, 0.8),
         ((65, 66, 67), 0.0, 0.85), ((48, 54), 0.0, 0.3)),                                # jaw drop
}
_CODE = re.compile(r"^([LR]?)(\d+)$")


def parse_aus(code: str) -> list[tuple[str, int]]:
    """'6+12' -> [('', 6), ('', 12)]; 'L14' -> [('L', 14)]. Raises ValueError naming the bad part."""
    out = []
    for part in code.split("+"):
        match = _CODE.match(part.strip())
        if not match or int(match.group(2)) not in TEMPLATES:
            raise ValueError(f"action unit {part!r} of {code!r} has no template; known: {sorted(TEMPLATES)}")
        out.append((match.group(1), int(match.group(2))))
    return out


def au_vectors(au: int, side: str = "") -> np.ndarray:
    """(72, 2) face-frame vectors of one AU at full intensity (inter-ocular units), optionally one side only."""
    vectors = np.zeros((N_MOVABLE, 2))
    for points, outward, down in TEMPLATES[au]:
        for point in points:
            where = side_of(point)
            sign = {"R": -1.0, "L": 1.0, "M": 0.0}[where]
            weight = 1.0 if not side or where == side else (0.5 if where == "M" else 0.0)
            vectors[point] = weight * np.array([sign * outward, down])
    return vectors


def combination_vectors(code: str) -> np.ndarray:
    """(72, 2) vectors of an AU combination ('4+7+23', 'L12'), scaled so that the point moving most moves 1.0."""
    total = sum(au_vectors(au, side) for side, au in parse_aus(code))
    longest = float(np.hypot(total[:, 0], total[:, 1]).max())
    return total / longest
