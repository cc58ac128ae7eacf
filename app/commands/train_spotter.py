"""`tsfmicro train-spotter`: train the learned motion spotter on labelled videos, choose its decoding and calibrate its
confidence on validation videos, and (last) measure it on test sets it never saw."""

from __future__ import annotations

import argparse
import datetime
import shlex
import statistics
import sys
from pathlib import Path

from app.commands.common import command_error
from app.commands.registry import command
from app.core.test_only import TestOnlySetError
from app.core.user_dirs import cache_dir
from app.media.hashing import file_sha256


@command("train-spotter", "train the learned motion spotter (micro / macro per frame from facial region motion) on "
                          "labelled videos; decoding and confidence calibrated on --val; measured on --test")
def _train_spotter_command(parser: argparse.ArgumentParser):
    parser.add_argument("train", nargs="+", metavar="TRAIN_CSV", help="training CSVs (their videos are trained on)")
    parser.add_argument("--val", nargs="+", required=True, metavar="VAL_CSV",
                        help="validation CSVs: the threshold and the confidence table are chosen on these")
    parser.add_argument("--test", nargs="*", default=[], metavar="TEST_CSV",
                        help="held-out CSVs measured once at the end (test-only sets welcome); figures go into the card")
    parser.add_argument("--out", required=True, help="the spotter file to write (.pt)")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=32, help="channels of the temporal convolutions")
    parser.add_argument("--members", type=int, default=1,
                        help="train this many networks from seeds SEED, SEED+1, ... and average them (default 1)")
    parser.add_argument("--cache", help="folder for the videos' region motion (default: the user cache)")
    parser.add_argument("--threads", type=int,
                        help="torch CPU threads (default: all cores; 1 when other work shares the cores, as the "
                             "small network trains many times slower when its threads compete)")
    parser.add_argument("--no-evidence", action="store_true",
                        help="micro intervals from the network alone, without the relative-evidence intervals "
                             "(docs/spotter.md)")
    parser.add_argument("--data-note", default="", help="what the training videos show, for the model card")

    def run(args: argparse.Namespace) -> int:
        # lazy: the spotter and its training load torch, which `tsfmicro --help` must not
        from app.analysis.device import set_threads
        from app.analysis.learned_spotter import LearnedSpotter
        from app.training.samples import TrainingDataError
        from app.training.spotter_training import (choose_decoding, labelled_videos, score_videos, train_network,
                                                   with_calibration, with_relative_evidence)

        if args.epochs < 1 or args.hidden < 1 or args.members < 1 or (args.threads is not None and args.threads < 1):
            return command_error("train-spotter", "--epochs, --hidden, --members and --threads must be >= 1")
        if args.threads:
            set_threads(args.threads)
        cache = motion_cache(args.cache)
        log = lambda message: print(message, flush=True)  # noqa: E731
        try:
            train = [v for csv in args.train for v in labelled_videos(csv, cache, log)]
            val = [v for csv in args.val for v in labelled_videos(csv, cache, log, role="validation")]
        except (TestOnlySetError, TrainingDataError, FileNotFoundError, ValueError) as error:
            return command_error("train-spotter", str(error))
        net = train_network(train, epochs=args.epochs, seed=args.seed, hidden=args.hidden, members=args.members,
                            log=log)
        spotter = LearnedSpotter(net)
        scored = score_videos(spotter, val)  # one pass of the network over the validation videos
        spotter = with_calibration(choose_decoding(spotter, scored, log), scored)
        if not args.no_evidence:
            spotter = with_relative_evidence(spotter, scored)
        spotter.card.update({
            "data": args.data_note or "labelled videos",
            "train_csv": ", ".join(f"{p} (sha256 {_sha(p)})" for p in args.train),
            "train_videos": len(train), "train_events": sum(len(v.truth) for v in train),
            "val_csv": ", ".join(f"{p} (sha256 {_sha(p)})" for p in args.val),
            "command_line": shlex.join(["tsfmicro", *sys.argv[1:]]), "seed": args.seed, "epochs": args.epochs,
            "members": args.members,
            "date": datetime.date.today().isoformat(),
            "decoding": spotter.decoding_summary(),
        })
        try:
            spotter.card.update(test_card_entries(spotter, args.test, cache, log))
        except (TrainingDataError, FileNotFoundError, ValueError) as error:
            return command_error("train-spotter", str(error))
        spotter.save(args.out)
        log(f"wrote {args.out}")
        return 0

    return run


def motion_cache(folder: str | None) -> Path:
    """The folder for the videos' region motion: `folder` (--cache), else the user cache's."""
    return Path(folder) if folder else cache_dir() / "region_motion"


def test_card_entries(spotter, test_csvs, cache: Path, log) -> dict[str, str]:
    """{"test DIR/NAME.csv": figures} of the spotter on each held-out CSV (measured only, so a test-only set is
    welcome), each logged; raises what `labelled_videos` raises for a bad CSV."""
    from app.training.spotter_training import labelled_videos  # lazy: loads torch

    entries = {}
    for csv in test_csvs:
        figures = test_figures(spotter, labelled_videos(csv, cache, log, allow_test_only=True))
        entries[f"test {Path(csv).parent.name}/{Path(csv).name}"] = figures
        log(f"test {csv}: {figures}")
    return entries


def test_figures(spotter, videos) -> str:
    """'micro F1 0.xx (TP/FP/FN), apex error median m frames' of the spotter on labelled videos."""
    # lazy: the evaluation and the spotter's training code load torch
    from app.analysis.evaluate import evaluate_spotting
    from app.training.spotter_training import spot_all

    result = evaluate_spotting([e for v in videos for e in v.truth], spot_all(spotter, videos))["micro"]
    c = result.counts
    apex = statistics.median(result.apex_errors_frames) if result.apex_errors_frames else float("nan")
    return f"micro F1 {c.f1:.3f} ({c.tp}/{c.fp}/{c.fn}), apex error median {apex:g} frames"


def _sha(path) -> str:
    return file_sha256(path)[:16]
