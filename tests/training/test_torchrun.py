"""A real two-process run: `python -m torch.distributed.run --standalone --nproc_per_node=2` on the CPU (gloo),
DistributedDataParallel with a DistributedSampler; rank 0 writes the checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from model import load_checkpoint

pytestmark = pytest.mark.slow


def test_torchrun_two_processes_gloo(tmp_path, dataset, cache_dir):
    out = tmp_path / "ddp.pt"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               "-m", "app.cli", "train", str(dataset), "--out", str(out), "--model", "tsfmicro_tiny",
               "--epochs", "1", "--max-folds", "1", "--head-epochs", "1", "--batch", "8", "--threads", "1",
               "--device", "cpu", "--cache", cache_dir]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 processes (gloo)" in run.stderr
    assert run.stdout.count("wrote ") == 1  # rank 0 alone reports and writes
    loaded = load_checkpoint(out)
    assert loaded.model_card["processes"] == 2 and loaded.spotting_head is not None
    assert json.loads(loaded.model_card["metrics"])["honest"]["n"] == 4  # fold sub01's four test samples
    assert not out.with_name(out.name + ".partial").exists()
