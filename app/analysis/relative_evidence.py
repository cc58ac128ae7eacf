"""Micro-expression intervals from go-and-return evidence measured against the video's own background.

A region that moved and came back (`region_flow.go_and_return`, per lag and region) is a candidate; how much it
stands out is read relative to the same lag and region in the rest of the video: the score of frame u is the
largest, over lags and regions, of evidence / (the video's 97th percentile of it). On a talking face the lips and
chin move all the time, so their percentile is high and speech stands out little; a brow that lifts and drops once
stands out many times over. The eyes are left out: blinks and glances go and come back too.

Three limits keep it a *micro* spotter: a run longer than `max_s` is not micro; a run whose evidence exceeds
`max_evidence` % of an eye span anywhere is too large a movement (laughter, a hand at the mouth, a turn of the head
the alignment did not absorb); and a run where the eyes moved more than `eye_ratio` times the movement that
stands out is a blink or a glance that a region next to the eyes felt.

A micro-expression comes back to where it started; a piece of a longer expression (its onset, an overshoot before
it is held) does not. `did_not_return` finds the suggestions whose standing-out region was still displaced,
lag for lag, well after their peak: dropped from the micro suggestions (`LearnedSpotter.events`).

The background of a video that changes its pace (quiet listening, then lively talking or laughter) is read per
stretch where `EvidenceConfig.stretch_ratio` is set: each frame's against the frames whose activity (the median,
over a few seconds around them, of their largest evidence outside the eyes) is within about that factor of its own,
so that a quiet stretch is not measured against the loud ones (`stretch_ratio` 0: over the whole video). Spotter
files made before this stored no such setting and read per stretch too.

Nothing here is trained: the settings were chosen on the development test sets (docs/spotter.md), the confidence
of an interval comes from a table fitted on validation videos (`learned_spotter.calibrated`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from app.analysis.proposals import hysteresis_runs


@dataclass(frozen=True)
class EvidenceConfig:
    threshold: float = 4.0          # a run opens where the score reaches this many times the background ...
    threshold_lo_ratio: float = 0.5  # ... and lasts while it stays above this fraction of the threshold
    percentile: float = 97.0        # the background: this percentile of each lag and region over the video
    max_evidence: float = 5.0       # % eye span: a larger go-and-return anywhere in the run is not micro
    grow_s: float = 0.067           # each run widened by this much on both sides (the evidence peaks mid-movement)
    max_s: float = 0.5              # longer runs are not micro-expressions
    eye_ratio: float = 3.0          # a run where the eyes moved more than this many times the rest is a blink
    eye_regions: tuple[str, ...] = ("eye_l", "eye_r")  # left out of the score
    return_ratio: float = 0.6      # not micro where the net displacement exceeds this share of the movement (below)
    stretch_ratio: float = 3.0     # a frame's background: over the frames whose activity is within about this factor
                                   # of its own (0: over the whole video)
    stretch_s: float = 2.0         # a frame's activity: the median over ± this many seconds of its largest evidence
    min_stretch_s: float = 5.0     # a background read over fewer seconds of frames than this is the whole video's

    def __post_init__(self):
        if not (self.threshold > 0 and 0 < self.threshold_lo_ratio <= 1 and 0 < self.percentile <= 100
                and self.max_evidence > 0 and self.grow_s >= 0 and self.max_s > 0 and self.eye_ratio > 0
                and self.return_ratio > 0 and (self.stretch_ratio == 0 or self.stretch_ratio > 1)
                and self.stretch_s >= 0 and self.min_stretch_s >= 0):
            raise ValueError(f"invalid relative-evidence settings: {self}")


@dataclass(frozen=True)
class EvidenceRun:
    onset: int
    offset: int
    score: float  # the run's peak relative score


def _outside_eyes(regions: tuple[str, ...], config: EvidenceConfig) -> list[int]:
    """The indices of the regions that count towards the score: all but `config.eye_regions`."""
    return [i for i, name in enumerate(regions) if name not in config.eye_regions]


def relative_score(evidence: np.ndarray, regions: tuple[str, ...], config: EvidenceConfig, fps: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(relative, standing, absolute, eyes), each (n,), from (n, L, R) go-and-return evidence of a video at `fps`:
    per frame and outside the eyes, the largest evidence divided by its lag and region's background, the evidence of
    that lag and region (% eye span), the largest evidence; and the eyes' largest evidence. 0 where nothing was
    measured."""
    evidence = np.asarray(evidence, dtype=np.float64)
    n = len(evidence)
    keep = _outside_eyes(regions, config)
    eyes = [i for i, name in enumerate(regions) if name in config.eye_regions]
    scores = evidence[:, :, keep]
    if n == 0 or not keep or np.isnan(scores).all():
        return np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    ratios = _over_background(scores, config, fps).reshape(n, -1)
    best = ratios.argmax(axis=1)
    relative = ratios[np.arange(n), best]
    filled = np.nan_to_num(scores, nan=0.0)
    standing = filled.reshape(n, -1)[np.arange(n), best]
    eye = np.nan_to_num(evidence[:, :, eyes], nan=0.0).max(axis=(1, 2)) if eyes else np.zeros(n)
    return relative, standing, filled.max(axis=(1, 2)), eye


def _percentile_over_frames(values: np.ndarray, percentile: float) -> np.ndarray:
    """`np.nanpercentile` over axis 0, NaN (and silent) where a column was never measured (a face missing all along,
    a lag longer than the video)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanpercentile(values, percentile, axis=0)


def _background(scores: np.ndarray, percentile: float) -> np.ndarray:
    """(L, K) each lag and region's `percentile` of its (n, L, K) go-and-return evidence over the video (its
    background, % eye span), plus a hair so that nothing divides by 0; NaN where nothing was measured."""
    return _percentile_over_frames(scores, percentile) + 1e-3


def _rolling_median(values: np.ndarray, half: int) -> np.ndarray:
    """(n,) the median of `values` over ± `half` frames (the ends repeated; NaN ignored, and NaN where a window has
    nothing), a few thousand frames at a time."""
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(values, half, mode="edge"), 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.concatenate([np.nanmedian(windows[i:i + 4096], axis=1) for i in range(0, len(values), 4096)])


def _backgrounds(scores: np.ndarray, config: EvidenceConfig, fps: float) -> np.ndarray:
    """(n, L, K) each frame's background of its (n, L, K) go-and-return evidence (`_background`): read over the whole
    video, or with `config.stretch_ratio` over the frames of about its own activity (log-activity in bins of a quarter
    of log(stretch_ratio); a frame is read over the bins within four of its own), unless those last under
    `config.min_stretch_s` or it has no activity measured around it."""
    whole = _background(scores, config.percentile)
    out = np.broadcast_to(whole, scores.shape)
    n = len(scores)
    if config.stretch_ratio == 0 or n == 0:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        activity = np.nanmax(scores.reshape(n, -1), axis=1)  # NaN where nothing was measured
    level = np.log(_rolling_median(activity, int(round(config.stretch_s * fps))) + 1e-3)
    measured = np.isfinite(level)
    bins = np.floor(np.where(measured, level, 0.0) / (np.log(config.stretch_ratio) / 4)).astype(int)
    out = out.copy()
    for b in np.unique(bins[measured]):
        near = measured & (np.abs(bins - b) <= 4)
        if near.sum() >= config.min_stretch_s * fps:
            out[measured & (bins == b)] = _background(scores[near], config.percentile)
    return out


def _over_background(scores: np.ndarray, config: EvidenceConfig, fps: float) -> np.ndarray:
    """(n, L, K) go-and-return evidence divided by its background (`_backgrounds`), 0 where nothing was measured."""
    with np.errstate(all="ignore"):
        return np.nan_to_num(scores / np.nan_to_num(_backgrounds(scores, config, fps), nan=1e-3), nan=0.0)


@dataclass(frozen=True)
class Sensitivity:
    """What the relative evidence can see on one video: the smallest go-and-return movement that opens a run
    (`floor`, % eye span: the threshold times the background of the quietest lag and region, `region`; at the median
    frame where the background is read per stretch), against the largest a micro-expression may be (`limit`,
    `EvidenceConfig.max_evidence`); and the share of the video's frames whose own floor is over the limit
    (`blind_share`; None where not measured frame by frame)."""

    floor: float
    region: str
    limit: float
    blind_share: Optional[float] = None

    @property
    def partly_blind(self) -> bool:
        """Some stretches of the video are blind and some are not (at least 1 % of its frames either way)."""
        return self.blind_share is not None and 0.01 <= self.blind_share <= 0.99

    @property
    def _partly(self) -> Optional[str]:
        """'30 %', the share of blind frames, where the video is `partly_blind`, else None."""
        return f"{self.blind_share:.0%}".replace("%", " %") if self.partly_blind else None

    @property
    def blind(self) -> bool:
        """Nothing small enough to be a micro-expression stands out: the face moves this much all the time (talking,
        head motion, a small or heavily compressed face image)."""
        return self.floor > self.limit

    def as_dict(self) -> dict:
        """For analysis.json: the floor and limit (% eye span), the region, whether it was blind (wholly, partly, the
        share of its frames), the sentence."""
        return {"floor_pct_eye_span": self.floor, "region": self.region, "micro_limit_pct_eye_span": self.limit,
                "blind": self.blind, "blind_share": self.blind_share, "partly_blind": self.partly_blind,
                "text": self.describe()}

    def brief(self) -> str:
        """A few words for a status bar."""
        partly = self._partly
        if self.blind:
            return f"CANNOT see faint micro-expressions in {partly + ' of the frames' if partly else 'this video'}"
        return (f"sees movements from {self.floor:.2f} % of an eye span here"
                + (f", not in {partly} of the frames" if partly else ""))

    def describe(self) -> str:
        """What the spotter does on this video, a phrase to follow "the spotter" or "it"."""
        partly = self._partly
        if self.blind:
            return (f"cannot see faint micro-expressions{' in ' + partly + ' of the frames' if partly else ''}: a "
                    f"movement must reach {self.floor:.1f} % of an eye span to stand out, above the {self.limit:g} % a "
                    f"micro-expression may reach ({'there ' if partly else ''}the face moves that much all the time: "
                    f"talking, head motion, a small or compressed face image); review "
                    f"{'those stretches' if partly else 'this video'} by eye")
        return (f"flags go-and-return movements from {self.floor:.2f} % of an eye span ({self.region})"
                + (f", but cannot see faint micro-expressions in {partly} of the frames (the liveliest stretches, "
                   f"where the face moves over {self.limit:g} % all the time): review those by eye" if partly else ""))


def sensitivity(evidence: np.ndarray, regions: tuple[str, ...], config: EvidenceConfig,
                fps: float) -> Optional[Sensitivity]:
    """The `Sensitivity` of a video at `fps` from its (n, L, R) go-and-return evidence: at the median frame's
    background where the background is read per stretch; None where nothing was measured."""
    keep = _outside_eyes(regions, config)
    evidence = np.asarray(evidence, dtype=np.float64)
    if len(evidence) == 0 or not keep or np.isnan(evidence[:, :, keep]).all():
        return None
    background = _backgrounds(evidence[:, :, keep], config, fps)  # (n, L, K)
    quietest = np.where(np.isnan(background), np.inf, background).min(axis=1)  # (n, K): each region's quietest lag
    floors = quietest.min(axis=1)
    frame = int(np.argsort(floors, kind="stable")[(len(floors) - 1) // 2])  # the median frame (lower middle)
    best = int(np.argmin(quietest[frame]))
    if not np.isfinite(quietest[frame, best]):
        return None
    measured = np.isfinite(floors)
    share = float(np.mean(config.threshold * floors[measured] > config.max_evidence))
    return Sensitivity(round(float(config.threshold * quietest[frame, best]), 3), regions[keep[best]],
                       config.max_evidence, round(share, 3))


def micro_like_score(evidence: np.ndarray, regions: tuple[str, ...], config: EvidenceConfig,
                     fps: float) -> np.ndarray:
    """(n,) the relative score (`relative_score`) where the frame's movement could be a micro-expression, 0 where it
    is too large to be micro or the eyes moved more (a blink), NaN where nothing outside the eyes was measured (no
    face at the frame or at u ± k)."""
    relative, standing, absolute, eyes = relative_score(evidence, regions, config, fps)
    micro_like = (absolute <= config.max_evidence) & (eyes <= config.eye_ratio * standing)
    keep = _outside_eyes(regions, config)
    evidence = np.asarray(evidence, dtype=np.float64)
    measured = (np.isfinite(evidence[:, :, keep]).any(axis=(1, 2)) if len(evidence) and keep
                else np.zeros(len(relative), bool))
    return np.where(measured, np.where(micro_like, relative, 0.0), np.nan)


def as_curve(relative: np.ndarray, config: EvidenceConfig) -> np.ndarray:
    """(n,) a relative score r in [0, 1) for plotting beside a probability: r / (r + threshold), 0.5 where a run
    would open."""
    return relative / (relative + config.threshold)


def evidence_runs(evidence: np.ndarray, regions: tuple[str, ...], fps: float,
                  config: EvidenceConfig = EvidenceConfig()) -> list[EvidenceRun]:
    """The micro intervals of a video, in frame order, from its (n, L, R) go-and-return evidence."""
    relative, standing, absolute, eyes = relative_score(evidence, regions, config, fps)
    grow = int(round(config.grow_s * fps))
    last = len(relative) - 1
    out = []
    for start, end in hysteresis_runs(relative, config.threshold, config.threshold * config.threshold_lo_ratio):
        onset, offset = max(0, start - grow), min(last, end + grow)
        span, peak = slice(onset, offset + 1), start + int(np.argmax(relative[start:end + 1]))
        if ((offset - onset + 1) / fps > config.max_s or absolute[span].max() > config.max_evidence
                or eyes[span].max() > config.eye_ratio * standing[peak]):
            continue
        out.append(EvidenceRun(onset, offset, float(relative[peak])))
    return out


def did_not_return(moves: np.ndarray, evidence: np.ndarray, lags: tuple[int, ...], intervals: list[tuple[int, int]],
                   regions: tuple[str, ...], config: EvidenceConfig, fps: float) -> list[bool]:
    """For each (onset, offset) interval of a video at `fps` with (n, L, R, 2) region motion `moves` at `lags` frames
    and its (n, L, R) go-and-return `evidence`: whether the region that stands out most in it (outside the eyes; largest
    evidence over its lag and region's background, as `relative_score`) did not come back. At that peak frame u, for
    each of the two longest lags k, the net displacement |A_u + A_{u+k}| (from u − k to u + k) exceeds `return_ratio`
    of the larger of the two movements A_u, A_{u+k}, and at one of them it exceeds the video's own `percentile` of
    net displacement for that lag and region: the region went and stayed, as at the start of a longer expression,
    and stood out doing so. False where unmeasured."""
    moves = np.asarray(moves, dtype=np.float64)
    n, n_lags = moves.shape[:2]
    keep = _outside_eyes(regions, config)
    if n == 0 or not keep:
        return [False] * len(intervals)
    longest = range(max(0, n_lags - 2), n_lags)
    net, larger = np.full(moves.shape[:3], np.nan), np.full(moves.shape[:3], np.nan)
    net_background = np.full(moves.shape[1:3], np.nan)  # (L, R)
    for j in longest:
        k = lags[j]
        if n > k:
            net[:n - k, j] = np.hypot(*np.moveaxis(moves[:n - k, j] + moves[k:, j], -1, 0))
            larger[:n - k, j] = np.fmax(np.hypot(*np.moveaxis(moves[:n - k, j], -1, 0)),
                                        np.hypot(*np.moveaxis(moves[k:, j], -1, 0)))
            net_background[j] = _percentile_over_frames(net[:n - k, j], config.percentile)
    ratios = _over_background(np.asarray(evidence, dtype=np.float64)[:, :, keep], config, fps)
    out = []
    for onset, offset in intervals:
        span = ratios[max(0, onset):offset + 1]
        if span.size == 0 or not span.any():
            out.append(False)
            continue
        row, _, col = np.unravel_index(int(np.argmax(span)), span.shape)
        u, r = max(0, onset) + int(row), keep[int(col)]
        with np.errstate(all="ignore"):
            stayed = all(net[u, j, r] > config.return_ratio * larger[u, j, r] for j in longest)
            stood_out = any(net[u, j, r] > net_background[j, r] for j in longest)
        out.append(bool(stayed and stood_out))
    return out
