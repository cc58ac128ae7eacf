"""Could the spotter have seen them? `tsfmicro evaluate --spotter learned` reads, for each labelled micro-expression,
how far it stands out of its own video's motion, on the relative evidence's per-frame score (`relative_evidence.
micro_like_score`: the largest go-and-return evidence over its lag and region's background, 0 where the movement is
too large to be micro or is a blink):

* its **stand-out ratio**: the score's peak inside the micro-expression over the score's 99.5th percentile on the
  video's frames (with a face) within 10 s of it and more than 0.1 s from every labelled expression (blinks, glances,
  speech and head motion stay in: they are what a micro-expression must stand out of; 10 s, so that a long
  recording's quiet stretch is not read against its talking). Under 1, at least one frame in 200 of the rest of the
  video around it moves as much: no threshold on this score finds it without false suggestions elsewhere.
* a **ceiling**: the best micro F1 that any one threshold on the score could reach, each local peak (no neighbour
  higher; the highest first, each at least 0.3 s from a higher one kept) a suggestion, right when it lies inside a
  labelled micro-expression (one per micro-expression; perfect boundaries), the threshold chosen on these very labels.
  Not a figure a spotter reaches (it is fitted to the answers), a bound on what reading this score alone can do; the
  networks read more than it.

Per group of videos (all; per face kind and per face and kind where `videos.csv` says them), with how many of the
standing-out and of the other micro-expressions the spotter found (`evaluate_spotting`'s matching). Pure: no I/O.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Callable, Hashable, Mapping, Optional, Sequence

import numpy as np

from app.analysis.evaluate import evaluate_spotting
from app.core.events import Event

PERCENTILE = 99.5   # the rest of the video's score that a micro-expression's peak is read against
AWAY_S = 0.1        # frames this close to a labelled expression are not "the rest of the video"
PEAK_GAP_S = 0.3    # the ceiling's suggestions: local peaks at least this far from a higher one
MIN_REST_S = 1.0    # a video with less of the rest than this is left out (nothing to stand out of)
WINDOW_S = 10.0     # ... read within this much of the micro-expression (a long recording changes its pace)
_NOT_GROUPINGS = ("percentile", "window_s", "all")  # the check's entries that are not a grouping


def stand_out_ratios(relative: np.ndarray, labelled: Sequence[Event], fps: float) -> Optional[list[float]]:
    """For each micro-expression of `labelled` (one video's labelled events, in order), its peak score over the 99.5th
    percentile of the (n,) `relative` score on the rest of the video within `WINDOW_S` of it (measured frames away from
    every labelled expression; the whole rest's where that window holds under `MIN_REST_S` of it or nothing moved
    there); None where the whole rest lasts under `MIN_REST_S` or nothing moved there. NaN frames (no face) are not
    part of the rest."""
    raw = np.asarray(relative, dtype=np.float64)
    relative = np.nan_to_num(raw, nan=0.0)
    n, near, window = len(relative), int(round(AWAY_S * fps)), int(round(WINDOW_S * fps))
    rest = np.isfinite(raw)
    for e in labelled:
        rest[max(0, e.onset_frame - near):e.offset_frame + near + 1] = False
    whole = float(np.percentile(relative[rest], PERCENTILE)) if rest.sum() >= MIN_REST_S * fps else 0.0
    if whole <= 0:
        return None
    ratios = []
    for e in labelled:
        if e.kind != "micro":
            continue
        around = rest.copy()
        around[:max(0, e.onset_frame - window)] = around[e.offset_frame + window + 1:] = False
        local = float(np.percentile(relative[around], PERCENTILE)) if around.sum() >= MIN_REST_S * fps else 0.0
        peak = float(relative[max(0, e.onset_frame):e.offset_frame + 1].max(initial=0.0))
        ratios.append(peak / (local if local > 0 else whole))
    return ratios


def peaks(relative: np.ndarray, gap: int) -> list[int]:
    """The frames of the (n,) score's local peaks above 0 (no neighbour higher), the highest first, each kept only
    where no higher kept peak lies within `gap` − 1 frames of it (at least `gap` frames apart); NaN counts as 0."""
    relative = np.nan_to_num(np.asarray(relative, dtype=np.float64), nan=0.0)
    padded = np.concatenate([[-np.inf], relative, [-np.inf]])
    local = (relative > 0) & (relative >= padded[:-2]) & (relative >= padded[2:])
    taken = np.zeros(len(relative), bool)
    out = []
    for frame in np.flatnonzero(local)[np.argsort(-relative[local], kind="stable")]:
        if not taken[max(0, frame - gap + 1):frame + gap].any():
            taken[frame] = True
            out.append(int(frame))
    return out


def _scored_peaks(relative: np.ndarray, micros: Sequence[Event], fps: float) -> list[tuple[float, bool]]:
    """(score, right) of each peak: right for the highest peak inside a micro-expression; a lower one inside the same
    one is left out (neither found nor false), any other is false."""
    relative = np.nan_to_num(np.asarray(relative, dtype=np.float64), nan=0.0)
    out, found = [], set()
    for frame in peaks(relative, max(1, int(round(PEAK_GAP_S * fps)))):
        inside = next((i for i, e in enumerate(micros) if e.onset_frame <= frame <= e.offset_frame), None)
        if inside is None:
            out.append((float(relative[frame]), False))
        elif inside not in found:
            found.add(inside)
            out.append((float(relative[frame]), True))
    return out


def ceiling(scored: Sequence[tuple[float, bool]], n_micro: int) -> dict:
    """The best F1 over thresholds on the (score, right) peaks of a group with `n_micro` micro-expressions: a
    threshold takes every peak at or above it (ties together). {"f1", "threshold", "tp", "fp", "fn"}; threshold None
    (nothing taken) where no threshold finds any."""
    best = {"f1": 0.0, "threshold": None, "tp": 0, "fp": 0, "fn": n_micro}
    ordered = sorted(scored, key=lambda p: -p[0])
    tp = fp = 0
    for i, (score, right) in enumerate(ordered):
        tp, fp = tp + right, fp + (not right)
        if i + 1 < len(ordered) and ordered[i + 1][0] == score:
            continue  # a threshold cannot split tied peaks
        f1 = 2 * tp / (2 * tp + fp + n_micro - tp)
        if f1 > best["f1"]:
            best = {"f1": round(f1, 4), "threshold": round(score, 3), "tp": tp, "fp": fp, "fn": n_micro - tp}
    return best


def stand_out_check(truth: Sequence[Event], pred: Sequence[Event], key: Callable[[Event], Hashable],
                    scores: Mapping[Hashable, tuple[np.ndarray, float]],
                    groups: Optional[Mapping[str, Mapping[Hashable, str]]] = None) -> Optional[dict]:
    """The stand-out ratios and ceilings over the videos of `scores` (video key → (relative score, fps)), for all of
    them and per group (`groups`: a grouping's name → video key → group, e.g. "face_kind" → {video: "still"}).
    None when no labelled micro-expression could be read."""
    by_video: dict[Hashable, list[Event]] = defaultdict(list)
    for e in truth:
        by_video[key(e)].append(e)
    matched = evaluate_spotting(truth, pred, key)["micro"]
    found = {id(t) for t, _, _ in matched.hits}
    rows: dict[Hashable, dict] = {}
    for video, (relative, fps) in scores.items():
        labelled = sorted(by_video.get(video, []), key=lambda e: e.onset_frame)
        micros = [e for e in labelled if e.kind == "micro"]
        ratios = stand_out_ratios(relative, labelled, fps)
        if ratios is None:
            continue
        rows[video] = {"ratios": ratios, "found": [id(e) in found for e in micros],
                       "peaks": _scored_peaks(relative, micros, fps)}
    if not any(row["ratios"] for row in rows.values()):
        return None
    out = {"percentile": PERCENTILE, "window_s": WINDOW_S, "all": _summary(list(rows.values()))}
    for grouping, of_video in (groups or {}).items():
        members: dict[str, list[dict]] = defaultdict(list)
        for video, row in rows.items():
            if video in of_video:
                members[of_video[video]].append(row)
        out[grouping] = {name: _summary(group) for name, group in sorted(members.items())}
    return out


def _summary(rows: list[dict]) -> dict:
    ratios = [r for row in rows for r in row["ratios"]]
    found = [f for row in rows for f in row["found"]]
    standing = [f for r, f in zip(ratios, found) if r > 1]
    rest = [f for r, f in zip(ratios, found) if r <= 1]
    return {"videos": len(rows), "micro": len(ratios),
            "median_ratio": round(statistics.median(ratios), 3) if ratios else None,
            "stand_out": len(standing), "found_of_standing": sum(standing), "found_of_rest": sum(rest),
            "ceiling": ceiling([p for row in rows for p in row["peaks"]], len(ratios))}


def stand_out_lines(check: dict) -> list[str]:
    """The printout of a `stand_out_check`."""
    lines = [f"How far the labelled micro-expressions stand out of their video's motion (peak relative score over its "
             f"{check['percentile']:g}th percentile within {check['window_s']:g} s, away from labelled expressions; "
             f"ceiling: the best micro F1 any one threshold on that score reaches, perfect boundaries, chosen on these "
             f"labels):",
             f"  {'videos':<34}{'micro':>6}{'stand out':>11}{'found (of those / rest)':>25}{'median':>8}"
             f"{'ceiling F1 (TP/FP/FN)':>24}"]
    sections = [{"all": check["all"]}] + [groups for grouping, groups in check.items()
                                          if grouping not in _NOT_GROUPINGS]
    for groups in sections:
        for name, g in groups.items():
            if not g["micro"]:
                continue
            c = g["ceiling"]
            lines.append(f"  {name[:33]:<34}{g['micro']:>6}{g['stand_out']:>11}"
                         f"{str(g['found_of_standing']) + ' / ' + str(g['found_of_rest']):>25}"
                         f"{g['median_ratio']:>8.2f}{c['f1']:>10.3f} ({c['tp']}/{c['fp']}/{c['fn']})")
    return lines
