"""Training-time key-frame re-selection (the reference code's `base.py`).

Around the annotated pair (onset, apex) the candidates are (onset + i, apex − j) for i, j in 0..r with
r = int(window_scale · (apex − onset)) (0.15/4 for CASME II and CAS(ME)^3, 0.1 for SAMM); the pair whose crops
differ most (L2 norm of apex − onset, on the full-resolution crops) wins. Ties go to the first candidate in the
order (0, 0), (1, 0..r), ..., (r, 0..r), (0, 1..r), so the annotated pair wins ties.

Modes: `off` keeps the annotated pair; `faithful` subtracts the uint8 crops as the reference does, so the
difference wraps modulo 256; `fixed` subtracts in int32. The reference writes `apex − onset` nowhere explicitly;
this takes apex − onset, the direction the model sees (with wrap-around the order matters).
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

CASME_WINDOW_SCALE = 0.15 / 4
SAMM_WINDOW_SCALE = 0.1


def window(onset: int, apex: int, scale: float = CASME_WINDOW_SCALE) -> int:
    """r = int(scale · (apex − onset)), truncated as Python's int() does; 0 when apex < onset (the annotated pair
    is used then)."""
    return max(0, int(scale * (apex - onset)))


def candidate_offsets(r: int) -> list[tuple[int, int]]:
    """(i, j) in the reference's order: (0, 0), then (i, 0..r) for i = 1..r, then (0, j) for j = 1..r."""
    order = [(0, 0)]
    order += [(i, j) for i in range(1, r + 1) for j in range(0, r + 1)]
    order += [(0, j) for j in range(1, r + 1)]
    return order


def difference_norm(onset: np.ndarray, apex: np.ndarray, mode: str) -> float:
    if mode == "faithful":
        diff = (apex - onset).astype(np.float64)  # uint8 arithmetic wraps modulo 256, as in the reference
    elif mode == "fixed":
        diff = apex.astype(np.int32) - onset.astype(np.int32)
    else:
        raise ValueError(f"unknown re-selection mode {mode!r}")
    return float(np.sqrt(np.sum(np.square(diff, dtype=np.float64))))


def reselect(
    onset: int,
    apex: int,
    crop: Callable[[int], Optional[np.ndarray]],
    mode: str,
    scale: float = CASME_WINDOW_SCALE,
) -> tuple[int, int]:
    """The (onset, apex) frame pair to train on. `crop(i)` gives frame i's aligned crop, or None without a face;
    candidates with a missing crop are skipped (the annotated pair must have both, the caller checks that)."""
    if mode == "off":
        return onset, apex
    r = window(onset, apex, scale)
    best, best_norm = (onset, apex), -1.0
    for i, j in candidate_offsets(r):
        a, b = crop(onset + i), crop(apex - j)
        if a is None or b is None:
            continue
        norm = difference_norm(a, b, mode)
        if norm > best_norm:
            best, best_norm = (onset + i, apex - j), norm
    return best
