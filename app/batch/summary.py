"""`OUT/summary.csv` (one row per video of the batch, in input order) and `OUT/run.json` (run metadata).

summary.csv columns: path (the video, absolute), output (its folder name under OUT), status (ok | error |
skipped), frames, events, seconds (wall time of its job; empty when skipped), fps (frames / seconds), error
(the reason when status is error), floor_pct_eye_span (the learned spotter's sensitivity: the smallest go-and-return
movement it could flag in the video, % of an eye span; empty for other engines) and warning (where that floor is
over a micro-expression's size: the spotter cannot see faint micro-expressions in this video; or where it is so in
some stretches of a long recording, the share of its frames). Both files are
written atomically; the runner rewrites summary.csv as videos finish (at most every few seconds) and once at the
end, so an interrupted run still has one for what finished.
Run-specific values (times, hosts, thread counts) live only here and in run.json, never in the per-video files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from app.core.atomic import atomic_write_text

SUMMARY = "summary.csv"
RUN_JSON = "run.json"
SUMMARY_COLUMNS = ("path", "output", "status", "frames", "events", "seconds", "fps", "error", "floor_pct_eye_span",
                   "warning")
STATUSES = ("ok", "error", "skipped")


@dataclass(frozen=True)
class SummaryRow:
    path: str
    output: str
    status: str
    frames: int = 0
    events: int = 0
    seconds: float | None = None
    error: str = ""
    sensitivity: dict | None = None  # `Sensitivity.as_dict()` of the learned spotter's run, None for other engines

    def cells(self) -> list[str]:
        seconds = "" if self.seconds is None else f"{self.seconds:.2f}"
        fps = "" if not self.seconds else f"{self.frames / self.seconds:.1f}"
        seen = self.sensitivity or {}
        floor = seen.get("floor_pct_eye_span")
        return [self.path, self.output, self.status, str(self.frames), str(self.events), seconds, fps,
                " ".join(self.error.split()), "" if floor is None else f"{floor:.2f}",
                seen.get("text", "") if seen.get("blind") or seen.get("partly_blind") else ""]


def summary_text(rows: Iterable[SummaryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in rows:
        writer.writerow(row.cells())
    return out.getvalue()


def write_summary(out_dir: Path, rows: Iterable[SummaryRow]) -> Path:
    return atomic_write_text(Path(out_dir) / SUMMARY, summary_text(rows))


def write_run_json(out_dir: Path, meta: dict) -> Path:
    return atomic_write_text(Path(out_dir) / RUN_JSON, json.dumps(meta, indent=2, default=str) + "\n")
