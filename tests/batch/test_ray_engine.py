"""The Ray engine on a real single-machine Ray head started by this test on 127.0.0.1: same per-video bytes as
local mode. Skipped when ray is not installed (it is the optional `[cluster]` extra)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from app.cli import main

from .conftest import PYTHON, tree_bytes

ray = pytest.importorskip("ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_cli() -> list[str]:
    exe = Path(PYTHON).with_name("ray")
    return [str(exe)] if exe.exists() else [shutil.which("ray") or "ray"]


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    start = subprocess.run([*_ray_cli(), "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                            "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats"],
                           capture_output=True, text=True, timeout=120, env=env)
    if start.returncode != 0:
        subprocess.run([*_ray_cli(), "stop", "--force"], capture_output=True, timeout=60)
        pytest.fail(f"ray start failed: {start.stdout[-2000:]}{start.stderr[-2000:]}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        if ray.is_initialized():
            ray.shutdown()
        subprocess.run([*_ray_cli(), "stop", "--force"], capture_output=True, timeout=60)


def test_ray_engine_matches_local_byte_for_byte(ray_head, input_tree, tiny_checkpoint, tmp_path, capsys):
    pattern = input_tree / "**" / "p0*.mp4"
    common = ["--checkpoint", tiny_checkpoint, "--device", "cpu", "--threads", 1]
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert main(["score", str(pattern), "--out", str(local), "--workers", "2", *map(str, common)]) == 0
    try:
        code = main(["score", str(pattern), "--out", str(remote), "--engine", "ray", "--address", ray_head,
                     "--workers", "2", *map(str, common)])
    finally:
        if ray.is_initialized():
            ray.shutdown()
    assert code == 0, capsys.readouterr().err
    run = json.loads((remote / "run.json").read_text())
    assert run["engine"] == "ray" and run["workers"] == 2 and run["gpus_per_worker"] == 0.0
    assert len(run["worker_stats"]) == 2 and all("@" in name for name in run["worker_stats"])
    local_files, ray_files = tree_bytes(local), tree_bytes(remote)
    assert len(local_files) == 12 and ray_files == local_files
    # resume works across engines: the Ray run's outputs count as done for local mode
    assert main(["score", str(pattern), "--out", str(remote), "--resume", *map(str, common)]) == 0
    assert "3 skipped" in capsys.readouterr().out
