"""Engines run `job.score_video` over a list of jobs and report back through a `Sink`:

- `local.LocalEngine(workers, threads)`: N spawned processes on this machine.
- `ray_engine.RayEngine(address, workers, threads)`: actors on a Ray cluster (ray is imported only there).

Contract: `engine.run(jobs, settings, sink)` calls `sink.worker_ready` once per worker started,
`sink.progress(index, frames_done, frames_total)` while a video is scored and `sink.done(result)` exactly once
per job that finished (ok or error). On KeyboardInterrupt it stops its workers (their atomic writers discard
unfinished files), removes temporary files of the videos in flight, and re-raises. A worker that cannot start
(bad checkpoint, missing package) raises `WorkerStartError`.
"""

from __future__ import annotations

from typing import Protocol

from app.batch.job import JobResult


class WorkerStartError(RuntimeError):
    """A worker could not load what every job needs; the batch cannot run."""


class Sink(Protocol):
    def worker_ready(self, worker: str, startup_s: float, load_s: float, info: dict) -> None: ...

    def progress(self, index: int, done: int, total: int) -> None: ...

    def done(self, result: JobResult) -> None: ...
