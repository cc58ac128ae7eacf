"""`tsfmicro ensemble`: several trained checkpoints → one checkpoint whose outputs are the mean of theirs."""

from __future__ import annotations

import argparse

from app.commands.calibrate import add_decoding_arguments, run_decoding_command
from app.commands.registry import command


@command("ensemble", "combine trained models (same architecture, classes and input contract; e.g. other seeds) "
                     "into one checkpoint that averages their outputs; its decoding is chosen on --val")
def _ensemble_command(parser: argparse.ArgumentParser):
    parser.add_argument("checkpoints", nargs="+", metavar="CHECKPOINT", help="two or more trained checkpoints with "
                                                                            "spotting heads")
    add_decoding_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        from app.training.ensemble import build_ensemble  # lazy: imports torch

        return run_decoding_command("ensemble", lambda *a, **k: build_ensemble(args.checkpoints, *a, **k),
                                    ["tsfmicro", "ensemble", *args.checkpoints], args)

    return run
