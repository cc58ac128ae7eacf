"""Agreement between raters who labelled the same videos.

Per pair of raters: interval F1 with the MEGC matching of `evaluate.py` (IoU >= 0.5, one-to-one,
within a video and kind; F1 is symmetric in the two raters), the median absolute onset / apex /
offset differences of the matched events in frames, and Cohen's kappa on their emotions. Over all
raters: Krippendorff's alpha (nominal) on the per-frame coding none / micro / macro.

Per-frame coding: a video's frames run from 0 to the last frame any rater coded in it; a frame inside
a micro event is `micro`, else inside a macro event `macro`, else `none`. Rejected events are left out.
Nominal alpha and kappa are written here in numpy (no dependency).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Mapping, Optional, Sequence

import numpy as np

from app.analysis.evaluate import evaluate_spotting
from app.core.events import Event

CODES = ("none", "micro", "macro")


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Optional[float]:
    """Cohen's kappa of two raters' nominal labels; None without labels or when chance agreement is 1
    while they do not agree fully (1.0 when they agree fully)."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} labels against {len(b)}")
    if not a:
        return None
    labels = sorted(set(a) | set(b), key=str)
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(a, b):
        table[index[x], index[y]] += 1
    n = table.sum()
    observed = np.trace(table) / n
    expected = float(table.sum(axis=1) @ table.sum(axis=0)) / n ** 2
    if expected == 1.0:
        return 1.0 if observed == 1.0 else None
    return float((observed - expected) / (1.0 - expected))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Optional[Hashable]]]) -> Optional[float]:
    """Krippendorff's alpha, nominal, of a raters x units table (None = not coded). Units coded by
    fewer than two raters do not count. None when undefined (fewer than two pairable values, or all
    values the same category)."""
    units = list(zip(*data)) if data else []
    labels = sorted({v for unit in units for v in unit if v is not None}, key=str)
    index = {label: i for i, label in enumerate(labels)}
    coincidence = np.zeros((len(labels), len(labels)))
    for unit in units:
        values = [index[v] for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts = np.bincount(values, minlength=len(labels)).astype(float)
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    expected_pairs = n_c.sum() ** 2 - (n_c ** 2).sum()  # sum over c != k of n_c * n_k
    if n < 2 or expected_pairs == 0:
        return None
    disagreement = coincidence.sum() - np.trace(coincidence)
    return float(1.0 - (n - 1) * disagreement / expected_pairs)


def frame_codes(events: Sequence[Event], n_frames: int) -> list[str]:
    """Per-frame coding of one video: micro over macro over none."""
    codes = np.zeros(n_frames, dtype=np.int64)
    for kind_code in (2, 1):  # macro first, micro painted over it
        for e in events:
            if CODES[kind_code] == e.kind:
                codes[e.onset_frame:e.offset_frame + 1] = kind_code
    return [CODES[c] for c in codes]


def video_key(event: Event) -> str:
    """Raters' files may sit in other folders: a video is known by its file name."""
    return Path(event.video.replace("\\", "/")).name


@dataclass
class PairAgreement:
    a: str
    b: str
    a_events: int
    b_events: int
    matched: int
    interval_f1: float
    median_abs_diff_frames: dict[str, Optional[float]]
    emotion_kappa: Optional[float]
    hits: list = field(default_factory=list, repr=False)     # (event of a, event of b, IoU)
    only_a: list = field(default_factory=list, repr=False)
    only_b: list = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "a_events": self.a_events, "b_events": self.b_events,
                "matched": self.matched, "interval_f1": self.interval_f1,
                "median_abs_diff_frames": self.median_abs_diff_frames, "emotion_kappa": self.emotion_kappa}


def pair_agreement(a_name: str, a: Sequence[Event], b_name: str, b: Sequence[Event]) -> PairAgreement:
    result = evaluate_spotting(a, b, video_key=video_key)["overall"]
    diffs = {}
    for part in ("onset", "apex", "offset"):
        values = [abs(getattr(y, f"{part}_frame") - getattr(x, f"{part}_frame")) for x, y, _ in result.hits]
        diffs[part] = float(np.median(values)) if values else None
    kappa = cohen_kappa([x.emotion for x, _, _ in result.hits], [y.emotion for _, y, _ in result.hits])
    return PairAgreement(a_name, b_name, len(a), len(b), result.counts.tp, result.counts.f1, diffs, kappa,
                         result.hits, result.misses, result.false_alarms)


@dataclass
class Agreement:
    raters: list[str]
    pairs: list[PairAgreement]
    krippendorff_alpha: Optional[float]
    frames: int

    @property
    def interval_f1(self) -> Optional[float]:
        """Mean interval F1 over the pairs (the one pair's F1 for two raters)."""
        return float(np.mean([p.interval_f1 for p in self.pairs])) if self.pairs else None

    def to_json(self) -> dict:
        return {"raters": self.raters, "interval_f1": self.interval_f1, "krippendorff_alpha": self.krippendorff_alpha,
                "frames": self.frames, "pairs": [p.to_json() for p in self.pairs],
                "rules": {"matching": "IoU >= 0.5, one-to-one within a video (by file name) and kind",
                          "frame_coding": "0..last coded frame of each video; micro over macro over none"}}


def agreement(ratings: Mapping[str, Sequence[Event]]) -> Agreement:
    """Agreement of the raters' events (rater name -> events; rejected events are left out)."""
    names = list(ratings)
    if len(names) < 2:
        raise ValueError("agreement needs at least two raters")
    kept = {name: [e for e in events if e.status != "rejected"] for name, events in ratings.items()}
    pairs = [pair_agreement(x, kept[x], y, kept[y]) for x, y in itertools.combinations(names, 2)]
    videos = sorted({video_key(e) for events in kept.values() for e in events})
    table: list[list[str]] = [[] for _ in names]
    for video in videos:
        n_frames = 1 + max(e.offset_frame for events in kept.values() for e in events if video_key(e) == video)
        for row, name in zip(table, names):
            row += frame_codes([e for e in kept[name] if video_key(e) == video], n_frames)
    alpha = krippendorff_alpha_nominal(table)
    return Agreement(names, pairs, alpha, len(table[0]) if table else 0)


def format_number(value: Optional[float]) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
