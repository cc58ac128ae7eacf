"""`tsfmicro import`: a data set's official coding sheet -> the training CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands.common import command_error
from app.commands.registry import command
from app.core.events_csv import write_events_csv
from app.core.sheet_import import import_sheet
from app.core.sheets import FORMATS
from app.core.validation import ColumnError


@command("import", "convert an official coding sheet (CASME II, SAMM, CAS(ME)^3) into the training CSV")
def _import_command(parser: argparse.ArgumentParser):
    parser.add_argument("dataset", choices=tuple(FORMATS), help="which data set's sheet layout")
    parser.add_argument("sheet", help="the coding sheet (.xlsx)")
    parser.add_argument("--frames-root", required=True,
                        help="folder holding the data set's frame folders (e.g. CASME II's Cropped/)")
    parser.add_argument("--out", required=True, help="training CSV to write (video paths become relative to it)")
    parser.add_argument("--strict", action="store_true", help="write nothing if any row is rejected")

    def run(args: argparse.Namespace) -> int:
        out = Path(args.out)
        name = f"import {args.dataset}"
        if not out.parent.resolve().is_dir():
            return command_error(name, f"folder {out.parent} does not exist")
        try:
            report = import_sheet(args.dataset, args.sheet, args.frames_root, out)
        except (ColumnError, FileNotFoundError, ValueError) as err:
            return command_error(name, str(err))
        for fix in report.fixes:
            print(f"fixed: {fix}")
        sys.stdout.flush()
        for problem in report.problems:
            print(f"rejected: {problem}", file=sys.stderr)
        sys.stderr.flush()
        print(report.summary(limit=0))
        if args.strict and report.problems:
            print(f"tsfmicro {name}: --strict: nothing written ({report.rejected} rows rejected)", file=sys.stderr)
            return 1
        write_events_csv(out, report.accepted)
        print(f"wrote {out} ({len(report.accepted)} events)")
        return 1 if report.problems else 0

    return run
