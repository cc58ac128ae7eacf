"""`tsfmicro score`: batch scoring of many videos → per-video frames.csv, events.csv, curves.png and one
summary.csv. Resumable, on local worker processes or a Ray cluster. See docs/batch.md."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from app.analysis.config import DEFAULT_MODE, MODES
from app.commands.common import command_error
from app.commands.registry import command
from app.resources import default_model_path

EXIT_FAILED_VIDEOS = 1
EXIT_INTERRUPTED = 130


@command("score", "batch-score many videos (folder, glob or list file) → per-video curves, events, plot + summary.csv")
def _score_command(parser: argparse.ArgumentParser):
    parser.add_argument("input", metavar="INPUT",
                        help="a folder (searched recursively for videos), a glob pattern (quote it; ** recurses) or "
                             "a list file with one video path per line")
    parser.add_argument("--out", default="tsfmicro-scores",
                        help="output folder: OUT/<video>/{frames.csv,events.csv,curves.png,done.json} and "
                             "OUT/summary.csv (default ./tsfmicro-scores)")
    parser.add_argument("--checkpoint", help="trained TSFmicro checkpoint with a spotting head, or 'default' for the "
                                             "bundled default model; without one a motion spotter scores the videos "
                                             "(--spotter)")
    parser.add_argument("--spotter", choices=("learned", "flow"), default="learned",
                        help="without --checkpoint: learned (default; the bundled learned motion spotter, which "
                             "measured best on held-out test sets, README) or flow (training-free optical flow)")
    parser.add_argument("--resume", action="store_true",
                        help="skip videos whose outputs are complete for the same content and model/settings")
    parser.add_argument("--workers", type=int,
                        help="worker processes (local; default 1) or Ray actors (default: cluster CPUs / --threads); "
                             "each loads the model once")
    parser.add_argument("--threads", type=int,
                        help="torch/OpenCV threads per worker (default: max(1, cores // workers) locally, 1 on Ray)")
    parser.add_argument("--device", default="auto",
                        help="auto (default: CUDA, then Apple MPS, then CPU), cpu, cuda, cuda:N or mps")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local processes (default) or a Ray cluster (pip install 'tsfmicro-studio[cluster]')")
    parser.add_argument("--address", help="with --engine ray: the cluster's head, HOST:PORT (default: RAY_ADDRESS, "
                                          "else a new single-machine Ray instance)")
    parser.add_argument("--mode", choices=MODES, default=DEFAULT_MODE, help="analysis mode with --checkpoint "
                                                                            "(as in tsfmicro analyze)")
    parser.add_argument("--stride", type=int, help="with --checkpoint: analyse only every N-th frame")
    parser.add_argument("--lag-s", type=float, help="pairing lag (model) or flow lag (motion spotter) in seconds")
    parser.add_argument("--batch", type=int, help="with --checkpoint: pairs per model call")

    def run(args: argparse.Namespace) -> int:
        # lazy: the batch package loads only when this command runs (here and below)
        from app.batch import InputError, collect_videos, run_batch
        from app.batch.engines import WorkerStartError
        from app.batch.settings import ScoreSettings

        for name in ("workers", "threads", "stride", "batch"):
            value = getattr(args, name)
            if value is not None and value < 1:
                return command_error("score", f"--{name.replace('_', '-')} must be >= 1, got {value}")
        if args.lag_s is not None and not args.lag_s > 0:
            return command_error("score", "--lag-s must be > 0")
        if args.address and args.engine != "ray":
            return command_error("score", "--address needs --engine ray")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            return command_error("score", f"{out}: exists and is not a folder")

        checkpoint = default_model_path() if args.checkpoint == "default" else args.checkpoint
        if args.checkpoint == "default" and checkpoint is None:
            return command_error("score", "--checkpoint default: this installation has no bundled default model")
        try:
            videos = collect_videos(args.input, exclude=out)
            settings = ScoreSettings.create(checkpoint, mode=args.mode, stride=args.stride, lag_s=args.lag_s,
                                            device=args.device, batch_size=args.batch, spotter=args.spotter)
            settings.analysis_config() if checkpoint else settings.motion_config()
        except (InputError, FileNotFoundError, ValueError) as error:
            return command_error("score", str(error))
        if args.engine == "ray":
            from app.batch.engines.ray_engine import RayEngine, RayMissingError
            try:
                engine = RayEngine(address=args.address, workers=args.workers, threads=args.threads or 1)
                engine.check_installed()
            except RayMissingError as error:
                return command_error("score", str(error))
        else:
            from app.batch.engines.local import LocalEngine
            engine = LocalEngine(workers=args.workers or 1, threads=args.threads)
        print(f"scoring {len(videos)} videos with {settings.label}; {engine.summary_line()}; writing {out}/",
              flush=True)
        def terminated(signum, frame):  # a job scheduler's SIGTERM: stop as for Ctrl-C
            raise KeyboardInterrupt

        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, terminated) if main_thread else None
        try:
            report = run_batch(videos, out, settings, engine, resume=args.resume)
        except WorkerStartError as error:
            return command_error("score", str(error))
        except KeyboardInterrupt:
            print(f"tsfmicro score: interrupted; {out / 'summary.csv'} lists the videos that finished; "
                  f"rerun with --resume to continue", file=sys.stderr)
            return EXIT_INTERRUPTED
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)
        ok, errors, skipped = report.count("ok"), report.count("error"), report.count("skipped")
        print(f"{len(report.rows)} videos in {report.seconds:.1f} s: {ok} ok, {skipped} skipped, {errors} failed; "
              f"{report.frames_scored} frames scored; wrote {out / 'summary.csv'}")
        for row in report.rows:
            if row.status == "error":
                print(f"  failed: {row.error if row.path in row.error else f'{row.path}: {row.error}'}",
                      file=sys.stderr)
        return EXIT_FAILED_VIDEOS if report.failed else 0

    return run
