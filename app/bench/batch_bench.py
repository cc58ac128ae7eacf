"""Batch scoring throughput (`tsfmicro bench --batch`): `tsfmicro score`'s local engine over a folder of
generated videos with 1 and 2 workers, for the motion-spotter fallback and for a model checkpoint, in one run.

- Videos: `videos` synthetic micro-expression clips (`app.synth.dataset`, 640x480 30 fps H.264, `seconds` each),
  rendered once into WORKDIR/batch_videos_<n>x<s>s and reused.
- Model: the full TSFmicro architecture (5 classes) with a spotting head, random weights (seeded), saved once as a
  real checkpoint file, so worker start-up and model load are measured as a user meets them; speed does not
  depend on the weights (the fast mode's motion gate looks at real decoded frames).
- Threads: each worker gets max(1, cores // workers) torch/OpenCV threads (the score command's default), so
  2 workers do not oversubscribe the cores.
- Figures: videos/hour and frames/s of the whole run (wall time from starting the workers to the last output,
  so start-up and model load are included), medians over `repeats`; worker start-up (process spawn + imports)
  and model load (checkpoint + face models), medians over all workers started; workers started per run, which
  shows those costs are paid once per worker, not once per video.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from app.batch.engines.local import LocalEngine
from app.batch.inputs import scan_folder
from app.batch.runner import run_batch
from app.batch.settings import ScoreSettings, threads_per_worker
from app.synth.dataset import synthesize_dataset

BENCH_CLASSES = ("negative", "positive", "surprise", "others", "repression")
WORKER_COUNTS = (1, 2)


@dataclass
class EngineFigures:
    label: str
    frames: int = 0
    videos: int = 0
    seconds: dict[int, float] = field(default_factory=dict)      # workers → median wall seconds
    starts: dict[int, int] = field(default_factory=dict)         # workers → worker processes started per run
    startup_s: list[float] = field(default_factory=list)         # every worker's start-up
    load_s: list[float] = field(default_factory=list)            # every worker's model load

    def videos_per_hour(self, workers: int) -> float:
        return self.videos / self.seconds[workers] * 3600.0

    def frames_per_s(self, workers: int) -> float:
        return self.frames / self.seconds[workers]


@dataclass
class BatchBenchResult:
    videos: int
    seconds_per_video: float
    repeats: int
    cores: int
    motion: EngineFigures
    model: EngineFigures

    def as_dict(self) -> dict:
        out = {"videos": self.videos, "video_seconds": self.seconds_per_video, "frames": self.model.frames,
               "repeats": self.repeats, "cores": self.cores,
               "threads_per_worker": {str(n): threads_per_worker(n, self.cores) for n in WORKER_COUNTS},
               "model": "tsfmicro (full architecture, 5 classes, random weights) + spotting head, CPU, mode fast"}
        for prefix, figures in (("", self.model), ("motion_", self.motion)):
            for n in WORKER_COUNTS:
                suffix = "1_worker" if n == 1 else f"{n}_workers"
                out[f"{prefix}videos_per_hour_{suffix}"] = round(figures.videos_per_hour(n), 1)
                out[f"{prefix}frames_per_s_{suffix}"] = round(figures.frames_per_s(n), 1)
                out[f"{prefix}run_seconds_{suffix}"] = round(figures.seconds[n], 2)
                out[f"{prefix}worker_starts_{suffix}"] = figures.starts[n]
            out[f"{prefix}worker_startup_s"] = round(statistics.median(figures.startup_s), 3)
            out[f"{prefix}model_load_s"] = round(statistics.median(figures.load_s), 3)
        out["speedup_2_workers"] = round(self.model.seconds[1] / self.model.seconds[2], 2)
        out["motion_speedup_2_workers"] = round(self.motion.seconds[1] / self.motion.seconds[2], 2)
        once = out["worker_startup_s"] + out["model_load_s"]
        out["overhead_per_worker_s"] = round(once, 3)
        out["overhead_per_video_s_1_worker"] = round(once / self.videos, 3)  # paid once, spread over the videos
        return out


def bench_videos(workdir: Path, videos: int, seconds: float, log: Callable[[str], None]) -> list[Path]:
    folder = workdir / f"batch_videos_{videos}x{seconds:g}s"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        log(f"rendering {videos} synthetic {seconds:g} s videos into {folder} (once)")
        synthesize_dataset(folder, videos, seed=2024, duration_s=seconds, log=log)
        done.write_text("ok\n")
    return scan_folder(folder)


def bench_checkpoint(workdir: Path) -> Path:
    """The full TSFmicro architecture with a spotting head, random (seeded) weights, saved once."""
    path = workdir / "batch_bench_tsfmicro_random.pt"
    if not path.exists():
        # lazy: torch, only to write the checkpoint once; the bench's own process otherwise runs without it (the
        # workers load it), as tsfmicro score's does
        import torch

        from app.analysis.contract import ModelContract
        from app.analysis.pairing import PairingPolicy
        from model import PreprocessCfg, SpottingHead, SpottingHeadCfg, create_model, save_checkpoint

        torch.manual_seed(0)
        model = create_model("tsfmicro", num_classes=len(BENCH_CLASSES)).eval()
        head = SpottingHead(SpottingHeadCfg(embed_dim=model.cfg.embed_dim)).eval()
        save_checkpoint(path, model, model_name="tsfmicro", class_names=BENCH_CLASSES,
                        preprocess=PreprocessCfg(size=model.cfg.input_size),
                        contract=ModelContract(pairing=PairingPolicy(tau_s=0.15)).to_dict(),
                        model_card={"purpose": "benchmark", "data": "none (random weights)"}, spotting_head=head)
    return path


def _measure(figures: EngineFigures, videos: list[Path], settings: ScoreSettings, workdir: Path, repeats: int,
             log: Callable[[str], None]) -> None:
    for n in WORKER_COUNTS:
        runs = []
        for r in range(repeats):
            out = workdir / "batch_bench_out"
            shutil.rmtree(out, ignore_errors=True)
            log(f"{figures.label}: {len(videos)} videos, {n} worker(s), run {r + 1}/{repeats}")
            start = time.perf_counter()
            report = run_batch(videos, out, settings, LocalEngine(workers=n), stream=io.StringIO(), tty=False)
            runs.append(time.perf_counter() - start)
            if report.failed or report.count("ok") != len(videos):
                raise RuntimeError(f"benchmark run failed: {[r.error for r in report.rows if r.error]}")
            figures.frames = sum(row.frames for row in report.rows)
            figures.videos = len(videos)
            figures.starts[n] = len(report.workers)
            figures.startup_s += [w["startup_s"] for w in report.workers.values()]
            figures.load_s += [w["load_s"] for w in report.workers.values()]
        figures.seconds[n] = statistics.median(runs)
        shutil.rmtree(workdir / "batch_bench_out", ignore_errors=True)


def run_batch_bench(workdir: Path, videos: int = 8, seconds: float = 10.0, repeats: int = 3,
                    log: Callable[[str], None] = lambda message: None,
                    checkpoint: Optional[Path] = None) -> BatchBenchResult:
    """`checkpoint` other than the full random-weights model is for tests of this code only."""
    workdir.mkdir(parents=True, exist_ok=True)
    clips = bench_videos(workdir, videos, seconds, log)
    model_settings = ScoreSettings.create(checkpoint or bench_checkpoint(workdir), device="cpu")
    motion, model = EngineFigures("motion spotter"), EngineFigures("model (fast mode)")
    _measure(motion, clips, ScoreSettings.create(None), workdir, repeats, log)
    _measure(model, clips, model_settings, workdir, repeats, log)
    return BatchBenchResult(len(clips), seconds, repeats, os.cpu_count() or 1, motion, model)


def format_batch_table(result: BatchBenchResult) -> str:
    d = result.as_dict()
    rows = [("videos", f"{d['videos']} x {d['video_seconds']:g} s synthetic, 640x480 30 fps ({d['frames']} frames)"),
            ("cores / threads per worker", f"{d['cores']} / 1 worker: {d['threads_per_worker']['1']}, "
                                           f"2 workers: {d['threads_per_worker']['2']}")]
    for name, prefix in (("model", ""), ("motion spotter", "motion_")):
        for n, suffix in ((1, "1_worker"), (2, "2_workers")):
            rows.append((f"{name}, {n} worker{'s' if n > 1 else ''}",
                         f"{d[f'{prefix}videos_per_hour_{suffix}']:8.1f} videos/h  "
                         f"{d[f'{prefix}frames_per_s_{suffix}']:6.1f} frames/s  "
                         f"({d[f'{prefix}run_seconds_{suffix}']:.1f} s, {d[f'{prefix}worker_starts_{suffix}']} "
                         f"worker start{'s' if d[f'{prefix}worker_starts_{suffix}'] > 1 else ''})"))
        rows.append((f"{name}: worker start-up / model load",
                     f"{d[f'{prefix}worker_startup_s']:.2f} s / {d[f'{prefix}model_load_s']:.2f} s, once per worker"))
    width = max(len(k) for k, _ in rows)
    return ("\n".join(f"{k:<{width}}  {v}" for k, v in rows) +
            f"\n(model: {d['model']}; medians of {result.repeats} runs)")
