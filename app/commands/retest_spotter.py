"""`tsfmicro retest-spotter`: measure a learned-spotter file again on test sets with this version's decoding, its
networks and confidence tables as trained, and write a copy whose model card says so."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import shlex
import sys

from app.commands.common import command_error
from app.commands.registry import command


@command("retest-spotter", "measure a learned-spotter file again on test sets with this version's decoding (its "
                           "networks and confidence tables as trained); write a copy whose model card has the new "
                           "figures and says how they were made")
def _retest_spotter_command(parser: argparse.ArgumentParser):
    parser.add_argument("spotter", help="the spotter file (.pt), e.g. resources/models/spotter.pt")
    parser.add_argument("--test", nargs="+", required=True, metavar="TEST_CSV",
                        help="held-out CSVs to measure it on (test-only sets welcome); their figures replace the "
                             "card's test figures")
    parser.add_argument("--out", required=True, help="the spotter file to write (may be the same file)")
    parser.add_argument("--cache", help="folder for the videos' region motion (default: the user cache)")

    def run(args: argparse.Namespace) -> int:
        # lazy: the spotter loads torch, which `tsfmicro --help` must not
        from app.analysis.learned_spotter import LearnedSpotter, SpotterError
        from app.commands.train_spotter import motion_cache, test_card_entries
        from app.training.samples import TrainingDataError

        try:
            spotter = LearnedSpotter.load(args.spotter)
        except SpotterError as error:
            return command_error("retest-spotter", str(error))
        log = lambda message: print(message, flush=True)  # noqa: E731
        card = {key: value for key, value in spotter.card.items() if not key.startswith("test ")}
        card["decoding"] = spotter.decoding_summary()
        try:
            card.update(test_card_entries(spotter, args.test, motion_cache(args.cache), log))
        except (TrainingDataError, FileNotFoundError, ValueError) as error:
            return command_error("retest-spotter", str(error))
        card["retested_with"] = shlex.join(["tsfmicro", *sys.argv[1:]])
        card["retested_on"] = (f"{datetime.date.today().isoformat()}: decoding and test figures measured again with "
                               f"this version; networks and confidence tables as trained")
        dataclasses.replace(spotter, card=card).save(args.out)
        log(f"wrote {args.out}")
        return 0

    return run
