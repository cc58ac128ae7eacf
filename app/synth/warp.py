"""A smooth local displacement field around moved control points, applied by backward mapping.

The field is a Gaussian-weighted blend of the control points' vectors,
d(x) = sum_i g_i(x) v_i / max(1, sum_i g_i(x)), g_i(x) = exp(-|x - p_i|^2 / (2 sigma_i^2)),
cut off at `CUTOFF` sigmas, so it is exactly zero away from the moved points and never longer
than the longest vector. Image content moves by about d: out(x) = src(x - d(x)), which is close
to the forward warp while displacements stay small next to the kernel radii.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

CUTOFF = 3.0


@dataclass(frozen=True)
class Field:
    """Displacement (dx, dy) in pixels over the frame region [y0:y0+h, x0:x0+w]; zero elsewhere."""

    x0: int
    y0: int
    dx: np.ndarray  # (h, w) float32
    dy: np.ndarray

    @property
    def max_px(self) -> float:
        return float(np.sqrt((self.dx ** 2 + self.dy ** 2).max())) if self.dx.size else 0.0


def displacement_field(
    points: np.ndarray, vectors: np.ndarray, sigmas: np.ndarray, size: tuple[int, int]
) -> Optional[Field]:
    """The field of control points (P, 2), vectors (P, 2) and radii (P,) on a frame of `size`
    (width, height); None when nothing moves or the support lies outside the frame."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    vectors = np.asarray(vectors, dtype=np.float64).reshape(-1, 2)
    sigmas = np.asarray(sigmas, dtype=np.float64).reshape(-1)
    keep = np.hypot(vectors[:, 0], vectors[:, 1]) > 0
    points, vectors, sigmas = points[keep], vectors[keep], np.maximum(sigmas[keep], 0.5)
    if not len(points):
        return None
    width, height = size
    reach = CUTOFF * sigmas
    x0 = max(0, int(np.floor((points[:, 0] - reach).min())))
    y0 = max(0, int(np.floor((points[:, 1] - reach).min())))
    x1 = min(width, int(np.ceil((points[:, 0] + reach).max())) + 1)
    y1 = min(height, int(np.ceil((points[:, 1] + reach).max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    xs = np.arange(x0, x1, dtype=np.float64)
    ys = np.arange(y0, y1, dtype=np.float64)
    total = np.zeros((y1 - y0, x1 - x0))
    sum_x = np.zeros_like(total)
    sum_y = np.zeros_like(total)
    for (px, py), (vx, vy), sigma in zip(points, vectors, sigmas):
        # Separable Gaussian on the kernel's own bounding box only.
        cx0, cx1 = np.searchsorted(xs, [px - CUTOFF * sigma, px + CUTOFF * sigma])
        cy0, cy1 = np.searchsorted(ys, [py - CUTOFF * sigma, py + CUTOFF * sigma])
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        gx = np.exp(-((xs[cx0:cx1] - px) ** 2) / (2 * sigma * sigma))
        gy = np.exp(-((ys[cy0:cy1] - py) ** 2) / (2 * sigma * sigma))
        g = gy[:, None] * gx[None, :]
        dist2 = (ys[cy0:cy1, None] - py) ** 2 + (xs[None, cx0:cx1] - px) ** 2
        g[dist2 > (CUTOFF * sigma) ** 2] = 0.0
        total[cy0:cy1, cx0:cx1] += g
        sum_x[cy0:cy1, cx0:cx1] += g * vx
        sum_y[cy0:cy1, cx0:cx1] += g * vy
    norm = np.maximum(total, 1.0)
    return Field(x0, y0, (sum_x / norm).astype(np.float32), (sum_y / norm).astype(np.float32))


class Remapper:
    """Renders frames of one size as out(x) = src(A^-1 (x - d(x))): the source image placed by the
    affine map A (source pixels -> frame pixels) and displaced by a field, in one interpolation."""

    def __init__(self, size: tuple[int, int]):
        width, height = size
        self.size = (int(width), int(height))
        self._gx, self._gy = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))

    def render(
        self,
        src: np.ndarray,
        affine: np.ndarray,
        field: Optional[Field] = None,
        interpolation: int = cv2.INTER_LINEAR,
        border_mode: int = cv2.BORDER_CONSTANT,
        border_value: tuple[int, int, int] = (0, 0, 0),
    ) -> np.ndarray:
        inv = cv2.invertAffineTransform(np.asarray(affine, dtype=np.float64)).astype(np.float32)
        map_x = inv[0, 0] * self._gx + inv[0, 1] * self._gy + inv[0, 2]
        map_y = inv[1, 0] * self._gx + inv[1, 1] * self._gy + inv[1, 2]
        if field is not None:
            h, w = field.dx.shape
            region = np.s_[field.y0:field.y0 + h, field.x0:field.x0 + w]
            # A^-1 is affine, so A^-1 (x - d) = A^-1 x - L^-1 d with L^-1 its linear part.
            map_x[region] -= inv[0, 0] * field.dx + inv[0, 1] * field.dy
            map_y[region] -= inv[1, 0] * field.dx + inv[1, 1] * field.dy
        return cv2.remap(src, map_x, map_y, interpolation, borderMode=border_mode, borderValue=border_value)


def apply_gain(frame: np.ndarray, gain: float) -> np.ndarray:
    """Global brightness change (lighting flicker); gain 1 returns the frame unchanged."""
    if gain == 1.0:
        return frame
    return np.clip(frame.astype(np.float32) * np.float32(gain) + np.float32(0.5), 0, 255).astype(np.uint8)


def add_fields(a: Optional[Field], b: Optional[Field]) -> Optional[Field]:
    """The sum of two fields (None counts as zero)."""
    if a is None or b is None:
        return a if b is None else b
    x0, y0 = min(a.x0, b.x0), min(a.y0, b.y0)
    x1 = max(a.x0 + a.dx.shape[1], b.x0 + b.dx.shape[1])
    y1 = max(a.y0 + a.dx.shape[0], b.y0 + b.dx.shape[0])
    dx = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    dy = np.zeros_like(dx)
    for f in (a, b):
        region = np.s_[f.y0 - y0:f.y0 - y0 + f.dx.shape[0], f.x0 - x0:f.x0 - x0 + f.dx.shape[1]]
        dx[region] += f.dx
        dy[region] += f.dy
    return Field(x0, y0, dx, dy)


def eyelid_field(eye: np.ndarray, closure: float, size: tuple[int, int]) -> Optional[Field]:
    """Close one eye by `closure` (0 open .. 1 shut): the upper lid slides down over the eye.

    `eye` holds the eye's six landmarks in 68-point order (corner, two upper-lid points, corner,
    two lower-lid points). In the eye's own frame (s along the corners, t towards the chin) the
    lids are parabolas through the corners; the field moves content down by closure x the lid
    gap, constant across the eye opening, easing to zero over 1.6 gaps above the upper lid
    (a stretch, never a fold) and dropping to zero within 1.5 px below the lower lid, where the
    sliding lid meets it. Backward mapping then shows lid skin where the eye was open."""
    if closure <= 0:
        return None
    eye = np.asarray(eye, dtype=np.float64)
    left, right = (eye[0], eye[3]) if eye[0][0] <= eye[3][0] else (eye[3], eye[0])
    u = right - left
    half = float(np.hypot(*u)) / 2
    if half < 1:
        return None
    u /= 2 * half
    v = np.array([-u[1], u[0]])
    centre = (left + right) / 2
    upper = float(-np.mean((eye[[1, 2]] - centre) @ v))
    lower = float(np.mean((eye[[4, 5]] - centre) @ v))
    gap = max(upper + lower, 0.0)
    if gap <= 0:
        return None
    fade, drop = 1.6 * gap + 1.0, 1.5  # slope of the fade below 1: no fold
    corners = np.array([[-half, -upper - fade], [-half, lower + drop], [half, -upper - fade], [half, lower + drop]])
    box = centre + corners[:, :1] * u + corners[:, 1:] * v
    width, height = size
    x0, y0 = max(0, int(np.floor(box[:, 0].min())) - 1), max(0, int(np.floor(box[:, 1].min())) - 1)
    x1, y1 = min(width, int(np.ceil(box[:, 0].max())) + 2), min(height, int(np.ceil(box[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return None
    gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64) - centre[0], np.arange(y0, y1, dtype=np.float64) - centre[1])
    s = gx * u[0] + gy * u[1]
    t = gx * v[0] + gy * v[1]
    shape = np.clip(1.0 - (s / half) ** 2, 0.0, None)
    t_upper, t_lower = -upper * shape, lower * shape
    above = 0.5 - 0.5 * np.cos(np.pi * np.clip((t - (t_upper - fade)) / fade, 0.0, 1.0))
    below = 0.5 + 0.5 * np.cos(np.pi * np.clip((t - t_lower) / drop, 0.0, 1.0))
    amount = closure * gap * shape * np.where(t <= t_lower, above, below)
    return Field(x0, y0, (amount * v[0]).astype(np.float32), (amount * v[1]).astype(np.float32))


def iris_field(eye: np.ndarray, shift_px: float, size: tuple[int, int]) -> Optional[Field]:
    """Slide what shows inside one eye's opening by `shift_px` along the line through its corners (+: towards the
    image's right): a glance. The shift is full over the middle of the opening and eases to zero at the lids and
    the corners, so the lids and the skin around them stay where they are."""
    eye = np.asarray(eye, dtype=np.float64)
    left, right = (eye[0], eye[3]) if eye[0][0] <= eye[3][0] else (eye[3], eye[0])
    u = right - left
    half = float(np.hypot(*u)) / 2
    if half < 1 or shift_px == 0:
        return None
    u /= 2 * half
    width, height = size
    x0, y0 = max(0, int(np.floor(eye[:, 0].min())) - 1), max(0, int(np.floor(eye[:, 1].min())) - 1)
    x1, y1 = min(width, int(np.ceil(eye[:, 0].max())) + 2), min(height, int(np.ceil(eye[:, 1].max())) + 2)
    if x1 <= x0 or y1 <= y0:
        return None
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    cv2.fillPoly(mask, [np.round(eye - (x0, y0)).astype(np.int32)], 1.0)
    inside = cv2.distanceTransform((mask > 0).astype(np.uint8), cv2.DIST_L2, 3)
    weight = np.clip(inside / max(1.0, 0.35 * float(inside.max())), 0.0, 1.0)
    weight = (0.5 - 0.5 * np.cos(np.pi * weight)).astype(np.float32)
    return Field(x0, y0, (shift_px * u[0] * weight).astype(np.float32), (shift_px * u[1] * weight).astype(np.float32))
