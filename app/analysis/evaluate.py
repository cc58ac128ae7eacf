"""Evaluation: the MEGC spotting metric and recognition metrics (docs/evaluation.md).

Spotting, exactly as MEGC defines it:
- intervals are inclusive frame ranges [s, e] of length e − s + 1;
- IoU = inter / union with inter = max(0, min(e1, e2) − max(s1, s2) + 1), so disjoint intervals
  give 0 (not the 1 of a widely copied off-by-one);
- a prediction is a hit when IoU ≥ 0.5 with a ground truth of the same video and type; matching is
  one-to-one, highest-IoU pairs first, so no prediction or truth counts twice;
- TP, FP, FN are summed over all videos first, then P, R, F1 (F1 = 2TP / (2TP + FP + FN)).

Recognition: accuracy, UF1 (mean per-class F1), UAR (mean per-class recall), and, separately named,
the paper-mode "UAR" of TSFmicro's reference code, which is the mean per-class *precision*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, Mapping, Optional, Sequence

import numpy as np

from app.core.events import EMOTIONS, KINDS, Event

IOU_THRESHOLD = 0.5
SPOTTING_RULE = ("MEGC: IoU >= 0.5 on inclusive frame counts, one-to-one matching within a video and type, "
                 "highest-IoU pairs first; TP/FP/FN pooled over videos")

Interval = tuple[int, int]


# ---------------------------------------------------------------- spotting


def interval_iou(a: Interval, b: Interval) -> float:
    """IoU of two inclusive frame intervals (start, end); 0 when they do not overlap."""
    (s1, e1), (s2, e2) = a, b
    if e1 < s1 or e2 < s2:
        raise ValueError(f"interval with end before start: {a}, {b}")
    inter = max(0, min(e1, e2) - max(s1, s2) + 1)
    union = (e1 - s1 + 1) + (e2 - s2 + 1) - inter
    return inter / union


def match_intervals(truth: Sequence[Interval], pred: Sequence[Interval],
                    threshold: float = IOU_THRESHOLD) -> list[tuple[int, int, float]]:
    """One-to-one matches (truth index, pred index, IoU) with IoU >= threshold, highest IoU first.

    Ties are broken by truth index, then prediction index, so the result is deterministic.
    """
    candidates = []
    for ti, t in enumerate(truth):
        for pi, p in enumerate(pred):
            iou = interval_iou(t, p)
            if iou >= threshold:
                candidates.append((-iou, ti, pi))
    candidates.sort()
    used_t: set[int] = set()
    used_p: set[int] = set()
    matches = []
    for neg_iou, ti, pi in candidates:
        if ti not in used_t and pi not in used_p:
            used_t.add(ti)
            used_p.add(pi)
            matches.append((ti, pi, -neg_iou))
    return matches


@dataclass(frozen=True)
class SpottingCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "SpottingCounts") -> "SpottingCounts":
        return SpottingCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


def spotting_counts(truth_by_video: Mapping[Hashable, Sequence[Interval]],
                    pred_by_video: Mapping[Hashable, Sequence[Interval]],
                    threshold: float = IOU_THRESHOLD) -> SpottingCounts:
    """TP/FP/FN pooled over videos (a video present on one side only adds FN or FP)."""
    total = SpottingCounts()
    for video in set(truth_by_video) | set(pred_by_video):
        truth = truth_by_video.get(video, ())
        pred = pred_by_video.get(video, ())
        tp = len(match_intervals(truth, pred, threshold))
        total += SpottingCounts(tp, len(pred) - tp, len(truth) - tp)
    return total


@dataclass
class SpottingResult:
    """One type's (or the overall) spotting result, with the matched event pairs."""

    counts: SpottingCounts
    hits: list[tuple[Event, Event, float]] = field(default_factory=list)  # (truth, pred, IoU)
    misses: list[Event] = field(default_factory=list)                      # false negatives
    false_alarms: list[Event] = field(default_factory=list)                # false positives

    @property
    def apex_errors_frames(self) -> list[int]:
        """|apex_pred − apex_true| in frames, per hit."""
        return [abs(p.apex_frame - t.apex_frame) for t, p, _ in self.hits]

    @property
    def apex_errors_s(self) -> list[float]:
        return [abs(p.apex_frame - t.apex_frame) / t.fps for t, p, _ in self.hits]


def evaluate_spotting(truth: Iterable[Event], pred: Iterable[Event],
                      video_key: Callable[[Event], Hashable] = lambda e: e.video,
                      threshold: float = IOU_THRESHOLD) -> dict[str, SpottingResult]:
    """MEGC spotting per type ('micro', 'macro') and 'overall' (the per-type counts summed)."""
    results: dict[str, SpottingResult] = {}
    truth, pred = list(truth), list(pred)
    for kind in KINDS:
        result = SpottingResult(SpottingCounts())
        t_groups = _group([e for e in truth if e.kind == kind], video_key)
        p_groups = _group([e for e in pred if e.kind == kind], video_key)
        for video in sorted(set(t_groups) | set(p_groups), key=str):
            ts, ps = t_groups.get(video, []), p_groups.get(video, [])
            matches = match_intervals([_span(e) for e in ts], [_span(e) for e in ps], threshold)
            result.hits += [(ts[ti], ps[pi], iou) for ti, pi, iou in matches]
            matched_t = {ti for ti, _, _ in matches}
            matched_p = {pi for _, pi, _ in matches}
            result.misses += [e for i, e in enumerate(ts) if i not in matched_t]
            result.false_alarms += [e for i, e in enumerate(ps) if i not in matched_p]
            result.counts += SpottingCounts(len(matches), len(ps) - len(matches), len(ts) - len(matches))
        results[kind] = result
    overall = SpottingResult(SpottingCounts())
    for kind in KINDS:
        overall.counts += results[kind].counts
        overall.hits += results[kind].hits
        overall.misses += results[kind].misses
        overall.false_alarms += results[kind].false_alarms
    results["overall"] = overall
    return results


def _span(event: Event) -> Interval:
    return event.onset_frame, event.offset_frame


def _group(events: Iterable[Event], key: Callable[[Event], Hashable]) -> dict[Hashable, list[Event]]:
    groups: dict[Hashable, list[Event]] = {}
    for event in events:
        groups.setdefault(key(event), []).append(event)
    return groups


# ---------------------------------------------------------------- matching events for recognition


def match_events(truth: Sequence[Event], pred: Sequence[Event],
                 video_key: Callable[[Event], Hashable] = lambda e: e.video,
                 threshold: float = IOU_THRESHOLD) -> list[tuple[Event, Event, str]]:
    """Pairs (truth, pred, rule) for recognition: first the same video and event_id ('event_id'), then,
    among the rest, the MEGC interval match within a video regardless of type ('iou')."""
    pairs: list[tuple[Event, Event, str]] = []
    by_id = {}
    for i, p in enumerate(pred):
        by_id.setdefault((video_key(p), p.event_id), i)
    used_t, used_p = set(), set()
    for ti, t in enumerate(truth):
        pi = by_id.get((video_key(t), t.event_id))
        if pi is not None and pi not in used_p:
            pairs.append((t, pred[pi], "event_id"))
            used_t.add(ti)
            used_p.add(pi)
    rest_t = _group([t for i, t in enumerate(truth) if i not in used_t], video_key)
    rest_p = _group([p for i, p in enumerate(pred) if i not in used_p], video_key)
    for video in sorted(set(rest_t) & set(rest_p), key=str):
        ts, ps = rest_t[video], rest_p[video]
        for ti, pi, _ in match_intervals([_span(e) for e in ts], [_span(e) for e in ps], threshold):
            pairs.append((ts[ti], ps[pi], "iou"))
    return pairs


# ---------------------------------------------------------------- recognition


def label_order(*label_lists: Iterable[str]) -> list[str]:
    """The labels present, in vocabulary order (unknown labels last, alphabetically)."""
    present = set().union(*[set(labels) for labels in label_lists])
    known = [e for e in EMOTIONS if e in present]
    return known + sorted(present - set(EMOTIONS))


def confusion_matrix(true_labels: Sequence[str], pred_labels: Sequence[str],
                     classes: Optional[Sequence[str]] = None) -> tuple[np.ndarray, list[str]]:
    """Counts (rows = true class, columns = predicted class) and the class order used."""
    if len(true_labels) != len(pred_labels):
        raise ValueError(f"{len(true_labels)} true labels but {len(pred_labels)} predictions")
    classes = list(classes) if classes is not None else label_order(true_labels, pred_labels)
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted({c for c in list(true_labels) + list(pred_labels) if c not in index})
    if unknown:
        raise ValueError(f"labels not in the class list: {', '.join(unknown)}")
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(true_labels, pred_labels):
        matrix[index[t], index[p]] += 1
    return matrix, classes


def accuracy(matrix: np.ndarray) -> float:
    total = int(matrix.sum())
    return float(np.trace(matrix)) / total if total else 0.0


def uf1(matrix: np.ndarray) -> float:
    """Mean over classes with #true + #pred > 0 of 2·TP / (#pred + #true)."""
    tp, n_true, n_pred = _class_counts(matrix)
    present = (n_true + n_pred) > 0
    if not present.any():
        return 0.0
    return float(np.mean(2 * tp[present] / (n_true[present] + n_pred[present])))


def uar(matrix: np.ndarray) -> float:
    """Unweighted average recall: mean over classes with #true > 0 of TP / #true."""
    tp, n_true, _ = _class_counts(matrix)
    present = n_true > 0
    return float(np.mean(tp[present] / n_true[present])) if present.any() else 0.0


def paper_mode_uar(matrix: np.ndarray) -> float:
    """PAPER MODE ONLY: what TSFmicro's reference code prints as "UAR" — the mean per-class *precision* (its
    variables for predicted and true counts are swapped). Over classes with #pred + #true > 0; a class never predicted
    adds 0.
    Never report this as UAR without the paper-mode label."""
    tp, n_true, n_pred = _class_counts(matrix)
    present = (n_true + n_pred) > 0
    if not present.any():
        return 0.0
    precision = np.divide(tp, n_pred, out=np.zeros(len(tp)), where=n_pred > 0)
    return float(np.mean(precision[present]))


def _class_counts(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"confusion matrix must be square, got shape {matrix.shape}")
    return np.diag(matrix), matrix.sum(axis=1), matrix.sum(axis=0)


@dataclass(frozen=True)
class RecognitionResult:
    classes: list[str]
    matrix: np.ndarray
    accuracy: float
    uf1: float
    uar: float
    n: int


def recognition_metrics(true_labels: Sequence[str], pred_labels: Sequence[str],
                        classes: Optional[Sequence[str]] = None) -> RecognitionResult:
    matrix, classes = confusion_matrix(true_labels, pred_labels, classes)
    return RecognitionResult(classes, matrix, accuracy(matrix), uf1(matrix), uar(matrix), int(matrix.sum()))
