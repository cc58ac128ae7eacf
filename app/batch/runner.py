"""`run_batch`: plan the batch, hand the jobs to an engine, collect the results, write summary.csv and run.json.

Planning, in the calling process: output names (`naming`), each video's content hash (`app.media.content_hash`;
a video that cannot be read at all is an error row at once), with `resume` the done.json check (a match is a
`skipped` row and is not sent), and the frame counts for the progress bar. Ctrl-C: the engine stops its
workers, the summary is written for the videos that finished, and KeyboardInterrupt propagates (the command
exits 130); a rerun with `resume` continues where it stopped.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence, TextIO

from app.batch.job import JobResult, JobSpec, quiet_opencv
from app.batch.marker import is_done
from app.batch.naming import output_names
from app.batch.progress import BatchProgress
from app.batch.settings import ScoreSettings
from app.batch.summary import SummaryRow, write_run_json, write_summary
from app.media import content_hash, open_video

SUMMARY_EVERY_S = 5.0


@dataclass
class BatchReport:
    rows: list[SummaryRow]
    interrupted: bool = False
    workers: dict = field(default_factory=dict)   # worker name → {"startup_s", "load_s", ...}
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def failed(self) -> bool:
        return self.count("error") > 0

    @property
    def frames_scored(self) -> int:
        return sum(row.frames for row in self.rows if row.status == "ok")


class _Collector:
    """The engine's sink: results into summary rows, progress to the display, summary.csv rewritten now and then."""

    def __init__(self, out: Path, videos: Sequence[Path], names: Sequence[str], expected: dict[int, int],
                 progress: BatchProgress) -> None:
        self.out, self.videos, self.names, self.expected = out, videos, names, expected
        self.display = progress
        self.rows: dict[int, SummaryRow] = {}
        self.workers: dict[str, dict] = {}
        self.videos_per_worker: dict[str, int] = {}
        self._written = 0.0

    def add(self, index: int, row: SummaryRow) -> None:
        self.rows[index] = row

    def worker_ready(self, worker: str, startup_s: float, load_s: float, info: dict) -> None:
        self.workers[worker] = {"startup_s": round(startup_s, 3), "load_s": round(load_s, 3), **info}

    def progress(self, index: int, done: int, total: int) -> None:
        self.display.frames(index, done)

    def done(self, result: JobResult) -> None:
        i = result.index
        self.rows[i] = SummaryRow(str(self.videos[i]), self.names[i], result.status, result.frames, result.events,
                                  result.seconds, result.error, result.sensitivity)
        if result.worker:
            self.videos_per_worker[result.worker] = self.videos_per_worker.get(result.worker, 0) + 1
        self.display.video_done(i, result.status, result.frames, self.expected.get(i, 0))
        if time.monotonic() - self._written >= SUMMARY_EVERY_S:
            self.write()

    def ordered(self) -> list[SummaryRow]:
        return [self.rows[i] for i in sorted(self.rows)]

    def write(self) -> None:
        write_summary(self.out, self.ordered())
        self._written = time.monotonic()


def _frame_count(video: Path) -> int:
    quiet_opencv()
    try:
        with open_video(video) as source:
            return max(0, int(source.probe().n_frames))
    except Exception:  # the job reports the real problem
        return 0


def run_batch(videos: Sequence[Path], out: str | os.PathLike, settings: ScoreSettings, engine, *,
              resume: bool = False, stream: Optional[TextIO] = None, tty: Optional[bool] = None) -> BatchReport:
    """Score `videos` into `out` with `engine` (see the module docstring). Raises KeyboardInterrupt after an
    interrupt (summary already written) and `engines.WorkerStartError` when workers cannot load the models."""
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out = Path(out).absolute()
    out.mkdir(parents=True, exist_ok=True)
    videos = [Path(v).absolute() for v in videos]
    names = output_names(videos)
    key = settings.key
    jobs: list[JobSpec] = []
    early: dict[int, SummaryRow] = {}
    expected: dict[int, int] = {}
    for i, (video, name) in enumerate(zip(videos, names)):
        folder = out / name
        try:
            digest = content_hash(video)
        except OSError as error:
            reason = "no such file" if isinstance(error, FileNotFoundError) else f"cannot read ({error.strerror or error})"
            early[i] = SummaryRow(str(video), name, "error", error=f"{video}: {reason}")
            continue
        marker = is_done(folder, digest, key) if resume else None
        if marker is not None:
            early[i] = SummaryRow(str(video), name, "skipped", int(marker.get("frames", 0)),
                                  int(marker.get("events", 0)), sensitivity=marker.get("sensitivity"))
            continue
        expected[i] = _frame_count(video)
        jobs.append(JobSpec(i, str(video), str(folder), digest, settings))
    progress = BatchProgress(len(videos), sum(expected.values()), stream=stream, tty=tty)
    collector = _Collector(out, videos, names, expected, progress)
    for i, row in early.items():
        collector.add(i, row)
    progress.skip(sum(row.status == "skipped" for row in early.values()))
    progress.fail(sum(row.status == "error" for row in early.values()))
    interrupted = False
    try:
        if jobs:
            engine.run(jobs, settings, collector)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
        collector.write()
        report = BatchReport(collector.ordered(), interrupted, collector.workers, time.perf_counter() - started)
        write_run_json(out, {
            "started": started_at, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(report.seconds, 2), "interrupted": interrupted, "host": socket.gethostname(),
            "python": sys.version.split()[0], "videos": len(videos), "scored": len(jobs),
            "ok": report.count("ok"), "errors": report.count("error"), "skipped": report.count("skipped"),
            "not_finished": len(videos) - len(report.rows), "settings_key": key, "settings": settings.describe(),
            "checkpoint": settings.checkpoint, "device_requested": settings.device, **engine.describe(),
            "worker_stats": collector.workers, "videos_per_worker": collector.videos_per_worker,
        })
    if interrupted:
        raise KeyboardInterrupt
    return report
