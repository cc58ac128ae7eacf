"""`tsfmicro au`: recognise an action-unit export (OpenFace 2.x, py-feat, iMotions 5/6) and list its AU columns."""

from __future__ import annotations

import argparse
import json
import sys

from app.cli import command


@command("au", "recognise an AU export (OpenFace 2.x CSV, py-feat CSV, iMotions 5/6) and list its frames and AU columns")
def _au_command(parser: argparse.ArgumentParser):
    parser.add_argument("file", help="the tool's export (.csv, .txt)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        from app.core.au_tracks import AuTrackError, read_au_track

        try:
            track = read_au_track(args.file)
        except (AuTrackError, FileNotFoundError, UnicodeError) as err:
            print(f"tsfmicro au: error: {err}", file=sys.stderr)
            return 2
        facts = track.summary()
        if args.json:
            print(json.dumps(facts))
            return 0
        print(f"file        {facts['file']}")
        print(f"tool        {facts['tool']}")
        print(f"frames      {facts['frames']} (frames {facts['first_frame']}..{facts['last_frame']}, 0-based)")
        print(f"timestamps  {'yes' if facts['timestamps'] else 'no'}")
        print(f"AU columns  {len(facts['au_columns'])}: {', '.join(facts['au_columns'])}")
        for note in facts["notes"]:
            print(f"note: {note}")
        return 0

    return run
