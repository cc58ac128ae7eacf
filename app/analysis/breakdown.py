"""Where a spotter errs, on a set whose videos and nuisances are described by sidecars (`tsfmicro testset` writes
them; any set may have them):

* `videos.csv` (video, renderer, face, face_kind, fps, n_frames, injected_events): micro-expression spotting per
  face kind (still / talking), per renderer, per face and per face and kind (one identity still or talking); and,
  over the videos with nothing injected (injected_events 0, e.g. real footage), false micro suggestions per minute
  and macro suggestions per minute (not counted false: real footage has real macro-expressions, laughter, speech);
* `nuisance.csv` (video, kind, start_frame, end_frame): how many false micro suggestions lie inside each nuisance
  kind (blink, gaze, head, ...), inside a labelled macro- or micro-expression, or where nothing is labelled;
* `parts.csv` (video, kind, start_frame, end_frame; `tsfmicro testset --long` writes it): micro-expression spotting
  per kind of part of a long recording (its still stretches, its talking ones), each part matched on its own; an
  event belongs to the part its onset frame lies in.

A suggestion lies inside an interval when its apex frame is within the interval's frames (inclusive). Matching is
`evaluate_spotting`'s (MEGC); videos are compared by the same key as there. Pure: no I/O but reading the sidecars.
"""

from __future__ import annotations

import csv
import os
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Hashable, Iterable, Optional, Sequence

from app.analysis.evaluate import SpottingResult, evaluate_spotting
from app.core.csv_rows import guarded
from app.core.events import Event
from app.core.sidecars import INTERVAL_COLUMNS, VIDEOS_COLUMNS

INSIDE_RULE = "a false suggestion lies inside an interval when its apex frame is within the interval's frames"
UNLISTED = "(not in videos.csv)"
BREAKDOWN_BY = ("face_kind", "renderer", "face", "face_and_kind")  # VideoRow attributes micro spotting is split by


@dataclass(frozen=True)
class VideoRow:
    key: str
    renderer: str
    face: str
    face_kind: str
    fps: float
    n_frames: int
    injected_events: int

    @property
    def face_and_kind(self) -> str:
        """'wolfgang talking': one identity as a still portrait or talking; a video with nothing injected keeps a
        group of its own, so its false suggestions do not mix with those of injected videos of the same face."""
        return f"{self.face} {self.face_kind}" + ("" if self.injected_events else
                                                  f" ({self.renderer}, nothing injected)")


@dataclass(frozen=True)
class IntervalRow:
    """A row of nuisance.csv (a blink, a gaze shift, ...) or of parts.csv (a stretch of a long recording)."""

    key: str
    kind: str
    start: int
    end: int


def _read(path: Path, columns: Sequence[str]) -> list[tuple[int, dict]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(columns)})")
        return [(reader.line_num, row) for row in guarded(reader, path)]


def read_videos_csv(path: str | os.PathLike, resolve: Callable[[Path, str], str]) -> list[VideoRow]:
    """The rows of a videos sidecar; `resolve(folder, video)` gives the key the events use."""
    path = Path(path)
    rows = []
    for line, row in _read(path, VIDEOS_COLUMNS):
        try:
            rows.append(VideoRow(resolve(path.parent, row["video"]), row["renderer"], row["face"], row["face_kind"],
                                 float(row["fps"]), int(row["n_frames"]), int(row["injected_events"])))
        except ValueError as err:
            raise ValueError(f"{path}, line {line}: {err}") from None
        if rows[-1].fps <= 0 or rows[-1].n_frames < 0:
            raise ValueError(f"{path}, line {line}: fps must be > 0 and n_frames >= 0")
    return rows


def read_intervals_csv(path: str | os.PathLike, resolve: Callable[[Path, str], str]) -> list[IntervalRow]:
    """The rows of a nuisance or parts sidecar; `resolve(folder, video)` gives the key the events use."""
    path = Path(path)
    rows = []
    for line, row in _read(path, INTERVAL_COLUMNS):
        try:
            rows.append(IntervalRow(resolve(path.parent, row["video"]), row["kind"], int(row["start_frame"]),
                                    int(row["end_frame"])))
        except ValueError as err:
            raise ValueError(f"{path}, line {line}: {err}") from None
    return rows


def spotting_summary(result: SpottingResult) -> dict:
    """Counts, precision, recall, F1 and apex errors of one spotting result, as metrics.json stores them."""
    errors = result.apex_errors_frames
    c = result.counts
    return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": c.precision, "recall": c.recall, "f1": c.f1,
            "apex_error_frames_mean": statistics.fmean(errors) if errors else None,
            "apex_error_frames_median": statistics.median(errors) if errors else None,
            "apex_error_s_mean": statistics.fmean(result.apex_errors_s) if errors else None}


def _micro_by(attribute: str, truth: list[Event], pred: list[Event], key: Callable[[Event], Hashable],
              videos: dict[str, VideoRow]) -> dict:
    def group(event: Event) -> str:
        row = videos.get(key(event))
        return UNLISTED if row is None else getattr(row, attribute)

    names = sorted({getattr(v, attribute) for v in videos.values()} | {group(e) for e in truth + pred})
    return {name: spotting_summary(evaluate_spotting([e for e in truth if group(e) == name],
                                                     [e for e in pred if group(e) == name], key)["micro"])
            for name in names}


def _micro_by_part(truth: list[Event], pred: list[Event], key: Callable[[Event], Hashable],
                   parts: Sequence[IntervalRow]) -> dict:
    """Micro spotting per kind of part, each part of a recording matched as a video of its own."""
    by_video: dict[Hashable, list[IntervalRow]] = defaultdict(list)
    for part in parts:
        by_video[part.key].append(part)

    def part_of(event: Event) -> Optional[IntervalRow]:
        """The part its onset frame lies in, None where it lies in none."""
        return next((p for p in by_video.get(key(event), ()) if p.start <= event.onset_frame <= p.end), None)

    def kind_of(event: Event) -> Optional[str]:
        part = part_of(event)
        return None if part is None else part.kind

    def part_key(event: Event) -> Hashable:
        return key(event), part_of(event)

    return {kind: spotting_summary(evaluate_spotting([e for e in truth if kind_of(e) == kind],
                                                     [e for e in pred if kind_of(e) == kind], part_key)["micro"])
            for kind in sorted({p.kind for p in parts})}


def _inside(frame: int, intervals: Iterable[tuple[int, int]]) -> bool:
    return any(start <= frame <= end for start, end in intervals)


def spotting_breakdown(truth: Sequence[Event], pred: Sequence[Event], key: Callable[[Event], Hashable],
                       videos: Sequence[VideoRow] = (), nuisances: Sequence[IntervalRow] = (),
                       parts: Sequence[IntervalRow] = ()) -> dict:
    """The breakdown described above; each part only when its sidecar was given."""
    truth, pred = list(truth), list(pred)
    table = {v.key: v for v in videos}
    out: dict = {"inside_rule": INSIDE_RULE}
    if videos:
        for attribute in BREAKDOWN_BY:
            out[f"micro_by_{attribute}"] = _micro_by(attribute, truth, pred, key, table)
    if parts:
        out["micro_by_part"] = _micro_by_part(truth, pred, key, parts)
    false_micro = evaluate_spotting(truth, pred, key)["micro"].false_alarms
    labelled: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for e in truth:
        labelled[(key(e), e.kind)].append((e.onset_frame, e.offset_frame))
    kinds = sorted({n.kind for n in nuisances})
    for n in nuisances:
        labelled[(n.key, "nuisance:" + n.kind)].append((n.start, n.end))
    where = {"false_micro": len(false_micro), "inside_macro": 0, "inside_micro": 0,
             "inside_nuisance": {kind: 0 for kind in kinds}, "nothing_labelled": 0}
    for p in false_micro:
        hit = False
        for kind in ("macro", "micro"):
            if _inside(p.apex_frame, labelled[(key(p), kind)]):
                where[f"inside_{kind}"] += 1
                hit = True
        for kind in kinds:
            if _inside(p.apex_frame, labelled[(key(p), "nuisance:" + kind)]):
                where["inside_nuisance"][kind] += 1
                hit = True
        where["nothing_labelled"] += not hit
    out["false_micro_where"] = where
    if videos:
        quiet = [v for v in videos if v.injected_events == 0]
        minutes = sum(v.n_frames / v.fps for v in quiet) / 60
        keys = {v.key for v in quiet}
        count = sum(1 for p in false_micro if key(p) in keys)
        macro = sum(1 for p in pred if p.kind == "macro" and key(p) in keys)
        out["no_injection"] = {"videos": len(quiet), "minutes": minutes, "false_micro": count,
                               "false_micro_per_minute": count / minutes if minutes > 0 else None,
                               "macro": macro, "macro_per_minute": macro / minutes if minutes > 0 else None}
    return out


def breakdown_lines(breakdown: dict) -> list[str]:
    """The printout of a breakdown."""
    lines = ["Breakdown (micro-expressions; sidecars videos.csv / nuisance.csv / parts.csv)"]
    for attribute in (*BREAKDOWN_BY, "part"):
        table = breakdown.get(f"micro_by_{attribute}")
        if not table:
            continue
        label = "by part of a long recording:" if attribute == "part" else f"by {attribute.replace('_', ' ')}:"
        lines.append(f"  {label:<48}{'TP':>5}{'FP':>5}{'FN':>5}{'P':>7}{'R':>7}{'F1':>7}   apex error")
        for name, m in table.items():
            apex = "-" if m["apex_error_frames_median"] is None else \
                f"median {m['apex_error_frames_median']:g}, mean {m['apex_error_frames_mean']:.1f} frames"
            lines.append(f"    {name:<46}{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}{m['precision']:>7.3f}"
                         f"{m['recall']:>7.3f}{m['f1']:>7.3f}   {apex}")
    w = breakdown["false_micro_where"]
    nuisance = ", ".join(f"{k} {v}" for k, v in w["inside_nuisance"].items()) or "no nuisance sidecar"
    lines.append(f"  false micro suggestions: {w['false_micro']}: inside a labelled macro {w['inside_macro']}, "
                 f"inside a labelled micro {w['inside_micro']}, inside nuisances ({nuisance}), "
                 f"where nothing is labelled {w['nothing_labelled']} ({breakdown['inside_rule']})")
    quiet = breakdown.get("no_injection")
    if quiet:
        rate = "-" if quiet["false_micro_per_minute"] is None else f"{quiet['false_micro_per_minute']:.2f}"
        macro_rate = "-" if quiet["macro_per_minute"] is None else f"{quiet['macro_per_minute']:.2f}"
        lines.append(f"  videos with nothing injected: {quiet['videos']} ({quiet['minutes']:.2f} min): "
                     f"{quiet['false_micro']} false micro suggestions, {rate} per minute; "
                     f"{quiet['macro']} macro suggestions, {macro_rate} per minute")
    return lines


def sidecar(given: Optional[str], truth_csv: str | os.PathLike, name: str) -> Optional[Path]:
    """The sidecar to use: the one given (it must exist), else `name` beside the truth CSV when present."""
    if given:
        path = Path(given)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
        return path
    beside = Path(truth_csv).parent / name
    return beside if beside.is_file() else None
