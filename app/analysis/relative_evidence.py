"""Micro-expression intervals from go-and-return evidence measured against the video's own background.

A region that moved and came back (`region_flow.go_and_return`, per lag and region) is a candidate; how much it
stands out is read relative to the same lag and region in the rest of the video: the score of frame u is the
largest, over lags and regions, of evidence / (the video's 97th percentile of it). On a talking face the lips and
chin move all the time, so their percentile is high and speech stands out little; a brow that lifts and drops once
stands out many times over. The eyes are left out: blinks and glances go and come back too.

Two absolute limits keep it a *micro* spotter: a run longer than `max_s` is not micro, and a run whose evidence
exceeds `max_evidence` % of an eye span anywhere is too large a movement (laughter, a hand at the mouth, a turn of
the head the alignment did not absorb); micro-expressions are small movements.

Nothing here is trained: the settings were chosen on the development test sets (docs/spotter.md), the confidence
of an interval comes from a table fitted on validation videos (`learned_spotter.calibrated`).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    skip_regions: tuple[str, ...] = ("eye_l", "eye_r")

    def __post_init__(self):
        if not (self.threshold > 0 and 0 < self.threshold_lo_ratio <= 1 and 0 < self.percentile <= 100
                and self.max_evidence > 0 and self.grow_s >= 0 and self.max_s > 0):
            raise ValueError(f"invalid relative-evidence settings: {self}")


@dataclass(frozen=True)
class EvidenceRun:
    onset: int
    offset: int
    score: float  # the run's peak relative score


def relative_score(evidence: np.ndarray, regions: tuple[str, ...], config: EvidenceConfig
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(relative (n,), absolute (n,)) from (n, L, R) go-and-return evidence: per frame, the largest evidence divided
    by its lag and region's background, and the largest evidence itself (% eye span), over the regions kept; 0 where
    nothing was measured."""
    keep = [i for i, name in enumerate(regions) if name not in config.skip_regions]
    scores = np.asarray(evidence, dtype=np.float64)[:, :, keep]
    n = len(scores)
    if n == 0 or not keep or np.isnan(scores).all():
        return np.zeros(n), np.zeros(n)
    with np.errstate(all="ignore"):
        background = np.nanpercentile(scores, config.percentile, axis=0)
    background = np.nan_to_num(background, nan=0.0) + 1e-3
    relative = np.nan_to_num(scores / background, nan=0.0).max(axis=(1, 2))
    absolute = np.nan_to_num(scores, nan=0.0).max(axis=(1, 2))
    return relative, absolute


def evidence_runs(evidence: np.ndarray, regions: tuple[str, ...], fps: float,
                  config: EvidenceConfig = EvidenceConfig()) -> list[EvidenceRun]:
    """The micro intervals of a video, in frame order, from its (n, L, R) go-and-return evidence."""
    relative, absolute = relative_score(evidence, regions, config)
    grow = int(round(config.grow_s * fps))
    last = len(relative) - 1
    out = []
    for start, end in hysteresis_runs(relative, config.threshold, config.threshold * config.threshold_lo_ratio):
        onset, offset = max(0, start - grow), min(last, end + grow)
        if (offset - onset + 1) / fps > config.max_s or absolute[onset:offset + 1].max() > config.max_evidence:
            continue
        out.append(EvidenceRun(onset, offset, float(relative[start:end + 1].max())))
    return out
