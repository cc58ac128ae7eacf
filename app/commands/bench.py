"""`tsfmicro bench`: speed and memory figures measured on this machine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.registry import command
from app.core.user_dirs import cache_dir


@command("bench", "measure decode and face-pipeline speed and memory (or, with --model, model and analysis speed)")
def _bench_command(parser: argparse.ArgumentParser):
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--frames", type=int, default=600, help="length of the speed clip (default 600 frames)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--memory", choices=("full", "short", "none"), default="full",
                        help="peak RSS on 1- and 10-minute clips (full), 1 minute only (short), or skip")
    parser.add_argument("--workdir", help="where benchmark clips are rendered and kept (default: the cache folder)")
    parser.add_argument("--model", action="store_true",
                        help="instead: full-model pairs/s on the CPU (batch 1 and best batch) and end-to-end "
                             "analysis fps of the default (fast) and full modes")
    parser.add_argument("--full-frames", type=int, default=90,
                        help="with --model: frames of the clip the (slow) full mode analyses (default 90)")
    parser.add_argument("--threads", type=int, help="with --model: torch CPU threads (default: all cores)")
    parser.add_argument("--batch", action="store_true",
                        help="instead: `tsfmicro score` throughput over 8 generated 10 s videos with 1 and 2 local "
                             "workers (videos/hour, frames/s), motion spotter and model, and the once-per-worker "
                             "start-up and model load")
    parser.add_argument("--gui", action="store_true",
                        help="instead: the reviewer's step-to-displayed latency on a 640x480 clip, idle and while "
                             "a tracking worker runs (median and 95th percentile, ms)")

    def run(args: argparse.Namespace) -> int:
        workdir = Path(args.workdir) if args.workdir else cache_dir() / "bench"
        log = (lambda message: print(f"bench: {message}", file=sys.stderr))
        # lazy: each benchmark imports its own stack (Qt, torch, the face pipeline) only when it runs
        if args.gui:
            from app.bench.clips import bench_clip
            from app.ui.step_latency_bench import run_step_latency_bench  # the only bench that needs Qt

            log("step latency in the reviewer window")
            figures = run_step_latency_bench(bench_clip(workdir, args.frames), steps=300)
            print(json.dumps(figures) if args.json else "\n".join(f"{k:<30} {v}" for k, v in figures.items()))
            return 0
        if args.batch:
            from app.bench.batch_bench import format_batch_table, run_batch_bench

            result = run_batch_bench(workdir, repeats=args.repeats, log=log)
            print(json.dumps(result.as_dict()) if args.json else format_batch_table(result))
            return 0
        if args.model:
            from app.bench.model_bench import format_model_table, run_model_bench

            result = run_model_bench(workdir, frames=args.frames, full_frames=args.full_frames,
                                     repeats=args.repeats, threads=args.threads, log=log)
            print(json.dumps(result.as_dict()) if args.json else format_model_table(result))
            return 0
        from app.bench.face_bench import format_table, run_face_bench

        result = run_face_bench(workdir, frames=args.frames, repeats=args.repeats, memory=args.memory, log=log)
        print(json.dumps(result.as_dict()) if args.json else format_table(result))
        return 0

    return run
