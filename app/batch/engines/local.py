"""Local engine: N worker processes (spawn context) on this machine, each loading the models once.

Each worker gets its own duplex pipe; the parent sends it one job at a time and waits on all pipes and process
sentinels together (`multiprocessing.connection.wait`), so it always knows which video a worker holds. A worker
that dies mid-video (killed, crashed decoder) costs that video only: it is reported as an error, its temporary
files are removed and a fresh worker takes over the remaining videos. Workers ignore SIGINT (Ctrl-C reaches
the whole process group; the parent decides) and turn SIGTERM into SystemExit, so stopping them lets their atomic
writers delete unfinished files. Threads: torch, OpenCV and the BLAS/OpenMP pools get `threads` each
(default max(1, cores // workers)), so N workers do not oversubscribe the cores.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Optional, Sequence

from app.batch.engines import Sink, WorkerStartError
from app.batch.job import JobResult, JobSpec, import_engine, score_video, worker_models
from app.batch.marker import remove_temporaries
from app.batch.settings import ScoreSettings, threads_per_worker

_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
PROGRESS_INTERVAL_S = 0.25


def _terminate(signum, frame):  # SIGTERM in a worker: unwind, so atomic writers remove their temp files
    raise SystemExit(128 + signum)


def worker_main(name: str, conn, settings: ScoreSettings, threads: int) -> None:
    """A worker process: load the models once, then score the jobs the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        import_engine()  # start-up, measured apart from the model load
        models = worker_models(settings, threads)
    except Exception as error:
        conn.send(("failed", name, f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", name, models.load_s, models.describe()))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        last = [0.0]

        def progress(done: int, total: int, index=job.index) -> None:
            now = time.perf_counter()
            if now - last[0] >= PROGRESS_INTERVAL_S:
                last[0] = now
                conn.send(("progress", index, done, total))

        conn.send(("done", score_video(job, models, progress, worker=name)))


@contextlib.contextmanager
def _child_environment(threads: int):
    """Thread-pool sizes and an ignored SIGINT for the child being spawned (both are inherited at exec)."""
    saved = {k: os.environ.get(k) for k in _THREAD_VARS}
    os.environ.update({k: str(threads) for k in _THREAD_VARS})
    old_sigint = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        yield
    finally:
        if old_sigint is not None:
            signal.signal(signal.SIGINT, old_sigint)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@dataclass(eq=False)
class _Slot:
    name: str
    process: mp.Process
    conn: object
    spawned_at: float
    ready: bool = False
    job: Optional[JobSpec] = None
    closing: bool = False


class LocalEngine:
    name = "local"

    def __init__(self, workers: int = 1, threads: Optional[int] = None, start_method: str = "spawn") -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = int(workers)
        self.threads = int(threads) if threads else threads_per_worker(self.workers)
        self.start_method = start_method
        self._count = 0

    def describe(self) -> dict:
        return {"engine": self.name, "workers": self.workers, "threads_per_worker": self.threads,
                "start_method": self.start_method, "cores": os.cpu_count()}

    def summary_line(self) -> str:
        return (f"{self.workers} local worker{'s' if self.workers > 1 else ''} x {self.threads} "
                f"thread{'s' if self.threads > 1 else ''}")

    # ------------------------------------------------------------------------------------------------ running

    def run(self, jobs: Sequence[JobSpec], settings: ScoreSettings, sink: Sink) -> None:
        ctx = mp.get_context(self.start_method)
        pending = deque(jobs)
        slots: list[_Slot] = []
        try:
            for _ in range(min(self.workers, len(pending))):
                slots.append(self._spawn(ctx, settings))
            while slots:
                self._step(ctx, settings, slots, pending, sink)
        except BaseException:
            self._stop(slots)
            raise

    def _spawn(self, ctx, settings: ScoreSettings) -> _Slot:
        self._count += 1
        name = f"local-{self._count}"
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(target=worker_main, args=(name, child, settings, self.threads), name=name, daemon=True)
        spawned_at = time.perf_counter()
        with _child_environment(self.threads):
            process.start()
        child.close()
        return _Slot(name, process, parent, spawned_at)

    def _step(self, ctx, settings, slots: list[_Slot], pending: deque, sink: Sink) -> None:
        by_object = {}
        for slot in slots:
            by_object[slot.conn] = slot
            by_object[slot.process.sentinel] = slot
        for obj in wait(list(by_object), timeout=1.0):
            slot = by_object[obj]
            if slot not in slots:
                continue
            if obj is slot.conn:
                try:
                    message = slot.conn.recv()
                except (EOFError, OSError):
                    self._lost(ctx, settings, slots, slot, pending, sink)
                    continue
                self._handle(slot, message, pending, sink)
                if slot.closing:
                    slot.process.join(timeout=10)
                    slots.remove(slot)
            else:
                while slot in slots and slot.conn.poll():  # read what it sent before it exited
                    try:
                        self._handle(slot, slot.conn.recv(), pending, sink)
                    except (EOFError, OSError):
                        break
                if slot in slots and not slot.closing:
                    self._lost(ctx, settings, slots, slot, pending, sink)
                elif slot in slots:
                    slots.remove(slot)

    def _handle(self, slot: _Slot, message: tuple, pending: deque, sink: Sink) -> None:
        kind = message[0]
        if kind == "progress":
            _, index, done, total = message
            sink.progress(index, done, total)
            return
        if kind == "failed":
            raise WorkerStartError(f"worker {message[1]} could not start: {message[2]}")
        if kind == "ready":
            _, name, load_s, info = message
            total = time.perf_counter() - slot.spawned_at
            slot.ready = True
            sink.worker_ready(name, max(0.0, total - load_s), load_s, info)
        elif kind == "done":
            result: JobResult = message[1]
            slot.job = None
            sink.done(result)
        self._dispatch(slot, pending)

    def _dispatch(self, slot: _Slot, pending: deque) -> None:
        """The next job (or None: stop) to a worker. If it died meanwhile, its sentinel fires next and `_lost`
        reports the job it was given."""
        if pending:
            slot.job = pending.popleft()
        else:
            slot.closing = True
        try:
            slot.conn.send(slot.job)
        except (BrokenPipeError, OSError):
            slot.closing = False

    def _lost(self, ctx, settings, slots: list[_Slot], slot: _Slot, pending: deque, sink: Sink) -> None:
        """A worker exited without being asked to: fail its video, replace it when work remains."""
        slot.process.join(timeout=5)
        code = slot.process.exitcode
        slots.remove(slot)
        slot.conn.close()
        if not slot.ready:
            raise WorkerStartError(f"worker {slot.name} exited while starting (exit code {code})")
        if slot.job is not None:
            remove_temporaries(Path(slot.job.out_dir), drop_empty=True)
            sink.done(JobResult(slot.job.index, "error", worker=slot.name,
                                error=f"worker process {slot.name} died (exit code {code}) while scoring this video"))
        if pending:
            slots.append(self._spawn(ctx, settings))

    def _stop(self, slots: list[_Slot]) -> None:
        """Interrupt: SIGTERM every worker (they unwind and drop unfinished files), then SIGKILL stragglers."""
        for slot in slots:
            if slot.process.is_alive():
                slot.process.terminate()
        deadline = time.monotonic() + 10.0
        for slot in slots:
            slot.process.join(timeout=max(0.1, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=5)
            if slot.job is not None:
                remove_temporaries(Path(slot.job.out_dir), drop_empty=True)
            slot.conn.close()
        slots.clear()
