"""What one synthetic video shows, decided up front from a seed: the `VideoSpec`.

Expressions (micro and macro) are laid out one after another with neutral gaps; nuisance that is
not an expression (blinks, bursts of talking, lighting flicker) goes into those gaps only, at
least `margin` frames away from every expression, so each labelled interval contains the
expression's motion and nothing else added on purpose. Head motion (astronaut) and the real
clip's own talking and motion (carphone) go on throughout.

`busy` > 0 makes the video busier, as interviews are: restless activity of a few action units throughout, below
a micro-expression's size; glances (gaze shifts) and head sweeps (a nod, turn or tilt and back) anywhere; and, with
that chance per expression, one blink, glance, sweep or burst of talk placed over
the expression itself, so a labelled interval may hold other motion too. They come from a random stream of their
own: a busy video shows the same expressions and gap nuisance as the same video without `busy`.

`any_aus` > 0 is the chance per expression that it shows one to three action units drawn from every one the renderer
knows (either side or one), at unequal strengths, instead of one of its emotion's typical codes (`EMOTION_AUS`), and
is labelled "others": a spotter trained on them cannot learn a short list of templates by heart, as real footage
shows far more combinations. Also drawn from a stream of its own: timing and nuisance stay the same.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from app.core.events import Event
from app.synth import timing
from app.synth.action_units import AU_TABLE, EMOTION_AUS, EMOTIONS, split_codes
from app.synth.faces import FACES, Framing, is_still_portrait, subject_of
from app.synth.looks import Look, draw_look

MICRO_AMPLITUDE = (0.03, 0.06)  # peak displacement, in inter-ocular distances
MACRO_AMPLITUDE = (0.10, 0.20)
TALK_AMPLITUDE = (0.10, 0.18)
P_MACRO = 0.3
GAP_S = (1.0, 2.5)  # neutral time between two expressions
LEAD_S = (0.6, 1.5)
TAIL_S = 0.5
CRF = (19, 26)
NUISANCE_P = {"blink": 0.6, "talk": 0.4, "flicker": 0.3}
NUISANCE_KINDS = {"carphone": ("blink", "flicker"), "wolfgang": ("blink", "flicker")}  # the clips talk by themselves
CLIP_LOOP = {"carphone": 238, "wolfgang": 942}  # frames in one forwards-and-back loop of a clip: where a video starts
STILL_NUISANCE = ("blink", "talk", "flicker")  # every still portrait
CAMERA_STREAM = 7  # the camera resolution's own random stream (added later; leaves every other draw unchanged)
LOOK_STREAM = 8  # the look's own random stream (likewise)
BUSY_STREAM = 9  # the busy nuisance's own random stream (likewise)
ANY_AUS_STREAM = 10  # the varied action units' own random stream (likewise)
ANY_AUS_COUNT = (1, 3)  # action units in a varied expression
ANY_AUS_ONE_SIDED = 0.25  # chance that one of them shows on one side only
ANY_AUS_WEIGHT = (0.4, 1.0)  # relative strengths (the strongest is 1)
GAZE_IOD = (0.05, 0.12)  # a glance's sideways iris shift
SWEEPS = {"nod": (0.08, 0.25), "turn": (0.10, 0.35), "tilt": (2.0, 7.0)}  # peak shift (IOD) or roll (degrees)
FIDGET_CODES = ("1", "2", "4", "6", "7", "10", "12", "14", "15", "17", "L12", "R12", "L2", "R2")
FIDGET_AMPLITUDE = (0.008, 0.025)  # peak displacement (IOD) of restless activity: below a micro-expression's


@dataclass(frozen=True)
class Expression:
    """A rendered expression: frames onset..offset (inclusive) with intensities `intensity`
    (exactly 1 at the apex), AU codes with relative weights, peak displacement `amplitude` (IOD)."""

    kind: str
    emotion: str
    action_units: str
    au_weights: tuple[float, ...]
    onset: int
    apex: int
    offset: int
    amplitude: float
    intensity: tuple[float, ...]

    def weighted_codes(self) -> list[tuple[str, float]]:
        return list(zip(split_codes(self.action_units), self.au_weights))


@dataclass(frozen=True)
class Nuisance:
    """Blink (eyelid closure 0..1), talk (mouth opening 0..1, peak `amplitude` IOD), flicker (brightness gain),
    gaze (iris shift 0..1 of `amplitude` IOD, signed: + towards the image's right), sweep (head movement weight
    0..1 of `params` = (dx IOD, dy IOD, roll degrees, zoom) at the peak) or fidget (restless activity 0..1 of the
    action unit FIDGET_CODES[params[0]], peak `amplitude` IOD) over frames start..end inclusive."""

    kind: str
    start: int
    end: int
    values: tuple[float, ...]
    amplitude: float = 1.0
    params: tuple[float, ...] = ()


@dataclass(frozen=True)
class VideoSpec:
    name: str
    face: str
    size: tuple[int, int]
    fps: float
    n_frames: int
    framing: Framing
    expressions: tuple[Expression, ...]
    nuisances: tuple[Nuisance, ...]
    crf: int
    seed: int
    camera_scale: float = 1.0  # the camera's resolution as a fraction of the frame size (1: full; see render.py)
    look: Look = Look()  # skin tone, detail, stubble, moles painted on a still portrait (looks.py); plain by default

    def neutral(self) -> "VideoSpec":
        """The same video without its expressions (same face, motion and nuisance)."""
        return dataclasses.replace(self, expressions=())

    def summary(self) -> dict:
        """JSON-friendly description (for the dataset's manifest)."""
        return {
            "name": self.name, "face": self.face, "size": list(self.size), "fps": self.fps,
            "n_frames": self.n_frames, "crf": self.crf, "seed": self.seed, "camera_scale": round(self.camera_scale, 4),
            "framing": dataclasses.asdict(self.framing),
            "expressions": [{"kind": e.kind, "emotion": e.emotion, "action_units": e.action_units,
                             "onset": e.onset, "apex": e.apex, "offset": e.offset,
                             "amplitude_iod": round(e.amplitude, 4)} for e in self.expressions],
            "nuisance": [{"kind": n.kind, "start": n.start, "end": n.end} for n in self.nuisances],
            **({} if self.look.plain else {"look": dataclasses.asdict(self.look)}),
        }


def spec_events(spec: VideoSpec, video: str, notes: Optional[str] = None) -> list[Event]:
    """The training-CSV rows of a spec's expressions; `video` is the path relative to the CSV."""
    notes = f"synthetic (seed {spec.seed})" if notes is None else notes
    return [
        Event(video=video, subject=subject_of(spec.face), event_id=f"{spec.name}_e{k:02d}", onset_frame=e.onset,
              apex_frame=e.apex, offset_frame=e.offset, fps=spec.fps, kind=e.kind, emotion=e.emotion,
              action_units=e.action_units, source="imported", status="accepted", notes=notes)
        for k, e in enumerate(spec.expressions)
    ]


def _seconds(rng: np.random.Generator, span: tuple[float, float], fps: float) -> int:
    return int(round(rng.uniform(*span) * fps))


def draw_framing(rng: np.random.Generator, face: str, size: tuple[int, int]) -> Framing:
    if face in CLIP_LOOP:
        return Framing(iod_px=0.0, centre=(float(rng.uniform(0.45, 0.55)), float(rng.uniform(0.4, 0.5))),
                       drift_px=0.0, roll_deg=0.0, zoom=0.0, start_frame=int(rng.integers(0, CLIP_LOOP[face])),
                       clip_zoom=float(rng.uniform(1.0, 1.2)))
    iod = size[1] * float(rng.uniform(0.09, 0.17))
    return Framing(iod_px=iod, centre=(float(rng.uniform(0.42, 0.58)), float(rng.uniform(0.38, 0.5))),
                   drift_px=iod * float(rng.uniform(0.05, 0.2)), roll_deg=float(rng.uniform(0.5, 2.5)),
                   zoom=float(rng.uniform(0.01, 0.03)), motion_seed=int(rng.integers(2 ** 31)))


def draw_expression(rng: np.random.Generator, kind: str, fps: float, onset: int,
                    micro_s: Optional[tuple[float, float]] = None) -> Expression:
    rise, total = timing.draw_macro(rng, fps) if kind == "macro" else timing.draw_micro(rng, fps, micro_s)
    emotion = str(rng.choice(EMOTIONS))
    codes = str(rng.choice(EMOTION_AUS[emotion]))
    weights = rng.uniform(0.75, 1.0, size=len(split_codes(codes)))
    span = MACRO_AMPLITUDE if kind == "macro" else MICRO_AMPLITUDE
    profile = timing.rise_fall(rise, total)
    return Expression(kind, emotion, codes, tuple(float(w) for w in weights / weights.max()), onset, onset + rise,
                      onset + total - 1, float(rng.uniform(*span)), tuple(float(v) for v in profile))


def _draw_nuisance(rng: np.random.Generator, kind: str, fps: float, start: int,
                   talk_iod: tuple[float, float] = TALK_AMPLITUDE) -> Nuisance:
    if kind == "blink":
        values, amplitude = timing.blink_profile(rng, fps), 1.0
    elif kind == "talk":
        values, amplitude = timing.talk_profile(rng, fps), float(rng.uniform(*talk_iod))
    elif kind == "flicker":
        values, amplitude = timing.flicker_profile(rng, fps), 0.0
    elif kind == "gaze":
        values = timing.gaze_profile(rng, fps)
        amplitude = float(rng.choice([-1.0, 1.0]) * rng.uniform(*GAZE_IOD))
    else:
        return _draw_sweep(rng, fps, start)
    return Nuisance(kind, start, start + len(values) - 1, tuple(float(v) for v in values), amplitude)


def _draw_sweep(rng: np.random.Generator, fps: float, start: int) -> Nuisance:
    """A nod (down or up, with a slight zoom), a turn (sideways) or a tilt (roll), with a little of the others."""
    values = timing.sweep_profile(rng, fps)
    style = str(rng.choice(sorted(SWEEPS)))
    peak = float(rng.choice([-1.0, 1.0]) * rng.uniform(*SWEEPS[style]))
    dx, dy, roll = (float(v) for v in rng.normal(0.0, [0.02, 0.02, 0.5]))
    zoom = float(rng.normal(0.0, 0.005))
    if style == "nod":
        dy, zoom = peak, zoom + 0.1 * abs(peak)
    elif style == "turn":
        dx = peak
    else:
        roll = peak
    return Nuisance("sweep", start, start + len(values) - 1, tuple(float(v) for v in values), 1.0,
                    (dx, dy, roll, zoom))


def plan_video(
    seed: int,
    index: int = 0,
    face: str = "astronaut",
    fps: float = 30.0,
    duration_s: Optional[float] = None,
    size: tuple[int, int] = (640, 480),
    crf: Optional[int] = None,
    camera_scale: Optional[tuple[float, float]] = None,
    looks: float = 0.0,
    micro_s: Optional[tuple[float, float]] = None,
    busy: float = 0.0,
    any_aus: float = 0.0,
    gap_s: Optional[tuple[float, float]] = None,
    talk_iod: Optional[tuple[float, float]] = None,
) -> VideoSpec:
    """Everything video `index` of data set `seed` shows; the same arguments give the same spec.

    `duration_s` None draws 10-20 s. `camera_scale` (low, high) draws the camera's resolution per video,
    log-uniformly, from a random stream of its own (every other draw is the same with or without it); None: 1.
    `looks`: the chance that a still portrait gets a random look (`draw_video_look`); 0: none. `micro_s` (low, high):
    micro-expressions last that many seconds, drawn log-uniformly (`timing.draw_micro`); None: 0.2-0.5 s.
    `busy` in [0, 1]: the chance per expression of nuisance over it, and of glances and head sweeps between (see
    the module's docstring); 0: none. `any_aus` in [0, 1]: the chance per expression of varied action units
    (`vary_action_units`); 0: every expression shows its emotion's typical codes. `gap_s` (low, high): the neutral
    time between two expressions, drawn uniformly; None: `GAP_S` (expressions close together, for training).
    `talk_iod` (low, high): a burst of talk's peak mouth opening in inter-ocular distances, drawn uniformly (only the
    amplitudes change: every other draw is the same); None: `TALK_AMPLITUDE`."""
    if face not in FACES:
        raise ValueError(f"unknown face {face!r}; choose from {FACES}")
    if not (math.isfinite(fps) and fps >= timing.MIN_FPS):
        raise ValueError(f"fps must be at least {timing.MIN_FPS}, got {fps}")
    if gap_s is not None and not 0 < gap_s[0] <= gap_s[1]:
        raise ValueError(f"gap_s must be (low, high) seconds with 0 < low <= high, got {gap_s!r}")
    talk_iod = TALK_AMPLITUDE if talk_iod is None else talk_iod
    if not 0 <= talk_iod[0] <= talk_iod[1]:
        raise ValueError(f"talk_iod must be (low, high) with 0 <= low <= high, got {talk_iod!r}")
    rng = np.random.default_rng([int(seed), int(index), FACES.index(face)])
    duration = float(rng.uniform(10.0, 20.0)) if duration_s is None else float(duration_s)
    n_frames = int(round(duration * fps))
    framing = draw_framing(rng, face, size)
    margin = max(2, math.ceil(0.1 * fps))

    expressions: list[Expression] = []
    cursor = _seconds(rng, LEAD_S, fps)
    tail = math.ceil(TAIL_S * fps)
    while True:
        forced = len(expressions) == 2 and not any(e.kind == "macro" for e in expressions)
        kind = "macro" if forced or rng.random() < P_MACRO else "micro"
        expression = draw_expression(rng, kind, fps, cursor, micro_s)
        if expression.offset + tail >= n_frames and kind == "macro":
            expression = draw_expression(rng, "micro", fps, cursor, micro_s)
        if expression.offset + tail >= n_frames:
            break
        expressions.append(expression)
        cursor = expression.offset + 1 + _seconds(rng, gap_s or GAP_S, fps)
    if not expressions:
        raise ValueError(f"a {duration:.2f} s video is too short for an expression")

    # Free stretches, `margin` frames clear of every expression, filled with nuisance.
    gaps, start = [], 0
    for e in expressions:
        gaps.append([start, e.onset - margin - 1])
        start = e.offset + margin + 1
    gaps.append([start, n_frames - 1])
    gaps = [g for g in gaps if g[1] >= g[0]]  # inclusive [first, last] frames still free
    kinds = NUISANCE_KINDS.get(face, STILL_NUISANCE)
    nuisances: list[Nuisance] = []

    def place(kind: str) -> bool:
        """Put one `kind` at a random place of a random free stretch long enough for it."""
        item = _draw_nuisance(rng, kind, fps, 0, talk_iod)
        length = item.end + 1
        fits = [k for k, (a, b) in enumerate(gaps) if b - a + 1 >= length]
        if not fits:
            return False
        a, b = gaps.pop(fits[int(rng.integers(len(fits)))])
        start = int(rng.integers(a, b - length + 2))
        nuisances.append(dataclasses.replace(item, start=start, end=start + length - 1))
        gaps.extend(g for g in ([a, start - margin - 1], [start + length + margin, b]) if g[1] >= g[0])
        return True

    for kind in kinds:  # every kind at least once, where it fits
        any(place(kind) for _ in range(3))
    for _ in range(len(expressions) + 1):  # and more at random
        for kind in rng.permutation(kinds):
            if rng.random() < NUISANCE_P[kind]:
                place(str(kind))
    if any_aus:
        expressions = vary_action_units(
            np.random.default_rng([int(seed), int(index), FACES.index(face), ANY_AUS_STREAM]), expressions, any_aus)
    if busy > 0:
        nuisances += busy_nuisances(np.random.default_rng([int(seed), int(index), FACES.index(face), BUSY_STREAM]),
                                    kinds, fps, n_frames, expressions, busy, talk_iod)
    nuisances.sort(key=lambda n: n.start)
    crf_value = int(rng.integers(CRF[0], CRF[1] + 1)) if crf is None else int(crf)
    name = f"synth_s{seed}_{index:04d}_{face}"
    return VideoSpec(name, face, (int(size[0]), int(size[1])), float(fps), n_frames, framing, tuple(expressions),
                     tuple(nuisances), crf_value, int(seed), draw_camera_scale(seed, index, face, camera_scale),
                     draw_video_look(seed, index, face, looks))


def vary_action_units(rng: np.random.Generator, expressions: list[Expression], chance: float) -> list[Expression]:
    """With `chance` per expression, its action units replaced by one to three drawn from all that `AU_TABLE`
    renders, each on one side only with chance ANY_AUS_ONE_SIDED, at strengths drawn in ANY_AUS_WEIGHT; labelled
    "others". Timing, intensity profile and amplitude stay."""
    if not 0.0 <= chance <= 1.0:
        raise ValueError(f"any_aus must be in [0, 1], got {chance}")
    numbers = sorted(AU_TABLE)
    out = []
    for e in expressions:
        if rng.random() >= chance:
            out.append(e)
            continue
        picked = sorted(rng.choice(numbers, size=int(rng.integers(ANY_AUS_COUNT[0], ANY_AUS_COUNT[1] + 1)),
                                   replace=False))
        codes = "+".join(f"{rng.choice(('L', 'R')) if rng.random() < ANY_AUS_ONE_SIDED else ''}{n}" for n in picked)
        weights = rng.uniform(*ANY_AUS_WEIGHT, size=len(picked))
        out.append(dataclasses.replace(e, emotion="others", action_units=codes,
                                       au_weights=tuple(float(w) for w in weights / weights.max())))
    return out


def busy_nuisances(rng: np.random.Generator, kinds: tuple[str, ...], fps: float, n_frames: int,
                   expressions: list[Expression], busy: float,
                   talk_iod: tuple[float, float] = TALK_AMPLITUDE) -> list[Nuisance]:
    """Restless activity of two to four action units over the whole video; glances and head sweeps anywhere (about
    one of each per expression, at chance `busy`); and with chance `busy` per expression one blink, glance, sweep
    or (`kinds` allowing) burst of talk overlapping it."""
    if not 0.0 <= busy <= 1.0:
        raise ValueError(f"busy must be in [0, 1], got {busy}")
    overlapping = [k for k in ("blink", "talk") if k in kinds] + ["gaze", "sweep"]
    out: list[Nuisance] = []
    for code in rng.choice(len(FIDGET_CODES), size=int(rng.integers(2, 5)), replace=False):
        values = timing.fidget_profile(rng, fps, n_frames)
        out.append(Nuisance("fidget", 0, n_frames - 1, tuple(float(v) for v in values),
                            float(rng.uniform(*FIDGET_AMPLITUDE)), (float(code),)))

    def put(kind: str, over: Optional[Expression] = None) -> None:
        """One `kind` at a random place in the video, or overlapping expression `over` by a frame or more."""
        item = _draw_nuisance(rng, kind, fps, 0, talk_iod)
        length = item.end + 1
        first, last = (0, n_frames - length) if over is None else (over.onset - length + 1, over.offset)
        first, last = max(0, first), min(last, n_frames - length)
        if last >= first:
            start = int(rng.integers(first, last + 1))
            out.append(dataclasses.replace(item, start=start, end=start + item.end))

    for e in expressions:
        if rng.random() < busy:
            put(str(rng.choice(overlapping)), e)
        for kind in ("gaze", "sweep"):
            if rng.random() < busy:
                put(kind)
    return out


def draw_camera_scale(seed: int, index: int, face: str, span: Optional[tuple[float, float]]) -> float:
    """The camera resolution of video `index`: log-uniform in `span` = (low, high) ⊂ (0, 1], or 1 without a span."""
    if span is None:
        return 1.0
    low, high = float(span[0]), float(span[1])
    if not 0 < low <= high <= 1:
        raise ValueError(f"camera scale must satisfy 0 < low <= high <= 1, got {low}, {high}")
    rng = np.random.default_rng([int(seed), int(index), FACES.index(face), CAMERA_STREAM])
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def draw_video_look(seed: int, index: int, face: str, chance: float) -> Look:
    """The look of video `index`: with probability `chance` (0-1) a random one (`looks.draw_look`) when `face` is a
    still portrait, else plain; from a random stream of its own, so every other draw is the same with or without it."""
    if not 0.0 <= chance <= 1.0:
        raise ValueError(f"the chance of a look must be in 0..1, got {chance}")
    if chance == 0.0 or not is_still_portrait(face):
        return Look()
    rng = np.random.default_rng([int(seed), int(index), FACES.index(face), LOOK_STREAM])
    return draw_look(rng) if rng.random() < chance else Look()
