"""Face morphs: new synthetic identities made from two real portraits.

A morph at weight w takes portrait B aligned onto portrait A (a similarity transform fitted on their 68
landmarks), warps both smoothly (a thin-plate spline through the landmarks, the image border fixed) onto the
blended shape (1 − w)·A + w·B, and blends their pixels inside the face (jaw, cheeks, brows and forehead, feathered)
with the same weight; outside the face, A's warped image stays (hair, clothes, background). The result is a face
that is neither A nor B: its shape, texture, skin tone and shading are in between. The landmarks of the result are
the blended shape.
"""

from __future__ import annotations

import cv2
import numpy as np

CHUNK = 65536  # pixels per block when evaluating the spline
FEATHER = 0.25  # blend-mask feathering, in inter-ocular distances


def _kernel(r2: np.ndarray) -> np.ndarray:
    """The thin-plate kernel U = r² log r² (0 at r = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r2 > 0, r2 * np.log(r2), 0.0)


def thin_plate_map(target: np.ndarray, source: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """cv2.remap maps (map_x, map_y) of an image of `shape` (H, W) sending `target` points to `source` points: the
    output pixel at target[i] samples the input at source[i], smoothly in between."""
    height, width = shape
    border = np.array([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1], [width / 2, 0],
                       [width / 2, height - 1], [0, height / 2], [width - 1, height / 2]], dtype=np.float64)
    p = np.vstack([target, border])
    q = np.vstack([source, border])
    n = len(p)
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = _kernel(((p[:, None] - p[None]) ** 2).sum(-1))
    system[:n, n] = 1.0
    system[:n, n + 1:] = p
    system[n, :n] = 1.0
    system[n + 1:, :n] = p.T
    rhs = np.zeros((n + 3, 2))
    rhs[:n] = q
    coef = np.linalg.solve(system, rhs)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    mapped = np.empty_like(grid)
    for start in range(0, len(grid), CHUNK):  # bounded memory: CHUNK x n kernel values at a time
        part = grid[start:start + CHUNK]
        mapped[start:start + CHUNK] = (_kernel(((part[:, None] - p[None]) ** 2).sum(-1)) @ coef[:n] + coef[n]
                                       + part @ coef[n + 1:])
    fine = mapped.reshape(height, width, 2).astype(np.float32)
    return np.ascontiguousarray(fine[..., 0]), np.ascontiguousarray(fine[..., 1])


def face_mask(landmarks: np.ndarray, shape: tuple[int, int], iod: float) -> np.ndarray:
    """(H, W) float32 in [0, 1]: 1 over the face (jaw line, and the brows raised by half an IOD for the forehead),
    feathered over about FEATHER IOD."""
    jaw, brows = landmarks[0:17], landmarks[17:27]
    forehead = brows - np.array([0.0, 0.5 * iod])
    hull = cv2.convexHull(np.vstack([jaw, forehead]).astype(np.float32)).astype(np.int32)
    mask = np.zeros(shape, dtype=np.float32)
    cv2.fillConvexPoly(mask, hull, 1.0, lineType=cv2.LINE_AA)
    sigma = max(1.0, FEATHER * iod)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)
    return mask


def morph(a_image: np.ndarray, a_landmarks: np.ndarray, b_image: np.ndarray, b_landmarks: np.ndarray,
          weight: float) -> tuple[np.ndarray, np.ndarray]:
    """(image on A's canvas, its 68 landmarks): B's weight `weight` in shape and texture, 0 < weight < 1."""
    if not 0.0 < weight < 1.0:
        raise ValueError(f"morph weight must be in (0, 1), got {weight}")
    height, width = a_image.shape[:2]
    similarity, _ = cv2.estimateAffinePartial2D(b_landmarks.astype(np.float32), a_landmarks.astype(np.float32))
    b_aligned = cv2.warpAffine(b_image, similarity, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    b_points = b_landmarks @ similarity[:, :2].T + similarity[:, 2]
    shape = (1.0 - weight) * a_landmarks + weight * b_points
    warped = []
    for image, points in ((a_image, a_landmarks), (b_aligned, b_points)):
        map_x, map_y = thin_plate_map(shape, points, (height, width))
        warped.append(cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                      .astype(np.float32))
    iod = float(np.hypot(*(shape[36:42].mean(0) - shape[42:48].mean(0))))
    alpha = weight * face_mask(shape, (height, width), iod)[..., None]
    out = (1.0 - alpha) * warped[0] + alpha * warped[1]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), shape
