"""Model and end-to-end analysis speed: the full TSFmicro pair classifier on the CPU, and the analysis modes on
the 640×480 30 fps bench clip (decode + face + model + spotting head). Random weights: speed does not depend on
them (only the fast mode's motion gate looks at the images, and it sees real decoded frames)."""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import torch

from app.analysis import AnalysisConfig, Predictor, analyse_video, set_threads
from app.analysis.motion_spotter import MotionConfig, spot_video
from app.bench.clips import bench_clip
from app.face import FaceConfig, FacePipeline
from app.media import open_video
from model import PreprocessCfg, SpottingHead, SpottingHeadCfg, TSFmicro, create_model, model_cfg

BATCH_SIZES = (1, 2, 4, 8)
SPOTTER_SIZES = ((640, 480), (1920, 1080))
BENCH_CLASSES = ("negative", "positive", "surprise", "others", "repression")  # 5 classes, names irrelevant


@dataclass(frozen=True)
class AnalysisRun:
    frames: int
    fps: float  # median over repeats
    analysed_fraction: float
    face_ok_fraction: float


@dataclass(frozen=True)
class ModelBenchResult:
    threads: int
    repeats: int
    pairs_per_s: dict[int, float]  # batch size → median pairs/s
    decode_face_fps: float
    default: AnalysisRun
    full: AnalysisRun
    default_mode: str = "fast"
    gating_default: dict = field(default_factory=dict)
    model_name: str = "tsfmicro"
    spotter_fps: dict = field(default_factory=dict)  # "WxH" -> end-to-end fps of the default analysis (learned spotter)

    @property
    def best_batch(self) -> int:
        return max(self.pairs_per_s, key=self.pairs_per_s.get)

    def as_dict(self) -> dict:
        return {
            "model": f"{self.model_name} ({len(BENCH_CLASSES)} classes, random weights), CPU, float32",
            "threads": self.threads,
            "repeats": self.repeats,
            "model_pairs_per_s_cpu": round(self.pairs_per_s[1], 2),
            "model_pairs_per_s_cpu_batch": round(self.pairs_per_s[self.best_batch], 2),
            "model_batch_best": self.best_batch,
            "model_pairs_per_s_by_batch": {str(b): round(v, 2) for b, v in self.pairs_per_s.items()},
            "model_ms_per_pair_best": round(1000.0 / self.pairs_per_s[self.best_batch], 1),
            "decode_face_fps": round(self.decode_face_fps, 1),
            "analysis_mode_default": self.default_mode,
            "analysis_gating_default": self.gating_default,
            "analysis_fps_default": round(self.default.fps, 1),
            "analysis_fraction_analysed_default": round(self.default.analysed_fraction, 4),
            "analysis_frames_default": self.default.frames,
            "analysis_fps_full": round(self.full.fps, 2),
            "analysis_fraction_analysed_full": round(self.full.analysed_fraction, 4),
            "analysis_frames_full": self.full.frames,
            "face_ok_fraction": round(self.default.face_ok_fraction, 4),
            "analysis_realtime_default": self.default.fps >= 30.0,
            "default_analysis": "learned motion spotter (decode + face pipeline + region motion + network + events)",
            **{f"default_analysis_fps_{size}": round(fps, 1) for size, fps in self.spotter_fps.items()},
        }


def _median(run: Callable[[], float], repeats: int) -> float:
    return statistics.median(run() for _ in range(repeats))


def bench_model(model_name: str = "tsfmicro", input_size: Optional[int] = None) -> TSFmicro:
    """The benchmarked model: seeded random weights, `BENCH_CLASSES` outputs, eval mode, on the CPU. With
    `input_size`, the same architecture at that input size, the ViT grid matched to the temporal output grid."""
    torch.manual_seed(0)
    overrides = {}
    if input_size is not None:
        grid = model_cfg(model_name).temporal.output_grid(input_size)
        overrides = {"input_size": input_size, "spatial": {"grid": grid}}
    return create_model(model_name, num_classes=len(BENCH_CLASSES), **overrides).eval()


def bench_predictor(model: TSFmicro, **kwargs) -> Predictor:
    """A Predictor around `model` with a fresh spotting head; kwargs go to `Predictor` (device, batch_size, ...)."""
    head = SpottingHead(SpottingHeadCfg(embed_dim=model.cfg.embed_dim))
    return Predictor(model, head, class_names=BENCH_CLASSES, preprocess=PreprocessCfg(size=model.cfg.input_size),
                     **kwargs)


@torch.inference_mode()
def pairs_per_second(model, batch: int, repeats: int, device: torch.device | str = "cpu",
                     autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext) -> float:
    """Median pairs/s of the whole pair forward (both branches, up to the pre-logits embedding), inputs already on
    `device` (where the model must be), each forward under `autocast()` (e.g. a Predictor's `_autocast`)."""
    device = torch.device(device)
    size = model.cfg.input_size
    generator = torch.Generator().manual_seed(batch)
    onset = torch.randn(batch, 3, size, size, generator=generator)
    apex = onset + 0.1 * torch.randn(batch, 3, size, size, generator=generator)
    onset, apex = onset.to(device), apex.to(device)

    def forward() -> None:
        with autocast():
            model.forward_embedding(onset, apex)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    forward()  # warm-up

    def once() -> float:
        start = time.perf_counter()
        forward()
        return batch / (time.perf_counter() - start)

    return _median(once, repeats)


def _analysis_run(clip: Path, predictor: Predictor, face: FacePipeline, mode: str, frames: int, repeats: int) -> AnalysisRun:
    config = AnalysisConfig.for_mode(mode)
    rates, analysed, ok = [], [], []
    for _ in range(repeats):
        n = n_analysed = n_ok = 0
        start = time.perf_counter()
        with open_video(clip) as source:
            for chunk in analyse_video(source, predictor, config, face_pipeline=face, stop=frames):
                n += chunk.n_frames
                n_analysed += chunk.n_analysed
                n_ok += int(chunk.face_ok.sum())
        rates.append(n / (time.perf_counter() - start))
        analysed.append(n_analysed / n)
        ok.append(n_ok / n)
    return AnalysisRun(n, statistics.median(rates), statistics.median(analysed), statistics.median(ok))


def _decode_face_fps(clip: Path, face: FacePipeline, frames: int) -> float:
    start = time.perf_counter()
    with open_video(clip) as source:
        n = sum(1 for _ in face.run(source.iter_frames(0, frames)))
    return n / (time.perf_counter() - start)


def spotter_fps(clip: Path, repeats: int) -> float:
    """Median end-to-end fps of the default analysis (the bundled learned spotter) over a whole clip."""
    def once() -> float:
        start = time.perf_counter()
        result = spot_video(clip, MotionConfig())
        return len(result.motion) / (time.perf_counter() - start)

    return _median(once, repeats)


def run_model_bench(workdir: Path, frames: int = 600, full_frames: int = 90, repeats: int = 3,
                    threads: Optional[int] = None, log: Callable[[str], None] = lambda message: None,
                    model_name: str = "tsfmicro") -> ModelBenchResult:
    """`model_name` other than "tsfmicro" is for tests of this code only; reported figures use the full model."""
    threads = set_threads(threads)
    model = bench_model(model_name)
    pairs = {}
    for batch in BATCH_SIZES:
        log(f"full model, batch {batch}")
        pairs[batch] = pairs_per_second(model, batch, repeats)
    best = max(pairs, key=pairs.get)
    predictor = bench_predictor(model, device="cpu", threads=threads, batch_size=best)
    log(f"rendering a {frames}-frame 640x480 30 fps clip")
    clip = bench_clip(workdir, frames)
    with open_video(clip) as source:
        fps = source.probe().fps
    face = FacePipeline(FaceConfig(), fps)
    log("decode + face pipeline")
    decode_face = _decode_face_fps(clip, face, frames)
    log(f"analysis, default mode, {frames} frames")
    default = _analysis_run(clip, predictor, face, "fast", frames, repeats)
    log(f"analysis, full mode, first {full_frames} frames")
    full = _analysis_run(clip, predictor, face, "full", min(full_frames, frames), repeats)
    gating = AnalysisConfig.for_mode("fast").gating.describe(fps)
    spotter = {}
    for size in SPOTTER_SIZES:
        log(f"default analysis (learned spotter), {frames} frames at {size[0]}x{size[1]}")
        spotter[f"{size[0]}x{size[1]}"] = spotter_fps(bench_clip(workdir, frames, size=size), repeats)
    return ModelBenchResult(threads, repeats, pairs, decode_face, default, full, "fast", gating, model_name, spotter)


def format_model_table(result: ModelBenchResult) -> str:
    data = result.as_dict()
    rows = [
        ("model", f"{data['model']}, {result.threads} threads"),
        ("pairs/s, batch 1", f"{data['model_pairs_per_s_cpu']:8.2f}"),
        *((f"pairs/s, batch {b}", f"{v:8.2f}") for b, v in result.pairs_per_s.items() if b != 1),
        ("best batch", f"{result.best_batch:8d}  ({data['model_ms_per_pair_best']} ms a pair)"),
        ("decode + face pipeline", f"{data['decode_face_fps']:8.1f} fps"),
        ("analysis, default (fast)", f"{data['analysis_fps_default']:8.1f} fps  end to end, "
                                     f"{100 * data['analysis_fraction_analysed_default']:.1f} % of frames analysed "
                                     f"({data['analysis_frames_default']} frames)"),
        ("analysis, full", f"{data['analysis_fps_full']:8.2f} fps  end to end, "
                           f"{100 * data['analysis_fraction_analysed_full']:.1f} % of frames analysed "
                           f"({data['analysis_frames_full']} frames)"),
        *((f"default analysis, {size}", f"{fps:8.1f} fps  end to end (learned spotter)")
          for size, fps in result.spotter_fps.items()),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows) + f"\n(medians of {result.repeats} runs)"
