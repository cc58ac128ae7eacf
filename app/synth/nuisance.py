"""Motion that is not an expression, as the renderer needs it per frame: blinks (eyelid closure, both eyes),
talking (lips part and jaw drop, AU25+26) and lighting flicker (a global brightness gain).
Head drift lives in the face sources (`faces.py`)."""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

from app.synth.action_units import LEFT_EYE, RIGHT_EYE
from app.synth.plan import Nuisance
from app.synth.warp import Field, add_fields, eyelid_field

TALK_CODES = (("25", 0.6), ("26", 1.0))


def active(items: Iterable[Nuisance], index: int) -> list[tuple[Nuisance, float]]:
    """(item, value) of every nuisance covering frame `index`."""
    return [(n, n.values[index - n.start]) for n in items if n.start <= index <= n.end]


def talk_moves(item: Nuisance, value: float) -> Optional[tuple[list[tuple[str, float]], float]]:
    """(weighted AU codes, amplitude in IOD) of a talk value; None when the mouth is at rest."""
    if item.kind == "talk" and value > 0:
        return list(TALK_CODES), float(value) * item.amplitude
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
