"""What one test video shows, drawn from (seed, index) alone: its face, the expressions with their exact frames, the
nuisances, the restless activity and the camera. Each part draws from a random stream of its own, so removing the
expressions (`without_expressions`) leaves every other pixel decision the same.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from app.testbed.emotions import AU_SETS, EMOTIONS
from app.testbed.faces import Placement
from app.testbed.nuisance import Nuisance, Restless, draw_restless, plan_nuisances
from app.testbed.profiles import Profile, draw_profile

MICRO_IOD = (0.02, 0.06)
MACRO_IOD = (0.08, 0.2)
MICRO_SHARE = 0.7
STILL_FPS = 30.0
_STREAMS = {"layout": 1, "nuisance": 2, "restless": 3, "camera": 4, "placement": 5}


@dataclass(frozen=True)
class Expression:
    event_id: str
    kind: str          # micro | macro
    emotion: str
    action_units: str  # e.g. "6+12", "L14"
    amplitude_iod: float
    onset: int
    profile: Profile

    @property
    def apex(self) -> int:
        return self.onset + self.profile.apex

    @property
    def offset(self) -> int:
        return self.onset + self.profile.n_frames - 1

    def intensity(self, index: int) -> float:
        return self.profile.values[index - self.onset] if self.onset <= index <= self.offset else 0.0


@dataclass(frozen=True)
class VideoPlan:
    name: str
    seed: int
    index: int
    face: str
    face_kind: str          # still | talking
    size: tuple[int, int]   # width, height
    fps: float
    n_frames: int
    placement: Placement
    clip_start: int
    expressions: tuple[Expression, ...]
    nuisances: tuple[Nuisance, ...]
    restless: Restless
    noise_sigma: float
    jpeg_quality: tuple[int, ...]  # per frame; 0 = no JPEG
    crf: int = 20

    def without_expressions(self) -> "VideoPlan":
        return dataclasses.replace(self, expressions=())

    def without_restless(self) -> "VideoPlan":
        return dataclasses.replace(self, restless=Restless())

    def without_camera(self) -> "VideoPlan":
        """No sensor noise, no JPEG (for checks on the pixels themselves)."""
        return dataclasses.replace(self, noise_sigma=0.0, jpeg_quality=(0,) * self.n_frames)


def _rng(seed: int, index: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index), _STREAMS[stream], 7357]))


def plan_expressions(rng: np.random.Generator, n_frames: int, fps: float) -> list[Expression]:
    """Expressions one after another, 0.4-1.5 s apart, none within 0.3 s of the video's ends."""
    out: list[Expression] = []
    t = rng.uniform(0.3, 1.0)
    while True:
        kind = "micro" if rng.random() < MICRO_SHARE else "macro"
        emotion = str(rng.choice(EMOTIONS))
        aus = str(rng.choice(AU_SETS[emotion]))
        profile = draw_profile(rng, fps, kind)
        amplitude = rng.uniform(*(MICRO_IOD if kind == "micro" else MACRO_IOD))
        onset = int(round(t * fps))
        if onset + profile.n_frames > n_frames - int(0.3 * fps):
            return out
        out.append(Expression(f"tb{len(out) + 1:02d}", kind, emotion, aus, round(float(amplitude), 4), onset,
                              profile))
        t = (onset + profile.n_frames) / fps + rng.uniform(0.4, 1.5)


def plan_video(seed: int, index: int, face: str, face_kind: str, seconds: float,
               size: tuple[int, int] = (640, 480), clip_fps: float | None = None,
               n_clip_frames: int = 1, still_fps: float = STILL_FPS) -> VideoPlan:
    """The plan of video `index` of the set `seed`. A talking face plays at its clip's own rate (`clip_fps`); a
    still one at `still_fps` (30 fps)."""
    fps = float(clip_fps) if face_kind == "talking" and clip_fps else float(still_fps)
    n_frames = max(3, int(round(seconds * fps)))
    placement_rng = _rng(seed, index, "placement")
    placement = Placement(zoom=round(float(placement_rng.uniform(1.0, 1.3)), 3),
                          centre=(round(float(placement_rng.uniform(0.42, 0.58)), 3),
                                  round(float(placement_rng.uniform(0.4, 0.5)), 3)))
    clip_start = int(placement_rng.integers(0, max(1, n_clip_frames)))
    camera = _rng(seed, index, "camera")
    sigma = round(float(camera.uniform(1.0, 4.0)), 3)
    quality = tuple(int(q) for q in camera.integers(40, 91, n_frames))
    return VideoPlan(
        name=f"testbed_s{seed}_{index:03d}_{face}_{face_kind}", seed=seed, index=index, face=face,
        face_kind=face_kind, size=tuple(size), fps=fps, n_frames=n_frames, placement=placement, clip_start=clip_start,
        expressions=tuple(plan_expressions(_rng(seed, index, "layout"), n_frames, fps)),
        nuisances=tuple(plan_nuisances(_rng(seed, index, "nuisance"), n_frames, fps)),
        restless=draw_restless(_rng(seed, index, "restless")), noise_sigma=sigma, jpeg_quality=quality)


def plan_to_json(plan: VideoPlan) -> dict:
    """The plan as the manifest stores it."""
    data = dataclasses.asdict(plan)
    data["expressions"] = [{"event_id": e.event_id, "kind": e.kind, "emotion": e.emotion,
                            "action_units": e.action_units, "amplitude_iod": e.amplitude_iod, "onset_frame": e.onset,
                            "apex_frame": e.apex, "offset_frame": e.offset,
                            "intensity": [round(v, 4) for v in e.profile.values]} for e in plan.expressions]
    data["restless"] = [{"action_units": c, "amplitude_iod": a, "freqs_hz": f, "phases": p}
                        for c, a, f, p in plan.restless.parts]
    return data
