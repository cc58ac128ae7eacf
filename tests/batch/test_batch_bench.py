"""`tsfmicro bench --batch` code path on a small case (2 short videos, the tiny checkpoint, 1 repeat); the
reported figures use 8 x 10 s videos and the full model."""

from __future__ import annotations

from app.bench.batch_bench import format_batch_table, run_batch_bench

KEYS = ("videos_per_hour_1_worker", "videos_per_hour_2_workers", "frames_per_s_1_worker", "frames_per_s_2_workers",
        "worker_startup_s", "model_load_s")


def test_batch_bench_reports_throughput_and_once_per_worker_overhead(tmp_path, tiny_checkpoint):
    result = run_batch_bench(tmp_path, videos=2, seconds=2.0, repeats=1, checkpoint=tiny_checkpoint)
    figures = result.as_dict()
    for key in KEYS + tuple(f"motion_{k}" for k in KEYS):
        assert figures[key] > 0, key
    assert figures["videos"] == 2 and figures["frames"] == 120
    assert figures["worker_starts_1_worker"] == 1 and figures["worker_starts_2_workers"] == 2  # not one per video
    assert "videos/h" in format_batch_table(result)
    assert (tmp_path / "batch_videos_2x2s" / ".complete").exists()  # rendered once, reused by later runs
