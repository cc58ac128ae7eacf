"""`tsfmicro bench --model` plumbing, run with the tiny model on a short rendered clip (the real figures come
from the full model; see docs/analysis.md)."""

from __future__ import annotations

import torch

from app.bench.model_bench import format_model_table, run_model_bench


def test_model_bench_reports_the_documented_keys(tmp_path):
    before = torch.get_num_threads()
    try:
        result = run_model_bench(tmp_path, frames=24, full_frames=8, repeats=1, threads=1, model_name="tsfmicro_tiny")
    finally:
        torch.set_num_threads(before)
    data = result.as_dict()
    for key in ("model_pairs_per_s_cpu", "model_pairs_per_s_cpu_batch", "model_batch_best", "analysis_fps_default",
                "analysis_fps_full", "analysis_fraction_analysed_default", "analysis_fraction_analysed_full",
                "decode_face_fps", "threads", "default_analysis_fps_640x480", "default_analysis_fps_1920x1080"):
        assert key in data, key
    assert data["model_pairs_per_s_cpu_batch"] >= data["model_pairs_per_s_cpu"] > 0
    assert data["analysis_frames_default"] == 24 and data["analysis_frames_full"] == 8
    assert data["analysis_fraction_analysed_full"] > data["analysis_fraction_analysed_default"] > 0
    assert data["default_analysis_fps_640x480"] > 0 and data["default_analysis_fps_1920x1080"] > 0
    assert "analysis, default (fast)" in format_model_table(result)
    assert "default analysis, 1920x1080" in format_model_table(result)
