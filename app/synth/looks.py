"""Per-video looks: a still portrait's face changed before it is animated, so that the videos of one portrait do
not all show the same skin (`tsfmicro synth --looks P`).

The training faces, two real people (the astronaut and Grace Hopper) and their morphs, are a narrow population: two
light-skinned older women. A look changes, inside the face only (jaw line to forehead, feathered, `morph.face_mask`):

* skin tone: a brightness and a warmth gain on the face's R, G and B;
* skin detail: the fine texture (the image minus its blur at about IOD/25) amplified or smoothed;
* stubble: fine dark dots, darker towards the chin, on the upper lip, the chin and the jaw (lips left clear), as a
  beard or a day's growth shows;
* moles: a few small dark spots anywhere on the face.

Everything is painted on the still portrait, so it moves with the head and is carried by every expression warp,
as skin is; the landmarks are unchanged. The subject stays the portrait's (a look is not a new person for
leave-one-subject-out: the face shape and features are the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.synth.action_units import inter_ocular
from app.synth.morph import face_mask

TONE = (0.55, 1.15)      # brightness gain range (log-uniform): darker to lighter skin
WARMTH = (0.9, 1.1)      # red / blue balance
DETAIL = (-0.7, 1.5)     # high-pass gain: < 0 smoother, > 0 more textured skin
P_STUBBLE = 0.4
STUBBLE = (0.2, 0.6)     # darkness of the stubble texture
MOLES = 1.5              # mean number of moles


@dataclass(frozen=True)
class Look:
    brightness: float = 1.0
    warmth: float = 1.0
    detail: float = 0.0
    stubble: float = 0.0
    moles: int = 0
    texture_seed: int = 0  # where the stubble dots and moles fall

    @property
    def plain(self) -> bool:
        """True when the look changes nothing."""
        return (self.brightness, self.warmth, self.detail, self.stubble, self.moles) == (1.0, 1.0, 0.0, 0.0, 0)


def draw_look(rng: np.random.Generator) -> Look:
    """A random look."""
    brightness = float(np.exp(rng.uniform(np.log(TONE[0]), np.log(TONE[1]))))
    stubble = float(rng.uniform(*STUBBLE)) if rng.random() < P_STUBBLE else 0.0
    return Look(brightness=brightness, warmth=float(rng.uniform(*WARMTH)), detail=float(rng.uniform(*DETAIL)),
                stubble=stubble, moles=int(rng.poisson(MOLES)), texture_seed=int(rng.integers(2 ** 31)))


def _polygon_mask(points: np.ndarray, shape: tuple[int, int], feather: float) -> np.ndarray:
    mask = np.zeros(shape, dtype=np.float32)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1.0, lineType=cv2.LINE_AA)
    return cv2.GaussianBlur(mask, (0, 0), max(0.5, feather))


def beard_mask(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(H, W) float32 in [0, 1]: the upper lip, chin and jaw below the cheeks (jaw points 3-13 up to the nostrils),
    without the lips; stronger towards the chin."""
    iod = inter_ocular(landmarks)
    region = np.vstack([landmarks[3:14], landmarks[35:30:-1]])
    lips = landmarks[48:60]
    mask = _polygon_mask(region, shape, 0.08 * iod) * (1.0 - _polygon_mask(lips, shape, 0.04 * iod))
    nose_y, chin_y = landmarks[33, 1], landmarks[8, 1]
    rows = np.clip((np.arange(shape[0], dtype=np.float32) - nose_y) / max(1.0, chin_y - nose_y), 0.0, 1.0)
    return mask * (0.6 + 0.4 * rows)[:, None]


def apply_look(image: np.ndarray, landmarks: np.ndarray, look: Look) -> np.ndarray:
    """`image` (H, W, 3) RGB uint8 with `look` painted on the face that `landmarks` (68, 2) outline."""
    if look.plain:
        return image
    shape = image.shape[:2]
    iod = inter_ocular(landmarks)
    face = face_mask(landmarks, shape, iod)[..., None]
    out = image.astype(np.float32)
    if look.detail:
        blurred = cv2.GaussianBlur(out, (0, 0), max(0.7, iod / 25))
        out = out + face * look.detail * (out - blurred)
    gains = look.brightness * np.array([look.warmth, 1.0, 1.0 / look.warmth], dtype=np.float32)
    out = out * (1.0 + face * (gains - 1.0))
    rng = np.random.default_rng(look.texture_seed)
    if look.stubble:
        dots = (rng.random(shape) < 0.35).astype(np.float32)
        dots = cv2.GaussianBlur(dots, (0, 0), max(0.5, iod / 90))
        darken = look.stubble * beard_mask(landmarks, shape) * face[..., 0] * np.clip(dots / max(1e-6, dots.max()),
                                                                                      0.0, 1.0)
        out = out * (1.0 - darken[..., None])
    for _ in range(look.moles):
        # a point of the face: between two random landmarks of the jaw, brows and nose (never on an eye)
        a, b = landmarks[rng.integers(0, 36, size=2)]
        centre = a + rng.uniform(0.2, 0.8) * (b - a)
        spot = np.zeros(shape, dtype=np.float32)
        cv2.circle(spot, (int(round(centre[0])), int(round(centre[1]))), max(1, int(round(iod / 40))), 1.0, -1,
                   lineType=cv2.LINE_AA)
        out = out * (1.0 - 0.45 * cv2.GaussianBlur(spot, (0, 0), max(0.5, iod / 80))[..., None] * face)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
