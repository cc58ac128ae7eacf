"""`tsfmicro calibrate`: choose a trained checkpoint's curve decoding again on a labelled validation set.

The arguments and error handling shared with `tsfmicro ensemble` (which also chooses a decoding) live here too.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Callable

from app.commands.common import command_error
from app.commands.registry import command
from app.core.test_only import refuse_test_only
from app.core.user_dirs import face_track_cache_dir
from app.core.validation import ColumnError, ValidationError


def add_decoding_arguments(parser: argparse.ArgumentParser) -> None:
    """--val (required), --out (required), --test, --cache, --threads."""
    parser.add_argument("--val", required=True, help="labelled training CSV of videos the model was not trained on: "
                                                     "the decoding with the best micro-expression F1 there is kept")
    parser.add_argument("--out", required=True, help="checkpoint to write (may be an input: written atomically)")
    parser.add_argument("--test", help="labelled training CSV of other videos: spotting and recognition figures with "
                                       "the new decoding go into the card (without it, old held-out figures are "
                                       "removed from the card)")
    parser.add_argument("--cache", help="face-track cache folder (default: the user cache)")
    parser.add_argument("--threads", type=int, help="torch CPU threads")


def run_decoding_command(name: str, action: Callable[..., dict], first_words: list[str],
                         args: argparse.Namespace) -> int:
    """Call `action(val, out, test_csv=, cache_dir=, threads=, command_line=, log=)`, report what it wrote, and turn
    the problems a user can fix into one clear line (exit code 2)."""
    # lazy: both import torch (app.training, model.checkpoint); the CLI's start-up never loads it
    from app.training.samples import TrainingDataError
    from model import CheckpointError

    words = [*first_words, "--val", args.val, "--out", args.out]
    for flag, value in (("--test", args.test), ("--cache", args.cache), ("--threads", args.threads)):
        if value is not None:
            words += [flag, str(value)]
    log = (lambda message: print(message, file=sys.stderr, flush=True))
    try:
        refuse_test_only(args.val, "choosing the decoding or calibrating (--val)")
        card = action(args.val, args.out, test_csv=args.test, cache_dir=args.cache or face_track_cache_dir(),
                      threads=args.threads, command_line=shlex.join(words), log=log)
    except (CheckpointError, ColumnError, ValidationError, TrainingDataError, FileNotFoundError,
            ValueError) as error:
        return command_error(name, str(error))
    print(f"wrote {args.out}: decoding {card['decoding_settings']}, micro F1 {card['decoding_micro_f1']} on "
          f"{args.val}" + (f"; held-out micro F1 {card['heldout_model_micro_f1']}" if args.test else ""))
    return 0


@command("calibrate", "choose a trained model's decoding (curves -> intervals) again on labelled videos, without "
                      "retraining; optionally measure it on a held-out set")
def _calibrate_command(parser: argparse.ArgumentParser):
    parser.add_argument("checkpoint", help="trained checkpoint with a spotting head")
    add_decoding_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        from app.training.recalibrate import recalibrate  # lazy: imports torch

        return run_decoding_command("calibrate", lambda *a, **k: recalibrate(args.checkpoint, *a, **k),
                                    ["tsfmicro", "calibrate", args.checkpoint], args)

    return run
