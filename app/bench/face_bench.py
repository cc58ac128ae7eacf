"""Decode and face-pipeline speed, and peak memory versus video length."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.bench.clips import bench_clip
from app.face import FaceConfig, track_video
from app.face.detect import make_detector
from app.face.landmarks import LandmarkModel
from app.media import open_video


@dataclass(frozen=True)
class FaceBenchResult:
    frames: int
    repeats: int
    decode_fps: float
    pipeline_fps: float
    face_found_fraction: float
    peak_rss_1min_mb: float | None
    peak_rss_10min_mb: float | None

    @property
    def pipeline_over_decode(self) -> float:
        return self.pipeline_fps / self.decode_fps

    def as_dict(self) -> dict:
        data = {
            "frames": self.frames,
            "repeats": self.repeats,
            "decode_fps": round(self.decode_fps, 1),
            "pipeline_fps": round(self.pipeline_fps, 1),
            "pipeline_over_decode": round(self.pipeline_over_decode, 3),
            "face_found_fraction": round(self.face_found_fraction, 4),
        }
        if self.peak_rss_1min_mb is not None:
            data["peak_rss_1min_mb"] = self.peak_rss_1min_mb
        if self.peak_rss_10min_mb is not None:
            data["peak_rss_10min_mb"] = self.peak_rss_10min_mb
            data["peak_rss_mb"] = self.peak_rss_10min_mb
            data["rss_10min_minus_1min_mb"] = round(self.peak_rss_10min_mb - self.peak_rss_1min_mb, 1)
        elif self.peak_rss_1min_mb is not None:
            data["peak_rss_mb"] = self.peak_rss_1min_mb
        return data


def _median_fps(run: Callable[[], int], repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        frames = run()
        rates.append(frames / (time.perf_counter() - start))
    return statistics.median(rates)


def _decode_all(path: Path) -> int:
    with open_video(path) as video:
        return sum(1 for _ in video.iter_frames())


def _peak_rss_mb(path: Path) -> float:
    out = subprocess.run([sys.executable, "-m", "app.bench.rss_probe", str(path)],
                         capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def run_face_bench(workdir: Path, frames: int = 600, repeats: int = 3, memory: str = "full",
                   log: Callable[[str], None] = lambda message: None) -> FaceBenchResult:
    """`memory`: 'full' (1- and 10-minute clips), 'short' (1 minute only) or 'none'."""
    log(f"rendering a {frames}-frame 640x480 30 fps clip")
    clip = bench_clip(workdir, frames)
    config = FaceConfig()
    detector, landmarks = make_detector(config.detect), LandmarkModel(config.align.landmarks)
    found = []

    def pipeline() -> int:
        with open_video(clip) as video:
            track = track_video(video, config, detector=detector, landmark_model=landmarks,
                                on_result=lambda result: None)
        found.append(float(track.found.mean()))
        return track.n_frames

    log("decode only")
    decode_fps = _median_fps(lambda: _decode_all(clip), repeats)
    log("decode + detect/track + landmarks + align")
    pipeline_fps = _median_fps(pipeline, repeats)
    rss_1 = rss_10 = None
    if memory in ("short", "full"):
        log("peak RSS, 1-minute clip (fresh process)")
        rss_1 = _peak_rss_mb(bench_clip(workdir, 30 * 60))
    if memory == "full":
        log("peak RSS, 10-minute clip (fresh process; rendering it the first time takes a minute or two)")
        rss_10 = _peak_rss_mb(bench_clip(workdir, 30 * 600))
    return FaceBenchResult(frames, repeats, decode_fps, pipeline_fps, statistics.median(found), rss_1, rss_10)


def format_table(result: FaceBenchResult) -> str:
    rows = [
        ("clip", f"{result.frames} frames, 640x480, 30 fps, H.264 (moving face)"),
        ("decode only", f"{result.decode_fps:8.1f} fps"),
        ("decode + face pipeline", f"{result.pipeline_fps:8.1f} fps"),
        ("pipeline / decode", f"{result.pipeline_over_decode:8.3f}"),
        ("face found", f"{100 * result.face_found_fraction:8.1f} % of frames"),
    ]
    if result.peak_rss_1min_mb is not None:
        rows.append(("peak RSS, 1-min video", f"{result.peak_rss_1min_mb:8.1f} MB"))
    if result.peak_rss_10min_mb is not None:
        rows.append(("peak RSS, 10-min video", f"{result.peak_rss_10min_mb:8.1f} MB"))
        rows.append(("10-min minus 1-min", f"{result.peak_rss_10min_mb - result.peak_rss_1min_mb:8.1f} MB"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows) + f"\n(medians of {result.repeats} runs)"
