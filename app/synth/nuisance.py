"""Motion that is not an expression, as the renderer needs it per frame: blinks (eyelid closure, both eyes),
talking (lips part and jaw drop, AU25+26), restless activity (one action unit drifting), lighting flicker (a global brightness gain), glances (both irises slide
sideways) and head sweeps (the whole face moves rigidly and back). Gentle head drift lives in the face sources
(`faces.py`)."""

from __future__ import annotations

from typing import Iterable, Optional

import cv2
import numpy as np

from app.synth.action_units import LEFT_EYE, RIGHT_EYE
from app.synth.faces import iod_px
from app.synth.plan import FIDGET_CODES, Nuisance
from app.synth.warp import Field, add_fields, eyelid_field, iris_field

TALK_CODES = (("25", 0.6), ("26", 1.0))


def active(items: Iterable[Nuisance], index: int) -> list[tuple[Nuisance, float]]:
    """(item, value) of every nuisance covering frame `index`."""
    return [(n, n.values[index - n.start]) for n in items if n.start <= index <= n.end]


def au_moves(item: Nuisance, value: float) -> Optional[tuple[list[tuple[str, float]], float]]:
    """(weighted AU codes, amplitude in IOD) of a talk or fidget value; None when that part of the face rests."""
    if value <= 0:
        return None
    if item.kind == "talk":
        return list(TALK_CODES), float(value) * item.amplitude
    if item.kind == "fidget":
        return [(FIDGET_CODES[int(item.params[0])], 1.0)], float(value) * item.amplitude
    return None


def blink_field(landmarks: np.ndarray, closure: float, size: tuple[int, int]) -> Optional[Field]:
    """Both eyes closed by `closure` (AU43/45: 1 = shut)."""
    if closure <= 0:
        return None
    return add_fields(eyelid_field(landmarks[RIGHT_EYE], closure, size), eyelid_field(landmarks[LEFT_EYE], closure, size))


def frame_gain(items: Iterable[Nuisance], index: int) -> float:
    """Product of the flicker gains covering frame `index` (1 when none)."""
    gain = 1.0
    for item, value in active(items, index):
        if item.kind == "flicker":
            gain *= value
    return float(np.float64(gain))


def gaze_field(landmarks: np.ndarray, item: Nuisance, value: float, size: tuple[int, int]) -> Optional[Field]:
    """Both irises shifted by `value` × the glance's amplitude (IOD); None when looking ahead."""
    if item.kind != "gaze" or value <= 0:
        return None
    shift = float(value) * item.amplitude * iod_px(landmarks)
    return add_fields(iris_field(landmarks[RIGHT_EYE], shift, size), iris_field(landmarks[LEFT_EYE], shift, size))


def swept(affine: np.ndarray, landmarks: np.ndarray, items: Iterable[Nuisance],
          index: int) -> tuple[np.ndarray, np.ndarray]:
    """(affine, landmarks) moved by the head sweeps covering frame `index`: about the face's centre, shifted by
    (dx, dy) IOD, rolled and zoomed by the sweep's weight on that frame. Unchanged outside every sweep."""
    for item, value in active(items, index):
        if item.kind != "sweep" or value <= 0:
            continue
        dx, dy, roll, zoom = item.params
        iod, centre = iod_px(landmarks), landmarks.mean(axis=0)
        move = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(value * roll), 1.0 + value * zoom)
        move[:, 2] += np.array([dx, dy]) * value * iod
        affine = np.vstack([move, [0, 0, 1]]) @ np.vstack([affine, [0, 0, 1]])
        affine = affine[:2]
        landmarks = landmarks @ move[:, :2].T + move[:, 2]
    return affine, landmarks

