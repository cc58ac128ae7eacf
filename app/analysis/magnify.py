"""Eulerian motion magnification of aligned face crops, and the apex − onset difference heat map.

The method is linear Eulerian video magnification (Wu et al., SIGGRAPH 2012) with the simplest
temporal filter: every frame's luminance is compared with the first frame of the range (the
onset), the difference is split into the bands of a Laplacian pyramid, optionally smoothed over
time, and added back `factor − 1` times. Fine bands, whose wavelength is below `cutoff_px`, are
amplified less (their linear approximation breaks first and they carry mostly noise); the
coarsest residual (lighting) is not amplified at all. The amplified luminance change is added to
R, G and B alike, so colours are kept, and with `factor = 1` the crops come back unchanged.

Two additions keep the result about the face's own movement. With `register`, the head's residual
motion left by the alignment (a pixel or two of drift, which would draw every edge of hair and
collar) is first removed from each crop against the first (`app.analysis.registration`), and the
amplified change is moved back onto the crop as it was. And the amplified change is faded out
outside the canonical face area (brows to chin), so hair, background and clothes stay as filmed.

All operations are linear, so the pyramid is built once per frame from the difference image
rather than from each frame. Qt-free; numpy and OpenCV only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from app.analysis.registration import crop_motion, register_crop, registration_thumb
from app.face.config import AlignConfig

MAX_FACTOR = 100.0


@dataclass(frozen=True)
class MagnifyConfig:
    levels: int = 4  # pyramid bands (224 px crops: 224, 112, 56, 28; residual 14 px)
    cutoff_px: float = 16.0  # bands of shorter wavelength are amplified proportionally less
    smooth_frames: float = 0.0  # sigma of a Gaussian over time (frames); 0: none
    register: bool = True  # remove the head's residual motion before measuring the face's
    face_only: bool = True  # fade the amplification out beyond the canonical face area

    def __post_init__(self):
        if not (isinstance(self.levels, int) and 1 <= self.levels <= 8):
            raise ValueError(f"levels must be an integer from 1 to 8, got {self.levels!r}")
        if not (math.isfinite(self.cutoff_px) and self.cutoff_px > 0):
            raise ValueError(f"cutoff_px must be a positive number, got {self.cutoff_px!r}")
        if not (math.isfinite(self.smooth_frames) and self.smooth_frames >= 0):
            raise ValueError(f"smooth_frames must be a number >= 0, got {self.smooth_frames!r}")


def check_factor(factor: object) -> float:
    """The magnification factor as a float; ValueError unless it is a number from 1 to MAX_FACTOR."""
    try:
        value = float(factor)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"the magnification factor must be a number, got {factor!r}") from None
    if not (math.isfinite(value) and 1.0 <= value <= MAX_FACTOR):
        raise ValueError(f"the magnification factor must be from 1 (no magnification) to {MAX_FACTOR:g}, got {factor!r}")
    return value


def check_crops(crops: np.ndarray) -> np.ndarray:
    crops = np.asarray(crops)
    if crops.dtype != np.uint8 or crops.ndim != 4 or crops.shape[3] != 3 or len(crops) < 1:
        raise ValueError(f"expected face crops as an (n, H, W, 3) uint8 RGB array, got {crops.dtype} {crops.shape}")
    return crops


def luminance(crops: np.ndarray) -> np.ndarray:
    """(n, H, W) float32 luma (BT.601, as OpenCV's RGB → gray) of (n, H, W, 3) uint8 RGB crops."""
    rgb = crops.astype(np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def face_mask(size: int, align: AlignConfig = AlignConfig()) -> np.ndarray:
    """(size, size) float32 weights: 1 over the canonical face area of an aligned crop (an ellipse
    from above the brows to the chin), fading to 0 over about a tenth of the crop beyond it."""
    span, mask = align.eye_span * size, np.zeros((size, size), np.float32)
    centre = (int(round(0.5 * size)), int(round(align.eye_line * size + 0.45 * span)))
    axes = (int(round(0.75 * span)), int(round(0.95 * span)))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 1.0, -1)
    return cv2.GaussianBlur(mask, (0, 0), max(1.0, 0.04 * size))


def _smooth_over_time(stack: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0 or len(stack) < 2:
        return stack
    radius = max(1, int(math.ceil(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.pad(stack, ((radius, radius), (0, 0), (0, 0)), mode="edge")
    out = np.zeros_like(stack)
    for k, weight in enumerate(taps):
        out += weight * padded[k:k + len(stack)]
    return out


def band_weights(config: MagnifyConfig) -> list[float]:
    """Relative amplification of each pyramid band, finest first (band l has wavelength ~2^(l+1) px)."""
    return [min(1.0, 2.0 ** (level + 1) / config.cutoff_px) for level in range(config.levels)]


def amplify_difference(diff: np.ndarray, gain: float, config: MagnifyConfig = MagnifyConfig()) -> np.ndarray:
    """`gain` × the band-passed (H, W) float32 difference image: the Laplacian bands, each weighted by
    `band_weights`, collapsed again; the coarsest residual is dropped."""
    bands, current = [], diff.astype(np.float32)
    for _ in range(config.levels):
        if min(current.shape) < 2:
            break
        down = cv2.pyrDown(current)
        bands.append(current - cv2.pyrUp(down, dstsize=(current.shape[1], current.shape[0])))
        current = down
    out = np.zeros_like(current)
    for band, weight in zip(reversed(bands), reversed(band_weights(config)[:len(bands)])):
        out = cv2.pyrUp(out, dstsize=(band.shape[1], band.shape[0])) + weight * band
    return gain * out


def magnify(crops: np.ndarray, factor: float, config: MagnifyConfig = MagnifyConfig()) -> np.ndarray:
    """The crops with the motion relative to the first crop multiplied by `factor` (1: unchanged).

    crops: (n, H, W, 3) uint8 RGB aligned faces of consecutive frames; returns the same shape."""
    crops = check_crops(crops)
    factor = check_factor(factor)
    if factor == 1.0:
        return crops.copy()
    height, width = crops.shape[1:3]
    luma = luminance(crops)
    motions = head_motions(crops) if config.register else [None] * len(crops)
    for i, motion in enumerate(motions):
        if motion is not None:  # the crop as seen from the first crop's head position
            luma[i] = cv2.warpAffine(luma[i], motion, (width, height),
                                     flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    changes = _smooth_over_time(luma - luma[0], config.smooth_frames)
    mask = face_mask(width) if config.face_only and width == height else np.ones((height, width), np.float32)
    out = np.empty_like(crops)
    for i, crop in enumerate(crops):
        extra = amplify_difference(changes[i], factor - 1.0, config) * mask
        if motions[i] is not None:  # back to where the head is in this crop
            extra = cv2.warpAffine(extra, motions[i], (width, height), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        out[i] = np.clip(crop.astype(np.float32) + extra[..., None], 0, 255).round().astype(np.uint8)
    return out


def head_motions(crops: np.ndarray) -> list:
    """Per crop, the (2, 3) similarity from the first crop's pixels to the same points of the head in
    this crop (None for the first); square crops only, else all None."""
    if crops.shape[1] != crops.shape[2]:
        return [None] * len(crops)
    ref_thumb = registration_thumb(crops[0])
    return [None] + [crop_motion(crops[0], crop, ref_thumb) for crop in crops[1:]]


def mean_abs_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 images, in grey levels."""
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def largest_difference(crops: np.ndarray) -> int:
    """Position (0-based, within `crops`) of the crop that differs most from the first: the apex guess."""
    luma = luminance(check_crops(crops))
    scores = np.abs(luma - luma[0]).mean(axis=(1, 2))
    return int(np.argmax(scores))


def difference_heatmap(onset: np.ndarray, apex: np.ndarray, *, register: bool = True, face_only: bool = True,
                       floor: float = 6.0, blur_px: float = 3.0, overlay: float = 0.6) -> np.ndarray:
    """Where the face changed from onset to apex: an (H, W, 3) uint8 RGB image, the |apex − onset|
    luminance difference (blurred, coloured blue → red) over the onset face in grey.

    With `register` the apex crop is first moved onto the onset crop (the head's residual motion
    removed); with `face_only` the colour fades out beyond the canonical face area. The colour scale
    runs to the 99.5th percentile of the difference but never below `floor` grey levels, so a still
    face stays blue instead of showing its noise at full scale."""
    pair = check_crops(np.stack([np.asarray(onset), np.asarray(apex)]))
    square = pair.shape[1] == pair.shape[2]
    if register and square:
        pair[1] = register_crop(pair[0], pair[1])
    luma = luminance(pair)
    diff = np.abs(luma[1] - luma[0])
    diff = cv2.GaussianBlur(diff, (0, 0), blur_px) if blur_px > 0 else diff
    weight = face_mask(pair.shape[2]) if face_only and square else np.ones(diff.shape, np.float32)
    scale = max(float(np.percentile(diff[weight > 0.5] if (weight > 0.5).any() else diff, 99.5)), floor)
    level = np.clip(diff / scale * 255.0, 0, 255).astype(np.uint8)
    heat = cv2.cvtColor(cv2.applyColorMap(level, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB).astype(np.float32)
    grey = np.repeat(luma[0][..., None], 3, axis=2)
    alpha = (overlay * weight)[..., None]
    return np.clip(alpha * heat + (1.0 - alpha) * grey, 0, 255).round().astype(np.uint8)
