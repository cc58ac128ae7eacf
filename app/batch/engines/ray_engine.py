"""Ray engine: the same per-video job on a Ray cluster, one long-lived actor per worker.

Why actors, not one task per video: a task would import torch and load the checkpoint and the face models for
every video (seconds each, see `tsfmicro bench --batch`); an actor pays that once and then scores video after
video, exactly like a local worker process. The driver keeps every actor busy with one video at a time (`ray.wait`
on the in-flight calls), so long and short videos balance themselves, and it knows which video each actor holds:
an actor that dies costs that video only (status=error, temporary files removed, a replacement actor started).

Resources: each actor asks for `threads` CPUs (torch and OpenCV use that many threads) and, when the cluster has
GPUs and the model may use one (a checkpoint, device auto/cuda), `num_gpus` = min(1, cluster GPUs / actors), so
actors share GPUs evenly; Ray then exposes the GPU to the actor through CUDA_VISIBLE_DEVICES and device auto picks
it. Files: actors read the videos and write OUT directly, so INPUT, OUT and the checkpoint must be at the same
path on every node (shared storage); the checkpoint's SHA-256 is checked on each actor. Per-frame progress comes
back through a small `ray.util.queue.Queue`. `ray` is imported only when this engine runs.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from pathlib import Path
from typing import Optional, Sequence

from app.batch.engines import Sink, WorkerStartError
from app.batch.job import JobResult, JobSpec, import_engine, score_video, worker_models
from app.batch.marker import remove_temporaries
from app.batch.settings import MODEL, ScoreSettings

PROGRESS_INTERVAL_S = 0.5


class RayMissingError(RuntimeError):
    """ray is not installed in this environment."""


def import_ray():
    try:
        import ray  # lazy: optional dependency (the cluster extra), imported only when this engine runs
    except ImportError as error:
        raise RayMissingError("--engine ray needs Ray: pip install 'tsfmicro-studio[cluster]' (ray==2.60.0) on this "
                              "machine and on every node of the cluster") from error
    return ray


class ScoringActor:
    """Lives in a Ray worker process: loads the models once (`worker_models`), then scores jobs."""

    def __init__(self, settings: ScoreSettings, threads: int, name: str, queue) -> None:
        self.name = f"{name}@{socket.gethostname()}"
        self.queue = queue
        self.error: Optional[str] = None
        self.models = None
        try:
            import_engine()  # start-up, measured apart from the model load
            self.models = worker_models(settings, threads)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"

    def ready(self) -> tuple:
        if self.models is None:
            return self.name, self.error, 0.0, {}
        return self.name, None, self.models.load_s, self.models.describe()

    def score(self, job: JobSpec) -> JobResult:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] >= PROGRESS_INTERVAL_S:
                last[0] = now
                try:
                    self.queue.put_nowait((job.index, done, total))
                except Exception:  # progress is best effort
                    pass

        return score_video(job, self.models, progress, worker=self.name)


def _wait_dead(ray, actors, timeout_s: float = 10.0) -> None:
    """Wait (bounded) until killed actors are gone: a call on a dead actor fails with RayActorError."""
    from ray.exceptions import GetTimeoutError, RayError  # lazy: optional dependency (import_ray)

    deadline = time.monotonic() + timeout_s
    for actor in actors:
        while time.monotonic() < deadline:
            try:
                ray.get(actor.__ray_ready__.remote(), timeout=0.5)
            except GetTimeoutError:
                continue
            except RayError:
                break
            time.sleep(0.1)


class RayEngine:
    name = "ray"

    def __init__(self, address: Optional[str] = None, workers: Optional[int] = None, threads: int = 1) -> None:
        self.address = address
        self.workers = workers
        self.threads = max(1, int(threads))
        self._actual_workers: Optional[int] = None
        self._gpus_per_worker = 0.0
        self._cluster: dict = {}

    def check_installed(self) -> None:
        import_ray()

    def describe(self) -> dict:
        return {"engine": self.name, "address": self.address, "workers": self._actual_workers or self.workers,
                "threads_per_worker": self.threads, "gpus_per_worker": self._gpus_per_worker,
                "cluster_resources": self._cluster}

    def summary_line(self) -> str:
        where = self.address or "RAY_ADDRESS or a new local Ray instance"
        count = self.workers if self.workers else "one per cluster CPU /"
        return f"Ray at {where}, {count} actors x {self.threads} thread{'s' if self.threads > 1 else ''}"

    # ------------------------------------------------------------------------------------------------ running

    def _connect(self, ray) -> None:
        if not ray.is_initialized():
            ray.init(address=self.address, log_to_driver=False, logging_level="WARNING", configure_logging=True)

    def _plan(self, ray, settings: ScoreSettings, n_jobs: int) -> tuple[int, float]:
        self._cluster = {k: v for k, v in ray.cluster_resources().items() if k in ("CPU", "GPU", "memory")}
        cpus, gpus = float(self._cluster.get("CPU", 1.0)), float(self._cluster.get("GPU", 0.0))
        workers = self.workers or max(1, int(cpus // self.threads))
        workers = max(1, min(workers, n_jobs))
        wants_gpu = settings.engine == MODEL and (settings.device in ("auto", "cuda") or settings.device.startswith("cuda:"))
        per_worker = min(1.0, gpus / workers) if (wants_gpu and gpus > 0) else 0.0
        self._actual_workers, self._gpus_per_worker = workers, per_worker
        return workers, per_worker

    def run(self, jobs: Sequence[JobSpec], settings: ScoreSettings, sink: Sink) -> None:
        ray = import_ray()
        # lazy: optional dependency (import_ray)
        from ray.exceptions import RayActorError, RayError
        from ray.util.queue import Queue

        self._connect(ray)
        n_workers, gpus = self._plan(ray, settings, len(jobs))
        actor_class = ray.remote(num_cpus=self.threads, num_gpus=gpus, max_restarts=0)(ScoringActor)
        queue = Queue(actor_options={"num_cpus": 0})
        count = [0]
        actors: list = []
        in_flight: dict = {}   # object ref → (actor, job)
        pending = deque(jobs)

        def start_actor():
            count[0] += 1
            spawned = time.perf_counter()
            actor = actor_class.remote(settings, self.threads, f"ray-{count[0]}", queue)
            name, error, load_s, info = ray.get(actor.ready.remote())
            if error is not None:
                ray.kill(actor)
                raise WorkerStartError(f"Ray worker {name} could not start: {error}")
            sink.worker_ready(name, max(0.0, time.perf_counter() - spawned - load_s), load_s, info)
            actors.append(actor)
            return actor

        def drain_progress() -> None:
            try:
                size = queue.qsize()
                items = queue.get_nowait_batch(size) if size else []
            except Exception:
                return
            for index, done, total in items:
                sink.progress(index, done, total)

        try:
            idle = deque(start_actor() for _ in range(n_workers))
            while pending or in_flight:
                while idle and pending:
                    actor, job = idle.popleft(), pending.popleft()
                    in_flight[actor.score.remote(job)] = (actor, job)
                ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=PROGRESS_INTERVAL_S)
                drain_progress()
                for ref in ready:
                    actor, job = in_flight.pop(ref)
                    try:
                        result = ray.get(ref)
                    except RayActorError as error:
                        remove_temporaries(Path(job.out_dir), drop_empty=True)
                        result = JobResult(job.index, "error", error=f"Ray worker died while scoring this video: "
                                                                     f"{str(error).splitlines()[0]}")
                        actors.remove(actor)
                        actor = start_actor() if pending else None
                    except RayError as error:
                        result = JobResult(job.index, "error", error=f"Ray task failed: {str(error).splitlines()[0]}")
                    sink.done(result)
                    if actor is not None:
                        idle.append(actor)
            drain_progress()
        except BaseException:
            for actor in actors:
                ray.kill(actor, no_restart=True)
            _wait_dead(ray, actors)  # before cleaning up: a dying actor must not write another temporary file
            for _, job in in_flight.values():
                remove_temporaries(Path(job.out_dir), drop_empty=True)
            raise
        finally:
            for actor in actors:
                try:
                    ray.kill(actor, no_restart=True)
                except Exception:
                    pass
            try:
                ray.kill(queue.actor, no_restart=True)
            except Exception:
                pass
