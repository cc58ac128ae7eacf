"""`tsfmicro convert`: labels between the training CSV, ELAN, BORIS and the MEGC submission CSV."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from app.commands.common import command_error
from app.commands.registry import command
from app.core.exchange import READ_FORMATS, WRITE_FORMATS, ExchangeError, detect_format, read_labels, write_labels
from app.core.validation import ColumnError
from app.media import VideoError, open_video


@command("convert", "convert labels between the training CSV, ELAN (.eaf), BORIS (.boris, tabular export) and "
                    "the MEGC spotting CSV")
def _convert_command(parser: argparse.ArgumentParser):
    parser.add_argument("input", help="labels to read: .csv (training CSV, BORIS export or MEGC CSV, told apart by "
                                      "their headers), .eaf, .boris, .tsv (BORIS export)")
    parser.add_argument("output", help="file to write: .csv (training CSV), .eaf, .boris; --to megc for MEGC's CSV")
    parser.add_argument("--video", help="the video the labels belong to (picks one video's events for an .eaf; names "
                                        "the video of ELAN, BORIS and MEGC input; gives the fps when --fps is absent)")
    parser.add_argument("--fps", type=float, help="frame rate, for input that carries none (ELAN files made elsewhere, "
                                                  "MEGC CSV)")
    parser.add_argument("--from", dest="source_format", choices=READ_FORMATS, help="input format (default: by extension)")
    parser.add_argument("--to", dest="target_format", choices=WRITE_FORMATS, help="output format (default: by extension)")
    parser.add_argument("--tiers", help="ELAN tiers to read, ROLE=TIER,... with roles micro, macro, apex, id, notes "
                                        "(default: inferred from the tier names and reported)")

    def run(args: argparse.Namespace) -> int:
        # lazy: ELAN's module (xml.etree) stays out of every command's start-up
        from app.core.exchange.eaf import parse_tier_option

        src, out = Path(args.input), Path(args.output)
        if not out.parent.resolve().is_dir():
            return command_error("convert", f"folder {out.parent} does not exist")
        try:
            tiers = parse_tier_option(args.tiers) if args.tiers else None
            fmt = args.source_format or detect_format(src)
            try:
                report, fmt = read_labels(src, fmt, fps=args.fps, video=args.video, tiers=tiers)
            except ExchangeError as err:  # no frame rate in the file: take the video's, if there is one
                fps = None if args.fps or "--fps" not in str(err) else _fps_for(fmt, src, args.video)
                if fps is None:
                    raise
                print(f"note: frame rate {fps:g} taken from the video")
                report, fmt = read_labels(src, fmt, fps=fps, video=args.video, tiers=tiers)
        except (ExchangeError, ColumnError, FileNotFoundError, ValueError) as err:
            return command_error("convert", str(err))
        for fix in report.fixes:
            print(f"note: {fix}")
        sys.stdout.flush()
        for problem in report.problems:
            print(f"rejected: {problem}", file=sys.stderr)
        if report.problems:
            print(f"tsfmicro convert: {report.summary(limit=0)}; nothing written", file=sys.stderr)
            return 1
        events = _for_video(report.accepted, args.video) if args.video else report.accepted
        try:
            target = args.target_format or detect_format(out, writing=True)
            write_labels(out, events, target)
        except (ExchangeError, ValueError) as err:
            return command_error("convert", str(err))
        print(f"read {len(report.accepted)} events from {src} ({fmt}); wrote {out} ({target}, {len(events)} events)")
        return 0

    return run


def _fps_for(fmt: str, src: Path, video: str | None) -> float | None:
    """The video's frame rate, when the input format may carry none: from --video, else the ELAN file's link."""
    if fmt not in ("eaf", "megc", "boris-table"):
        return None
    if video is None and fmt == "eaf":
        from app.core.exchange.eaf import media_of  # lazy: xml.etree, as in run

        video = media_of(src)
    if video is None or not Path(video).exists():
        return None

    try:
        with open_video(video) as opened:
            return opened.probe().fps
    except (VideoError, OSError, ValueError):
        return None


def _for_video(events, video: str):
    """Events of `video`: every event when they all belong to one video (it is then named `video`), else those
    whose video is the same file or has the same name."""
    if len({e.video for e in events}) <= 1:
        return [replace(e, video=str(Path(os.path.abspath(video)))) if Path(video).exists() else replace(e, video=video)
                for e in events]
    target = Path(video)
    same = [e for e in events if Path(e.video).name == target.name
            or (Path(e.video).exists() and target.exists() and Path(e.video).resolve() == target.resolve())]
    return same
