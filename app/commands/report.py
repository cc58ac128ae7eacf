"""`tsfmicro report`: one self-contained HTML report of a reviewed video or project. See docs/report.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands.common import command_error
from app.commands.registry import command
from app.core.project_store import ProjectError
from app.core.validation import ColumnError, ValidationError


@command("report", "a self-contained HTML report of a video's reviewed events (or of a review project)")
def _report_command(parser: argparse.ArgumentParser):
    parser.add_argument("source", metavar="VIDEO_OR_PROJECT", help="video file, frame folder or .tsfproj project")
    parser.add_argument("--out", required=True, help="the HTML file to write (e.g. report.html)")
    parser.add_argument("--events", help="labels (training CSV, or any format tsfmicro convert reads); for a "
                                         "project they replace its own events")
    parser.add_argument("--checkpoint", help="whose model card to include (default: the bundled default model)")
    parser.add_argument("--no-card", action="store_true", help="leave the model card out")
    parser.add_argument("--no-thumbnails", action="store_true", help="no face images in the event table")

    def run(args: argparse.Namespace) -> int:
        # lazy: the report's stack (face pipeline, plots), loaded only when it runs
        from app.report import ReportError, gather, write_report

        folder = Path(args.out).parent
        if not folder.is_dir():
            return command_error("report", f"{args.out}: folder {folder} does not exist")
        try:
            data = gather(args.source, events_csv=args.events, checkpoint=args.checkpoint, with_card=not args.no_card)
            write_report(args.out, data, thumbnails=not args.no_thumbnails)
        except (ReportError, ProjectError, ColumnError, ValidationError, FileNotFoundError, ValueError) as err:
            return command_error("report", str(err))
        for note in data.notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"wrote {args.out}: {len(data.events)} event(s) of {data.video_path}")
        return 0

    return run
