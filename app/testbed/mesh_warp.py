"""Piecewise-affine warp: a Delaunay mesh over the neutral points, each triangle mapped onto its displaced copy by
its own affine transform (backward mapping, one `cv2.remap` over the window the moved triangles cover).

Only triangles with a moved vertex are touched; every other pixel is copied unchanged, so a frame whose points do
not move comes back bit for bit.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay

_SHIFT = 4  # sub-pixel bits for rasterising the triangles


def triangulate(points: np.ndarray) -> np.ndarray:
    """(T, 3) vertex indices of the Delaunay triangulation of (N, 2) points."""
    return Delaunay(np.asarray(points, dtype=np.float64)).simplices.astype(np.int64)


def _barycentric(dst: np.ndarray) -> np.ndarray:
    """(T, 3, 3) matrices B with [x, y, 1] @ B = the barycentric coordinates of (x, y) in each triangle."""
    return np.linalg.pinv(np.concatenate([dst, np.ones(dst.shape[:2] + (1,))], axis=2))


def _settle_edges(ids: np.ndarray, xs: np.ndarray, ys: np.ndarray, dst: np.ndarray, eps: float = 1e-6) -> None:
    """Rasterising spills a pixel past a triangle's edge now and then: such a pixel is given the moved triangle
    that really holds it, or none (it then keeps its place), so nothing outside the moved triangles shifts."""
    bary = _barycentric(dst)
    where = np.nonzero(ids >= 0)
    homog = np.stack([xs[where], ys[where], np.ones(len(where[0]))], axis=1)
    lam = np.einsum("nk,nkj->nj", homog, bary[ids[where]])
    spilled = lam.min(axis=1) < -eps
    if not spilled.any():
        return
    rows, cols = where[0][spilled], where[1][spilled]
    lam_all = np.einsum("nk,tkj->ntj", homog[spilled], bary)
    holds = lam_all.min(axis=2) >= -eps
    ids[rows, cols] = np.where(holds.any(axis=1), holds.argmax(axis=1), -1)


def warp_mesh(image: np.ndarray, neutral: np.ndarray, displaced: np.ndarray,
              triangles: np.ndarray | None = None) -> np.ndarray:
    """`image` deformed so that the content at each `neutral` point appears at its `displaced` point.

    Returns `image` itself when nothing moves, else a new array."""
    neutral = np.asarray(neutral, dtype=np.float64)
    displaced = np.asarray(displaced, dtype=np.float64)
    moved = np.any(neutral != displaced, axis=1)
    if not moved.any():
        return image
    if triangles is None:
        triangles = triangulate(neutral)
    triangles = triangles[moved[triangles].any(axis=1)]
    src, dst = neutral[triangles], displaced[triangles]
    height, width = image.shape[:2]
    corners = np.concatenate([src.reshape(-1, 2), dst.reshape(-1, 2)])
    x0, y0 = np.clip(np.floor(corners.min(axis=0)).astype(int) - 1, 0, None)
    x1 = int(min(width, np.ceil(corners[:, 0].max()) + 2))
    y1 = int(min(height, np.ceil(corners[:, 1].max()) + 2))
    if x1 <= x0 or y1 <= y0:
        return image
    ids = np.full((y1 - y0, x1 - x0), -1, dtype=np.int32)
    for t, tri in enumerate(dst):
        poly = np.round((tri - (x0, y0)) * (1 << _SHIFT)).astype(np.int32)
        cv2.fillConvexPoly(ids, poly, int(t), cv2.LINE_8, _SHIFT)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    _settle_edges(ids, xs, ys, dst)
    inside = ids >= 0
    affines = (_barycentric(dst) @ src)[ids[inside]]  # [x, y, 1] @ A = the source point of (x, y)
    map_x, map_y = xs.copy(), ys.copy()
    px, py = xs[inside], ys[inside]
    map_x[inside] = px * affines[:, 0, 0] + py * affines[:, 1, 0] + affines[:, 2, 0]
    map_y[inside] = px * affines[:, 0, 1] + py * affines[:, 1, 1] + affines[:, 2, 1]
    window = cv2.remap(image, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    out = image.copy()
    out[y0:y1, x0:x1] = window
    return out
