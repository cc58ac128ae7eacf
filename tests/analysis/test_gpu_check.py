"""scripts/gpu_check.py, run as a user runs it: on the CPU with a tiny budget (GPU-only checks skipped), a refused
`--device cuda` where there is no CUDA, and the whole check on a GPU where there is one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("device", "autocast_bf16", "oom_fallback", "ensemble", "throughput")


def run_script(*args: str) -> tuple[subprocess.CompletedProcess, dict]:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gpu_check.py"), "--json", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    return done, json.loads(done.stdout)


def assert_figures(report: dict) -> None:
    assert set(report["throughput"]) == {"64", "224"}
    for figures in report["throughput"].values():
        assert figures["inference_best_pairs_per_s"] > 0 and figures["training_samples_per_s"] > 0
        assert all(rate > 0 for rate in figures["inference_pairs_per_s"].values())
    assert report["throughput"]["224"]["parameters"] == 12_789_413  # the published model
    assert report["goal"]["pairs_per_s"] == 2000


@pytest.mark.slow
def test_cpu_run_passes_with_gpu_checks_skipped():
    done, report = run_script("--device", "cpu", "--seconds", "1", "--threads", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    assert tuple(report["checks"]) == CHECKS
    assert {name: c["status"] for name, c in report["checks"].items()} == {
        "device": "pass", "autocast_bf16": "skip", "oom_fallback": "skip", "ensemble": "pass", "throughput": "pass"}
    assert report["checks"]["oom_fallback"]["detail"] == "skipped: needs CUDA"
    assert report["passed"] and report["failed"] == []
    assert report["device"]["chosen"] == "cpu" and report["device"]["threads"] == 1
    assert report["goal"]["met"] is None  # the goal is for a GPU
    assert_figures(report)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_request_without_cuda_fails_naming_the_device_check():
    done, report = run_script("--device", "cuda")
    assert done.returncode == 1
    assert report["failed"] == ["device"] and "CUDA is not available" in report["checks"]["device"]["detail"]


@pytest.mark.gpu
@pytest.mark.slow
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_run_passes_every_check():
    done, report = run_script("--device", "cuda", "--seconds", "20")
    assert done.returncode == 0, json.dumps(report["checks"], indent=1)
    assert all(c["status"] == "pass" for c in report["checks"].values())
    assert_figures(report)
