"""Interrupted batches, as a user meets them: `tsfmicro score` in its own process, a worker process killed
mid-video, and Ctrl-C (SIGINT to the whole process group). No half-written file may remain, and a rerun with
--resume finishes the batch."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from .conftest import PYTHON, REPO, temporaries, tree_bytes

DEADLINE_S = 90


def start_score(*args) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "app.cli", "score", *map(str, args)], cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"score exited ({process.returncode}) before {what}: {process.stdout.read()}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process.returncode, output


def worker_processes(process: subprocess.Popen) -> list[psutil.Process]:
    """The score command's worker processes (not multiprocessing's resource tracker)."""
    return [p for p in psutil.Process(process.pid).children() if "spawn_main" in " ".join(p.cmdline())]


def statuses(out: Path) -> dict[str, str]:
    with open(out / "summary.csv", newline="") as f:
        return {row["output"]: row["status"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def long_input(long_clips, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("long_input")
    for clip in long_clips:
        (folder / clip.name).symlink_to(clip)
    return folder


def _args(long_input, out, checkpoint):
    return (long_input, "--out", out, "--checkpoint", checkpoint, "--device", "cpu", "--mode", "full",
            "--workers", 1, "--threads", 1)


def test_killed_worker_fails_its_video_only_and_a_rerun_completes(long_input, long_clips, tiny_checkpoint, tmp_path):
    out = tmp_path / "out"
    process = start_score(*_args(long_input, out, tiny_checkpoint))
    second = out / long_clips[1].stem
    wait_for(lambda: list(second.glob(".frames.csv.*.tmp")), process, "the second video's frames.csv in progress")
    workers = worker_processes(process)
    assert len(workers) == 1
    workers[0].kill()  # SIGKILL: no chance to clean up
    code, output = finish(process)
    assert code == 1, output
    assert statuses(out) == {long_clips[0].stem: "ok", long_clips[1].stem: "error", long_clips[2].stem: "ok"}
    with open(out / "summary.csv", newline="") as f:
        assert "died" in [r for r in csv.DictReader(f)][1]["error"]
    assert temporaries(out) == [] and not second.exists()
    # the rerun scores only the failed video, and gives what an uninterrupted run gives
    code, output = finish(start_score(*_args(long_input, out, tiny_checkpoint), "--resume"))
    assert code == 0, output
    assert statuses(out) == {long_clips[0].stem: "skipped", long_clips[1].stem: "ok", long_clips[2].stem: "skipped"}
    clean = tmp_path / "clean"
    code, output = finish(start_score(long_clips[1], "--out", clean, "--checkpoint", tiny_checkpoint, "--device",
                                      "cpu", "--mode", "full", "--threads", 1))
    assert code == 0, output
    assert {k: v for k, v in tree_bytes(out).items() if k.startswith(second.name)} == tree_bytes(clean)


def test_ctrl_c_stops_cleanly_and_a_rerun_continues(long_input, long_clips, tiny_checkpoint, tmp_path):
    out = tmp_path / "out"
    process = start_score(*_args(long_input, out, tiny_checkpoint))
    first_done = out / long_clips[0].stem / "done.json"
    wait_for(lambda: first_done.exists() and list(out.glob("*/.frames.csv.*.tmp")), process,
             "the first video done and the second in progress")
    workers = worker_processes(process)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    code, output = finish(process)
    assert code == 130, output
    assert "interrupted" in output and "--resume" in output
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)
    assert temporaries(out) == []
    assert statuses(out) == {long_clips[0].stem: "ok"}  # the summary lists what finished
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [long_clips[0].stem]
    code, output = finish(start_score(*_args(long_input, out, tiny_checkpoint), "--resume"))
    assert code == 0, output
    assert statuses(out) == {long_clips[0].stem: "skipped", long_clips[1].stem: "ok", long_clips[2].stem: "ok"}
    assert temporaries(out) == []
