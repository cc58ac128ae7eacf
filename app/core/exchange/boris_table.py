"""BORIS's tabular event export (Observations > Export events, TSV or CSV) read back.

One line per START / STOP (or POINT) with the columns `Observation id`, `Subject`, `Behavior`,
`Behavior type` (older versions: `Status`), `Time`, `FPS`, `Media file name` (older: `Media file`),
`Modifier #1`... (older: `Modifiers`) and `Comment`. The aggregated export (one line per state
event with `Start (s)` and `Stop (s)`) is read too. Lines are numbered as a spreadsheet shows them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Optional

from app.core.csv_rows import read_rows
from app.core.validation import Problem, ValidationReport

from .boris import BorisRow, _number, events_from_rows
from .common import ExchangeError

_NEEDED = ("Observation id", "Subject", "Behavior")


def looks_like_boris_table(head: str) -> bool:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return first.startswith("Observation id") and "Behavior" in first


def read_boris_table(path: str | os.PathLike, *, fps: Optional[float] = None,
                     video: Optional[str] = None) -> ValidationReport:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    first = text.splitlines()[0] if text else ""
    delimiter = "\t" if first.count("\t") >= first.count(",") else ","
    records = read_rows(io.StringIO(text), path, delimiter=delimiter)
    if not records:
        raise ExchangeError(f"{path}: empty file")
    header = [h.strip() for h in records[0]]
    missing = [c for c in _NEEDED if c not in header]
    aggregated = "Start (s)" in header and "Stop (s)" in header
    if not aggregated and "Time" not in header:
        missing.append("Time (or Start (s) and Stop (s))")
    if missing:
        raise ExchangeError(f"{path}: line 1: not a BORIS event export: missing column(s) {', '.join(missing)} "
                            f"(found: {', '.join(header[:12])})")
    status_col = "Behavior type" if "Behavior type" in header else ("Status" if "Status" in header else None)
    media_col = next((c for c in ("Media file name", "Media file") if c in header), None)
    modifier_cols = [c for c in header if c.startswith("Modifier #") or c == "Modifiers"]
    report = ValidationReport()
    by_obs: dict[tuple[str, str], tuple[list[BorisRow], Optional[float]]] = {}
    for line, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        media = row.get(media_col, "") if media_col else ""
        media = media.split(":", 1)[1] if media.startswith("player #") else media
        key = (row["Observation id"], video or media.split(";")[0] or row["Observation id"])
        rows, obs_fps = by_obs.setdefault(key, ([], fps or _number(row.get("FPS", ""))))
        modifier = "|".join(row[c] for c in modifier_cols if row.get(c, "").strip())
        comment = row.get("Comment", "") or row.get("Comment start", "")
        common = dict(subject=row["Subject"].strip(), code=row["Behavior"].strip(), modifier=modifier)
        where = f"observation {row['Observation id']!r}"
        if aggregated:
            start, stop = _number(row["Start (s)"]), _number(row["Stop (s)"])
            if start is None or stop is None:
                report.problems.append(Problem(str(path), line, "Start (s)/Stop (s)", "not a number"))
                continue
            rows.append(BorisRow(where, line, start, comment=comment, status="START", **common))
            rows.append(BorisRow(where, line, stop, comment="", status="STOP", **common))
            continue
        time = _number(row["Time"])
        if time is None:
            report.problems.append(Problem(str(path), line, "Time", f"time must be a number, got {row['Time']!r}"))
            continue
        status = row.get(status_col, "").strip().upper() if status_col else ""
        rows.append(BorisRow(where, line, time, comment=comment,
                             status=status if status in ("START", "STOP") else None, **common))
    for (obs_id, media), (rows, obs_fps) in by_obs.items():
        if not obs_fps:
            raise ExchangeError(f"{path}: observation {obs_id!r}: no FPS column value; give --fps")
        events_from_rows(path, rows, obs_fps, media, report)
    return report
