"""`tsfmicro au`: recognise an action-unit export (OpenFace 2.x, py-feat, iMotions 5/6) and list its AU columns."""

from __future__ import annotations

import argparse
import json

from app.commands.common import read_inputs
from app.commands.registry import command
from app.core.au_tracks import AuTrackError, read_au_track


@command("au", "recognise an AU export (OpenFace 2.x CSV, py-feat CSV, iMotions 5/6) and list its frames and AU columns")
def _au_command(parser: argparse.ArgumentParser):
    parser.add_argument("file", help="the tool's export (.csv, .txt)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        tracks = read_inputs("au", [args.file], read_au_track, (AuTrackError, FileNotFoundError, UnicodeError))
        if tracks is None:
            return 2
        facts = tracks[0].summary()
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
