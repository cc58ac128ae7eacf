"""Action-unit tracks from the tools labs already run: OpenFace 2.x CSV, py-feat CSV and iMotions
(AFFDEX/FACET) exports, versions 5 and 6.

`read_au_track` recognises the tool from the header and returns an `AuTrack`: 0-based frame
indices, times in seconds where the tool writes them, and the AU columns under their own names
(OpenFace `AU12_r` intensity and `AU12_c` presence, py-feat `AU12`, iMotions `AU12 Evidence`).
`align_to_video` puts one column on the video's frames, by frame index or, when the frame counts
differ and the tool wrote times, by timestamp (the offset is reported).
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from app.core.csv_rows import read_rows

_OPENFACE_AU = re.compile(r"^AU\d+_[rc]$")
_FEAT_AU = re.compile(r"^AU\d+$")
_IMOTIONS_AU = re.compile(r"^AU\d+ Evidence$")


class AuTrackError(ValueError):
    """Not a recognised AU export, or a broken one; the message names the file and the line."""


@dataclass
class AuTrack:
    tool: str
    path: str
    frames: np.ndarray                       # 0-based frame index of each row
    times_s: Optional[np.ndarray]            # seconds, when the tool writes them
    columns: dict[str, np.ndarray]           # AU column name -> values (NaN: no face / no value)
    notes: list[str] = field(default_factory=list)

    @property
    def au_columns(self) -> list[str]:
        return list(self.columns)

    def summary(self) -> dict:
        return {"file": self.path, "tool": self.tool, "frames": int(len(self.frames)),
                "first_frame": int(self.frames.min()) if len(self.frames) else None,
                "last_frame": int(self.frames.max()) if len(self.frames) else None,
                "timestamps": self.times_s is not None, "au_columns": self.au_columns, "notes": list(self.notes)}


def read_au_track(path: str | os.PathLike) -> AuTrack:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines()
    if lines and lines[0].startswith("#"):
        return _imotions(path, lines)
    header = [h.strip() for h in (lines[0].split(",") if lines else [])]
    if {"frame", "timestamp", "success"} <= set(header) and any(_OPENFACE_AU.match(h) for h in header):
        return _table(path, text, "OpenFace 2.x", ",", 1, "frame", 1, [h for h in header if _OPENFACE_AU.match(h)],
                      time_col="timestamp", time_scale=1.0)
    if "frame" in header and any(_FEAT_AU.match(h) for h in header) and ({"FaceScore", "FaceRectX"} & set(header)):
        time_col = "approx_time" if "approx_time" in header else None
        return _table(path, text, "py-feat", ",", 1, "frame", 0, [h for h in header if _FEAT_AU.match(h)],
                      time_col=time_col, time_scale=1.0)
    raise AuTrackError(f"{path}: line 1: not an AU export of OpenFace 2.x (frame, timestamp, success, AUxx_r), "
                       f"py-feat (frame, FaceScore, AUxx) or iMotions (#Version preamble); header begins "
                       f"{', '.join(header[:6]) or '(empty)'}")


def _imotions(path: Path, lines: list[str]) -> AuTrack:
    preamble = [line.split("\t")[0] for line in lines if line.startswith("#")]
    version = next((p.split(":", 1)[1].strip() for p in preamble if p.lower().startswith("#version")), "")
    start = next((i for i, line in enumerate(lines) if line.strip("\t ") and not line.startswith("#")), None)
    if start is None:
        raise AuTrackError(f"{path}: iMotions preamble but no header line")
    header = [h.strip() for h in lines[start].split("\t")]
    aus = [h for h in header if _IMOTIONS_AU.match(h)]
    if "FrameNo" not in header or not aus:
        raise AuTrackError(f"{path}: line {start + 1}: iMotions export without FrameNo or 'AUn Evidence' columns")
    major = version.split(".")[0] if version else "?"
    tool = f"iMotions {major}" + (f" ({version})" if version else "")
    return _table(path, "\n".join(lines), tool, "\t", start + 1, "FrameNo", 0, aus, time_col="Timestamp",
                  time_scale=0.001, skip=start)


def _table(path: Path, text: str, tool: str, delimiter: str, header_line: int, frame_col: str, base: int,
           aus: list[str], *, time_col: Optional[str], time_scale: float, skip: int = 0) -> AuTrack:
    records = read_rows(io.StringIO(text), path, delimiter=delimiter)[skip:]
    header = [h.strip() for h in records[0]]
    index = {h: i for i, h in enumerate(header)}
    frames, times, values, seen = [], [], {a: [] for a in aus}, set()
    duplicates = no_values = 0
    for line, cells in enumerate(records[1:], start=header_line + 1):
        if not any(c.strip() for c in cells):
            continue
        raw = cells[index[frame_col]].strip() if index[frame_col] < len(cells) else ""
        if not raw:  # e.g. an eye-tracker sample between two face frames (iMotions 5)
            no_values += 1
            continue
        try:
            frame = int(float(raw)) - base
        except ValueError:
            raise AuTrackError(f"{path}: line {line}, column {frame_col}: frame number {raw!r} is not a number") from None
        row = [_float(cells, index[a]) for a in aus]
        if frame < 0 or all(math.isnan(v) for v in row):
            no_values += 1
            continue
        if frame in seen:
            duplicates += 1
            continue
        seen.add(frame)
        frames.append(frame)
        times.append(_float(cells, index[time_col]) * time_scale if time_col else math.nan)
        for a, v in zip(aus, row):
            values[a].append(v)
    if not frames:
        raise AuTrackError(f"{path}: {tool} export without a single frame with AU values")
    notes = []
    if no_values:
        notes.append(f"{no_values} rows without a frame number or AU values skipped")
    if duplicates:
        notes.append(f"{duplicates} repeated rows of a frame skipped (the first row of each frame is kept)")
    order = np.argsort(frames, kind="stable")
    time_array = np.asarray(times, dtype=float)[order]
    return AuTrack(tool, str(path), np.asarray(frames, dtype=np.int64)[order],
                   None if time_col is None or np.isnan(time_array).all() else time_array,
                   {a: np.asarray(v, dtype=float)[order] for a, v in values.items()}, notes)


def _float(cells: list[str], i: int) -> float:
    try:
        return float(cells[i]) if i < len(cells) and cells[i].strip() else math.nan
    except ValueError:
        return math.nan


def align_to_video(track: AuTrack, column: str, n_frames: int, fps: float) -> tuple[np.ndarray, str]:
    """One AU column on the video's frames (NaN where the track has no value) and how it was matched."""
    if column not in track.columns:
        raise KeyError(f"{track.path}: no AU column {column!r} (columns: {', '.join(track.au_columns)})")
    out = np.full(n_frames, np.nan)
    span = int(track.frames.max()) + 1
    if span == n_frames or track.times_s is None:
        keep = track.frames < n_frames
        out[track.frames[keep]] = track.columns[column][keep]
        how = "matched by frame index"
        if span != n_frames:
            how += f" (track covers {span} frames, video has {n_frames}; no timestamps to match by)"
        return out, how
    by_time = np.floor(track.times_s * fps + 0.5).astype(np.int64)
    offset = int(np.median(by_time - track.frames))
    keep = (by_time >= 0) & (by_time < n_frames)
    out[by_time[keep]] = track.columns[column][keep]
    return out, (f"matched by timestamp: track covers {span} frames, video has {n_frames}; "
                 f"offset {offset:+d} frames ({offset / fps:+.3f} s)")
