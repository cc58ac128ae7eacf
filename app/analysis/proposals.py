"""Per-frame spotting curves -> proposed intervals. The one place that decodes curves (docs/evaluation.md,
"From curves to proposals"); analyze, batch scoring and the GUI's suggestions all call `propose_events`.

Input: probabilities (n, 4) over `model.PHASES` (none, onset, apex, offset), NaN where not computed, and the fps.
1. Activity a = 1 − p_none. With `baseline="median"` it is measured above the video's own floor:
   a' = (a − m) / max(1 − m, 0.05), clipped to [0, 1], m the median of a over the computed frames. Most frames of a
   recording show no expression, so m is the level a model reads on this face, camera and lighting when nothing
   happens (the field's spotters threshold relative to a curve's mean for the same reason; the median is the robust
   form). Callers pass a whole video's curves.
2. Smooth activity and p_apex with a centred moving average of `smooth_s` seconds (NaN-aware; frames that
   were not computed stay NaN, so a run never bridges a gap in the analysis). Hysteresis: a run is a maximal stretch of computed frames with
   a ≥ θ_lo that contains at least one frame with a ≥ θ_hi (θ_hi opens a run, θ_lo closes it,
   on both sides of the peak).
3. onset = first frame of the run, apex = argmax of the smoothed p_apex inside it, offset = last frame minus
   `trim_end_s` (not before the apex; 0 by default).
4. Duration priors in seconds, converted with the fps: shorter than `min_duration_s` → dropped;
   up to `micro_max_s` → micro; longer → macro (up to `macro_max_s`), or dropped with
   `long_runs="drop"`.
5. score = mean of the unsmoothed activity (step 1) over the run.
6. Successive macro proposals at most `merge_gap_s` apart are joined into one (0 by default: never), even across a
   few frames that were not computed: an expression's activity dips where the face holds still at its apex, and a
   face missed in a single frame leaves a hole in the curves; either would otherwise cut one macro-expression in two.
Output events carry source=model, status=suggested, confidence=score, emotion "none" (not yet
classified: callers with a model let the pair classifier name it, `app.analysis.emotions`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Optional

import numpy as np

from app.core.events import Event
from model import PHASES

BASELINES = ("none", "median")
MIN_HEADROOM = 0.05  # above_median never divides by less: a face read as always active does not turn wobble into runs


def curve_channels(curve: np.ndarray) -> np.ndarray:
    """A single activity curve (n,) in [0, 1] (NaN = not computed) as the (none, onset, apex, offset) probabilities
    `propose_events` reads: activity = the curve, apex channel = the curve, no onset/offset evidence."""
    curve = np.asarray(curve, dtype=np.float64)
    zeros = np.where(np.isnan(curve), np.nan, 0.0)
    return np.column_stack([1.0 - curve, zeros, curve, zeros])


@dataclass(frozen=True)
class ProposalConfig:
    smooth_s: float = 0.05            # moving-average window; 0 = no smoothing
    theta_hi: float = 0.5             # activity that opens a run
    theta_lo: float = 0.3             # activity below which a run ends
    min_duration_s: float = 0.04      # 1/25 s, the shortest micro-expression
    micro_max_s: float = 0.5          # longer runs are macro-expressions
    macro_max_s: Optional[float] = 4.0  # longer runs are dropped (None = no limit)
    long_runs: str = "macro"          # "macro" (keep as macro) or "drop" (micro only)
    trim_end_s: float = 0.0           # pulled in from a run's end (never before its apex): a (t − k, t) pair stays
                                      # active for about k frames after the face has settled
    baseline: str = "none"            # "median": activity measured above the video's median activity
    merge_gap_s: float = 0.0          # macro proposals at most this far apart are one (0 = never joined)

    def __post_init__(self):
        if not 0.0 <= self.theta_lo <= self.theta_hi <= 1.0:
            raise ValueError(f"thresholds must satisfy 0 <= theta_lo <= theta_hi <= 1, got "
                             f"theta_lo={self.theta_lo}, theta_hi={self.theta_hi}")
        if (self.smooth_s < 0 or self.min_duration_s < 0 or self.micro_max_s <= 0 or self.trim_end_s < 0
                or self.merge_gap_s < 0):
            raise ValueError("smooth_s, min_duration_s, trim_end_s and merge_gap_s must be >= 0 and micro_max_s > 0")
        if self.long_runs not in ("macro", "drop"):
            raise ValueError(f"long_runs must be 'macro' or 'drop', got {self.long_runs!r}")
        if self.baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {BASELINES}, got {self.baseline!r}")
        if self.macro_max_s is not None and self.macro_max_s < self.micro_max_s:
            raise ValueError("macro_max_s must be None or >= micro_max_s")


    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Proposal:
    onset: int
    apex: int
    offset: int
    kind: str
    score: float

    @property
    def duration_frames(self) -> int:
        return self.offset - self.onset + 1


def smooth(curve: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average over `window` frames (odd), ignoring NaN; NaN frames stay NaN."""
    curve = np.asarray(curve, dtype=np.float64)
    if window <= 1 or curve.size == 0:
        return curve.copy()
    half = window // 2
    valid = ~np.isnan(curve)
    values = np.where(valid, curve, 0.0)
    sums = np.convolve(np.pad(values, half), np.ones(2 * half + 1), mode="valid")
    counts = np.convolve(np.pad(valid.astype(np.float64), half), np.ones(2 * half + 1), mode="valid")
    out = np.full_like(curve, np.nan)
    out[valid] = sums[valid] / counts[valid]
    return out


def above_median(activity: np.ndarray) -> np.ndarray:
    """(a − m) / max(1 − m, MIN_HEADROOM) clipped to [0, 1], m the median of the non-NaN values; NaN stays NaN.
    A curve that is all NaN is returned unchanged."""
    activity = np.asarray(activity, dtype=np.float64)
    if np.isnan(activity).all():
        return activity.copy()
    floor = float(np.nanmedian(activity))
    return np.clip((activity - floor) / max(1.0 - floor, MIN_HEADROOM), 0.0, 1.0)


def hysteresis_runs(activity: np.ndarray, theta_hi: float, theta_lo: float) -> list[tuple[int, int]]:
    """Inclusive (start, end) of the maximal stretches with activity >= theta_lo (NaN ends a stretch)
    that reach theta_hi somewhere."""
    activity = np.asarray(activity, dtype=np.float64)
    above = np.nan_to_num(activity, nan=-np.inf) >= theta_lo
    edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(int(s), int(e)) for s, e in zip(starts, ends) if np.nanmax(activity[s:e + 1]) >= theta_hi]


def propose_intervals(probs: np.ndarray, fps: float, config: ProposalConfig = ProposalConfig()) -> list[Proposal]:
    """Proposals in frame order. `probs`: (n, 4) over PHASES, NaN = not computed."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != len(PHASES):
        raise ValueError(f"probabilities must have shape (n, 4) over {PHASES}, got {probs.shape}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    window = 2 * int(round(config.smooth_s * fps / 2)) + 1
    raw_activity = 1.0 - probs[:, 0]
    if config.baseline == "median":
        raw_activity = above_median(raw_activity)
    activity = smooth(raw_activity, window)
    apex_curve = smooth(probs[:, 2], window)
    proposals = []
    trim = int(round(config.trim_end_s * fps))
    for start, run_end in hysteresis_runs(activity, config.theta_hi, config.theta_lo):
        apex = _apex(start, run_end, apex_curve, activity)
        end = max(apex, run_end - trim)
        duration_s = (end - start + 1) / fps
        if duration_s < config.min_duration_s:
            continue
        if duration_s <= config.micro_max_s:
            kind = "micro"
        elif config.long_runs == "macro" and (config.macro_max_s is None or duration_s <= config.macro_max_s):
            kind = "macro"
        else:
            continue
        score = float(np.nanmean(raw_activity[start:end + 1]))
        proposals.append(Proposal(start, apex, end, kind, score))
    if config.merge_gap_s > 0:
        proposals = _join_macro(proposals, config, fps, apex_curve, activity, raw_activity)
    return proposals


def _apex(start: int, end: int, apex_curve: np.ndarray, activity: np.ndarray) -> int:
    """The frame of start..end where the smoothed p_apex peaks (the activity's peak where p_apex is all NaN)."""
    inside = apex_curve[start:end + 1]
    if np.isnan(inside).all():
        inside = activity[start:end + 1]
    return start + int(np.nanargmax(inside))


def _join_macro(proposals: list[Proposal], config: ProposalConfig, fps: float, apex_curve: np.ndarray,
                activity: np.ndarray, raw_activity: np.ndarray) -> list[Proposal]:
    """Proposals with successive macro ones at most `merge_gap_s` apart joined (step 6), unless another proposal lies
    between them or the joined one would last longer than `macro_max_s`."""
    gap = int(round(config.merge_gap_s * fps))
    out: list[Proposal] = []
    for p in proposals:
        last = out[-1] if out else None
        if (last is not None and last.kind == p.kind == "macro" and p.onset - last.offset - 1 <= gap
                and (config.macro_max_s is None or (p.offset - last.onset + 1) / fps <= config.macro_max_s)):
            onset, offset = last.onset, p.offset
            out[-1] = Proposal(onset, _apex(onset, offset, apex_curve, activity), offset, "macro",
                               float(np.nanmean(raw_activity[onset:offset + 1])))
        else:
            out.append(p)
    return out


def propose_events(probs: np.ndarray, fps: float, *, video: str, subject: str,
                   config: ProposalConfig = ProposalConfig(), id_prefix: str = "model-",
                   annotator: str = "") -> list[Event]:
    """Proposals as training-CSV events: source=model, status=suggested, confidence=score.
    event_id = `id_prefix` + onset frame (unique: runs never overlap)."""
    return [
        Event(video=video, subject=subject, event_id=f"{id_prefix}{p.onset}", onset_frame=p.onset,
              apex_frame=p.apex, offset_frame=p.offset, fps=float(fps), kind=p.kind, emotion="none",
              source="model", status="suggested", confidence=min(1.0, max(0.0, p.score)), annotator=annotator)
        for p in propose_intervals(probs, fps, config)
    ]
