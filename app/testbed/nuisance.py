"""What real footage adds besides expressions, each drawn per video and (except the restless activity and the camera)
written to the nuisance sidecar with its frames:

* blinks: the upper lids close onto the lower ones and open again (0.1-0.4 s);
* gaze shifts: the eye interior (iris) slides sideways, stays, and comes back (0.4-1.5 s);
* head sweeps: the whole picture moves rigidly — a nod (down and back, a slight zoom), a turn (sideways, squeezed a
  little across), a tilt (roll) — 0.5-2 s;
* restless activity (not events, always on): a few action units wander at 0.3-1 % of the inter-ocular distance;
* the camera: Gaussian sensor noise (sigma 1-4 grey levels per video) and JPEG compression of every frame
  (quality drawn per frame in 40-90).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from app.testbed.action_units import combination_vectors
from app.testbed.anatomy import LEFT_EYE_CENTRE, N_MOVABLE, RIGHT_EYE_CENTRE, UPPER_LID_TO_LOWER, FaceAxes
from app.testbed.profiles import bump, plateau

NUISANCE_KINDS = ("blink", "gaze", "head")
RESTLESS_AUS = ("1", "4", "7", "12", "14", "17", "24", "L12", "R2")


@dataclass(frozen=True)
class Nuisance:
    kind: str        # blink | gaze | head
    start: int       # first frame it changes (inclusive)
    end: int         # last frame it changes (inclusive)
    params: dict = field(default_factory=dict)

    def weight(self, index: int) -> float:
        """Its strength on output frame `index` (0 outside start..end, > 0 on every frame inside)."""
        if not self.start <= index <= self.end:
            return 0.0
        n = self.end - self.start + 1
        curve = plateau(n) if self.kind == "gaze" else bump(n)
        return float(curve[index - self.start])


def _intervals(rng: np.random.Generator, n_frames: int, fps: float, mean_gap_s: float,
               seconds: tuple[float, float]) -> list[tuple[int, int]]:
    out, t = [], rng.uniform(0.2, mean_gap_s)
    while True:
        length = max(2, int(round(rng.uniform(*seconds) * fps)))
        start = int(round(t * fps))
        if start + length > n_frames:
            return out
        out.append((start, start + length - 1))
        t = (start + length) / fps + rng.exponential(mean_gap_s)


def plan_nuisances(rng: np.random.Generator, n_frames: int, fps: float) -> list[Nuisance]:
    """Blinks, gaze shifts and head sweeps placed at random, independently of the expressions (so they sometimes
    overlap one, as in real footage); each kind never overlaps itself."""
    out = [Nuisance("blink", s, e, {"closure": round(float(rng.uniform(0.75, 0.95)), 3)})
           for s, e in _intervals(rng, n_frames, fps, 3.0, (0.1, 0.4))]
    out += [Nuisance("gaze", s, e, {"shift_iod": round(float(rng.choice([-1, 1]) * rng.uniform(0.06, 0.14)), 4)})
            for s, e in _intervals(rng, n_frames, fps, 6.0, (0.4, 1.5))]
    for s, e in _intervals(rng, n_frames, fps, 5.0, (0.5, 2.0)):
        motion = str(rng.choice(["nod", "turn", "tilt"]))
        sign = float(rng.choice([-1, 1]))
        params = {"motion": motion,
                  "dx_iod": round(sign * rng.uniform(0.15, 0.4), 4) if motion == "turn" else 0.0,
                  "dy_iod": round(rng.uniform(0.1, 0.3), 4) if motion == "nod" else 0.0,
                  "roll_deg": round(sign * rng.uniform(2.0, 6.0), 3) if motion == "tilt" else 0.0,
                  "zoom": round(rng.uniform(0.01, 0.04), 4) if motion == "nod" else 0.0,
                  "squeeze": round(rng.uniform(0.02, 0.06), 4) if motion == "turn" else 0.0}
        out.append(Nuisance("head", s, e, params))
    return sorted(out, key=lambda n: (n.start, n.kind))


def head_matrix(nuisances: list[Nuisance], index: int, centre: np.ndarray, iod: float) -> np.ndarray:
    """(2, 3) rigid-ish motion of the whole picture on frame `index` (identity outside every head sweep)."""
    matrix = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    for sweep in nuisances:
        w = sweep.weight(index) if sweep.kind == "head" else 0.0
        if w == 0.0:
            continue
        p = sweep.params
        angle = np.deg2rad(w * p["roll_deg"])
        scale = 1.0 + w * p["zoom"]
        linear = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        linear = linear @ np.diag([1.0 - w * p["squeeze"], 1.0])
        shift = centre - linear @ centre + w * iod * np.array([p["dx_iod"], p["dy_iod"]])
        step = np.hstack([linear, shift[:, None]])
        matrix = np.hstack([step[:, :2] @ matrix[:, :2], (step[:, :2] @ matrix[:, 2] + step[:, 2])[:, None]])
    return matrix


def face_offsets(nuisances: list[Nuisance], index: int, points: np.ndarray, axes: FaceAxes) -> np.ndarray:
    """(72, 2) pixel displacements of the movable points by the blinks and gaze shifts active on frame `index`."""
    offsets = np.zeros((N_MOVABLE, 2))
    for item in nuisances:
        w = item.weight(index) if item.kind in ("blink", "gaze") else 0.0
        if w == 0.0:
            continue
        if item.kind == "blink":
            for upper, lower in UPPER_LID_TO_LOWER.items():
                offsets[upper] += w * item.params["closure"] * (points[lower] - points[upper])
            for centre, lids in ((RIGHT_EYE_CENTRE, (37, 38)), (LEFT_EYE_CENTRE, (43, 44))):
                offsets[centre] += 0.5 * offsets[list(lids)].mean(axis=0)
        else:
            shift = w * item.params["shift_iod"] * axes.iod * axes.x
            offsets[RIGHT_EYE_CENTRE] += shift
            offsets[LEFT_EYE_CENTRE] += shift
    return offsets


@dataclass(frozen=True)
class Restless:
    """Always-on low-amplitude activity: per AU combination an amplitude (inter-ocular units) and a sum of slow
    sines (frequencies in Hz, phases)."""

    parts: tuple[tuple[str, float, tuple[float, ...], tuple[float, ...]], ...] = ()

    def vectors(self, index: int, fps: float) -> np.ndarray:
        """(72, 2) face-frame vectors (inter-ocular units) on frame `index`."""
        total = np.zeros((N_MOVABLE, 2))
        t = index / fps
        for code, amplitude, freqs, phases in self.parts:
            wave = np.mean([np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs, phases)])
            total += amplitude * wave * combination_vectors(code)
        return total


def draw_restless(rng: np.random.Generator) -> Restless:
    codes = rng.choice(RESTLESS_AUS, size=4, replace=False)
    return Restless(tuple((str(c), round(float(rng.uniform(0.003, 0.01)), 4),
                           tuple(round(float(f), 3) for f in rng.uniform(0.15, 1.2, 3)),
                           tuple(round(float(p), 3) for p in rng.uniform(0, 2 * np.pi, 3))) for c in codes))


def film(image: np.ndarray, sigma: float, quality: int, rng: np.random.Generator) -> np.ndarray:
    """Sensor noise (Gaussian, `sigma` grey levels), then JPEG at `quality`; quality 0 or sigma 0 skips a step."""
    out = image
    if sigma > 0:
        noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape).astype(np.float32)
        out = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    if quality > 0:
        ok, data = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        out = cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return out
