"""`tsfmicro bench`: speed and memory figures measured on this machine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli import command
from app.commands.paths import default_cache_dir


@command("bench", "measure decode and face-pipeline speed and memory on this machine")
def _bench_command(parser: argparse.ArgumentParser):
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--frames", type=int, default=600, help="length of the speed clip (default 600 frames)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--memory", choices=("full", "short", "none"), default="full",
                        help="peak RSS on 1- and 10-minute clips (full), 1 minute only (short), or skip")
    parser.add_argument("--workdir", help="where benchmark clips are rendered and kept (default: the cache folder)")

    def run(args: argparse.Namespace) -> int:
        from app.bench.face_bench import format_table, run_face_bench

        workdir = Path(args.workdir) if args.workdir else default_cache_dir() / "bench"
        log = (lambda message: print(f"bench: {message}", file=sys.stderr))
        result = run_face_bench(workdir, frames=args.frames, repeats=args.repeats, memory=args.memory, log=log)
        print(json.dumps(result.as_dict()) if args.json else format_table(result))
        return 0

    return run
