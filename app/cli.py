"""`tsfmicro`: the command-line interface (subcommands info, track, bench)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Callable, Optional, Sequence

from app import __version__
from app.media import VideoError, open_video

Runner = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], Runner]]] = {}


def command(name: str, help: str):
    """Register a subcommand: the decorated function builds its parser and returns its runner."""

    def register(build: Callable[[argparse.ArgumentParser], Runner]):
        _COMMANDS[name] = (help, build)
        return build

    return register


@command("info", "print a video's (or frame folder's) properties")
def _info_command(parser: argparse.ArgumentParser):
    parser.add_argument("video", help="video file or folder of numbered frames")
    parser.add_argument("--fps", type=float, help="frame rate of a frame folder (folders carry none)")
    parser.add_argument("--fast", action="store_true", help="container header only; do not count frames by decoding")
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with open_video(args.video, fps=args.fps) as video:
                info = video.probe(exact=not args.fast)
        facts = {
            "path": info.path,
            "kind": info.kind,
            "frames": info.n_frames,
            "frame_count_exact": info.frame_count_exact,
            "fps": round(info.fps, 4),
            "duration_s": round(info.duration_s, 3),
            "width": info.width,
            "height": info.height,
            "codec": info.codec,
            "variable_frame_rate": info.is_vfr,
            "warnings": [str(w.message) for w in caught],
        }
        if args.json:
            print(json.dumps(facts))
        else:
            width = max(len(k) for k in facts)
            for key, value in facts.items():
                if key != "warnings":
                    print(f"{key:<{width}}  {value}")
            for message in facts["warnings"]:
                print(f"warning: {message}")
            if info.is_vfr:
                print("note: variable frame rate; frame indices stay exact, times are nominal (frame / fps)")
        return 0

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsfmicro", description="TSFmicro Studio command line")
    parser.add_argument("--version", action="version", version=f"tsfmicro {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, build) in _COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        sub_parser.set_defaults(run=build(sub_parser))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    import app.cli_commands  # noqa: F401  (registers track and bench)

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except VideoError as err:
        print(f"tsfmicro {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tsfmicro {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # Run as `python -m app.cli`: delegate to the imported module, whose registry the
    # subcommand modules fill (this file's `__main__` copy has a registry of its own).
    from app.cli import main as _main

    sys.exit(_main())
