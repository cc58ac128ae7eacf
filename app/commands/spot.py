"""`tsfmicro spot`: the training-free motion spotter over a video → motion.csv (per-frame curve) and
events.csv (suggested intervals, training-CSV schema). See docs/motion_spotter.md; motion.csv's columns are
described in app/analysis/frames_csv.py."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from app.commands.common import command_error, print_sensitivity
from app.commands.registry import command
from app.core.label_exchange import export_labels


@command("spot", "motion spotter: per-frame micro-expression curve and suggested intervals of a video")
def _spot_command(parser: argparse.ArgumentParser):
    parser.add_argument("video", help="video file or folder of numbered frames")
    parser.add_argument("--out", required=True, help="output folder (created if needed)")
    parser.add_argument("--fps", type=float, help="frame rate of a frame folder")
    parser.add_argument("--method", choices=("learned", "flow"), default="learned",
                        help="learned (default: the bundled learned spotter; motion = its per-frame micro-expression "
                             "probability) or flow (training-free optical-flow peaks)")
    parser.add_argument("--lag-s", type=float, default=0.3,
                        help="with --method flow: flow lag k in seconds (default 0.3); movements up to about 2k long "
                             "are caught")
    parser.add_argument("--include-eyes", action="store_true",
                        help="with --method flow: score the eye regions too (then blinks are spotted as well)")
    parser.add_argument("--spotter-file", metavar="SPOTTER_PT",
                        help="with --method learned: this spotter file (one train-spotter wrote) instead of the "
                             "bundled one")
    parser.add_argument("--subject", help="subject written to events.csv (default: the video's file stem)")
    parser.add_argument("--detector", choices=("hog", "mmod"), default="hog", help="face detector (default hog)")

    def run(args: argparse.Namespace) -> int:
        # lazy: the spotters and the face pipeline (the learned one: torch), loaded only when this command runs
        from app.analysis.frames_csv import write_motion_csv
        from app.analysis.learned_spotter import SpotterError
        from app.analysis.motion_spotter import MotionConfig, spot_video
        from app.face import FaceConfig

        if not args.lag_s > 0:
            return command_error("spot", "--lag-s must be > 0")
        base = FaceConfig()
        face_config = replace(base, detect=replace(base.detect, detector=args.detector))
        if args.spotter_file and args.method != "learned":
            return command_error("spot", "--spotter-file needs --method learned")
        config = MotionConfig(method=args.method, lag_s=args.lag_s, include_eyes=args.include_eyes,
                              spotter_file=args.spotter_file)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        last = [0.0]

        def progress(sample) -> None:
            now = time.perf_counter()
            if now - last[0] >= 0.5:
                last[0] = now
                rate = (sample.frame + 1) / max(1e-9, now - start)
                print(f"\rspot: frame {sample.frame + 1}  {rate:6.1f} fps", end="", file=sys.stderr, flush=True)

        try:
            result = spot_video(args.video, config, face_config=face_config, fps=args.fps, subject=args.subject,
                                on_sample=progress)
        except SpotterError as error:
            return command_error("spot", str(error))
        print(file=sys.stderr)
        write_motion_csv(out / "motion.csv", result)
        export_labels(out / "events.csv", result.events, args.video)
        n = len(result.motion)
        computed = int((~np.isnan(result.motion)).sum())
        micro = sum(e.kind == "micro" for e in result.events)
        print(f"{n} frames in {result.seconds:.1f} s ({n / max(1e-9, result.seconds):.1f} fps, face pipeline included); "
              f"motion computed on {computed} frames; {len(result.events)} suggested intervals ({micro} micro)")
        print(f"wrote {out / 'motion.csv'}, {out / 'events.csv'}")
        print_sensitivity(result.sensitivity)
        return 0

    return run
