"""`tsfmicro magnify`: the aligned face crops of a frame range with their motion magnified (a video),
and the apex − onset difference heat map (a PNG). See docs/magnify.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands.common import command_error
from app.commands.registry import command


@command("magnify", "motion magnification of a frame range's aligned face crops, and an apex - onset heat map")
def _magnify_command(parser: argparse.ArgumentParser):
    parser.add_argument("video", help="video file or folder of numbered frames")
    parser.add_argument("--frames", required=True, help="FIRST:LAST, 0-based frames, both included (e.g. an event's "
                                                       "onset:offset); motion is measured from FIRST")
    parser.add_argument("--factor", default="10", help="magnification K (1: the plain crops; default 10; at most 100)")
    parser.add_argument("--out", help="magnified video to write (H.264, e.g. magnified.mp4)")
    parser.add_argument("--side-by-side", action="store_true", help="write each original crop beside its magnified one")
    parser.add_argument("--heatmap", help="PNG of the apex - onset difference over the face")
    parser.add_argument("--apex", type=int, help="apex frame for --heatmap (default: the range's frame that differs "
                                                 "most from FIRST)")
    parser.add_argument("--smooth", type=float, default=0.0,
                        help="temporal smoothing of the motion, Gaussian sigma in frames (default 0: none)")
    parser.add_argument("--fps", type=float, help="frame rate of a frame folder")

    def run(args: argparse.Namespace) -> int:
        # lazy: the face pipeline (dlib), loaded only when this command runs
        from app.analysis.magnify import MagnifyConfig, check_factor, largest_difference, mean_abs_difference
        from app.analysis.magnify_video import (MagnifyError, aligned_crops, heatmap_for_range, magnify_range,
                                                parse_range, side_by_side, write_frames, write_png)

        if not args.out and not args.heatmap:
            return command_error("magnify", "nothing to write: give --out VIDEO and/or --heatmap PNG")
        try:
            first, last = parse_range(args.frames)
            factor = check_factor(args.factor)
            config = MagnifyConfig(smooth_frames=args.smooth)
        except ValueError as err:
            return command_error("magnify", f"{args.video}: {err}")
        for option, path in (("--out", args.out), ("--heatmap", args.heatmap)):
            if path and not Path(path).parent.is_dir():
                return command_error("magnify", f"{path}: folder {Path(path).parent} does not exist ({option})")
        if args.apex is not None and not first <= args.apex <= last:
            return command_error("magnify", f"{args.video}: --apex {args.apex} lies outside frames {first}..{last}")
        try:
            crops = aligned_crops(args.video, first, last, fps=args.fps)
            if crops.missing:
                print(f"warning: no face in {len(crops.missing)} frame(s) ({_listed(crops.missing)}); "
                      "the nearest earlier crop stands in", file=sys.stderr)
            if args.out:
                magnified = magnify_range(crops, factor, config)
                frames = side_by_side(crops.crops, magnified, factor) if args.side_by_side else magnified
                write_frames(args.out, frames, crops.fps)
                apex_pos = largest_difference(crops.crops) if args.apex is None else args.apex - first
                print(f"wrote {args.out}: frames {first}..{last} ({len(frames)}), factor {factor:g}; "
                      f"difference frame {first + apex_pos} - {first}: {mean_abs_difference(magnified[apex_pos], magnified[0]):.2f} "
                      f"grey levels (plain {mean_abs_difference(crops.crops[apex_pos], crops.crops[0]):.2f})")
            if args.heatmap:
                image, apex = heatmap_for_range(crops, args.apex)
                write_png(args.heatmap, image)
                print(f"wrote {args.heatmap}: apex frame {apex} - onset frame {first}")
        except MagnifyError as err:
            return command_error("magnify", str(err))
        return 0

    return run


def _listed(frames: list[int], shown: int = 8) -> str:
    return ", ".join(map(str, frames[:shown])) + (", ..." if len(frames) > shown else "")
