"""`tsfmicro agree`: agreement between raters' label files (interval F1, timing, kappa, Krippendorff's alpha)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from app.commands.common import command_error, read_inputs
from app.commands.registry import command
from app.core.atomic import atomic_write_text
from app.core.exchange import ExchangeError, read_labels
from app.core.validation import ColumnError


@command("agree", "agreement between two or more raters' labels: interval F1 (IoU >= 0.5), onset/apex/offset "
                  "differences, Cohen's kappa on emotions, Krippendorff's alpha on the per-frame coding")
def _agree_command(parser: argparse.ArgumentParser):
    parser.add_argument("files", nargs="+", metavar="LABELS",
                        help="one label file per rater (training CSV, or any format `tsfmicro convert` reads)")
    parser.add_argument("--fps", type=float, help="frame rate for files that carry none (ELAN made elsewhere, MEGC)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", help="folder to write agreement.json and disagreements.csv into (created if needed)")

    def run(args: argparse.Namespace) -> int:
        # lazy: analysis code, loaded only when this command runs
        from app.analysis.agreement import agreement, format_number

        if len(args.files) < 2:
            return command_error("agree", "give at least two raters' files")

        def read(file: str):
            report, _ = read_labels(file, fps=args.fps)
            for problem in report.problems:
                print(f"rejected: {problem}", file=sys.stderr)
            if report.problems:
                raise ValueError(f"{file}: {report.summary(limit=0)}; fix the file first")
            return report.accepted

        accepted = read_inputs("agree", args.files, read, (ExchangeError, ColumnError, FileNotFoundError, ValueError))
        if accepted is None:
            return 2
        ratings = {}
        for file, events in zip(args.files, accepted):
            name = Path(file).stem
            while name in ratings:
                name += "'"
            ratings[name] = events
        result = agreement(ratings)
        facts = result.to_json()
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            atomic_write_text(out / "agreement.json", json.dumps(facts, indent=2) + "\n")
            atomic_write_text(out / "disagreements.csv", _disagreements(result))
        if args.json:
            print(json.dumps(facts))
            return 0
        print(f"raters: {', '.join(result.raters)}; {result.frames} frames coded")
        print(f"Krippendorff's alpha (nominal, per-frame none/micro/macro): {format_number(result.krippendorff_alpha)}")
        print(f"interval F1 (IoU >= 0.5, one-to-one), mean over pairs: {format_number(result.interval_f1)}")
        for p in result.pairs:
            d = p.median_abs_diff_frames
            print(f"  {p.a} vs {p.b}: F1 {format_number(p.interval_f1)}, {p.matched} matched of {p.a_events} / "
                  f"{p.b_events}; median |difference| frames onset {format_number(d['onset'])}, apex "
                  f"{format_number(d['apex'])}, offset {format_number(d['offset'])}; emotion kappa "
                  f"{format_number(p.emotion_kappa)}")
        if args.out:
            print(f"wrote {Path(args.out) / 'agreement.json'}, {Path(args.out) / 'disagreements.csv'}")
        return 0

    return run


def _disagreements(result) -> str:
    """One line per event that the other rater did not match, or matched with another emotion or kind."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rater_a", "rater_b", "video", "what", "a_event", "a_frames", "a_emotion", "b_event", "b_frames",
                     "b_emotion"])
    span = lambda e: f"{e.onset_frame}-{e.apex_frame}-{e.offset_frame}"  # noqa: E731
    for p in result.pairs:
        for e in p.only_a:
            writer.writerow([p.a, p.b, e.video, f"only {p.a}", e.event_id, span(e), e.emotion, "", "", ""])
        for e in p.only_b:
            writer.writerow([p.a, p.b, e.video, f"only {p.b}", "", "", "", e.event_id, span(e), e.emotion])
        for x, y, _ in p.hits:
            if x.emotion != y.emotion:
                writer.writerow([p.a, p.b, x.video, "emotion", x.event_id, span(x), x.emotion, y.event_id, span(y),
                                 y.emotion])
    return buffer.getvalue()
