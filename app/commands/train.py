"""`tsfmicro train`: train the pair classifier (LOSO or hold-out, honest or paper protocol) and the spotting head."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from app.commands.common import command_error
from app.commands.registry import command
from app.core.test_only import refuse_test_only
from app.core.user_dirs import face_track_cache_dir


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


@command("train", "train a model from a training CSV (LOSO metrics, final model on all subjects, spotting head)")
def _train_command(parser: argparse.ArgumentParser):
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = ("Defaults follow the reference recipe of TSFmicro's published code. Multi-GPU / multi-node: "
                     "start it with torchrun, e.g.\n  torchrun --standalone --nproc_per_node=4 -m app.cli train "
                     "train.csv --out model.pt\nSee docs/training.md.")
    parser.add_argument("csv", help="training CSV (video paths relative to it)")
    parser.add_argument("--out", required=True, help="checkpoint to write (OUT.partial holds the resumable state)")
    parser.add_argument("--model", choices=("tsfmicro", "tsfmicro_tiny"), default="tsfmicro",
                        help="architecture (default tsfmicro; tsfmicro_tiny for tests and smoke runs)")
    parser.add_argument("--classes", help="class set: 'a,b,c' or a mapping 'positive=happiness;negative=disgust,"
                                          "repression;surprise' (default: every emotion present, sorted)")
    parser.add_argument("--protocol", choices=("loso", "holdout", "none"), default="loso",
                        help="leave-one-subject-out (default), one seeded subject hold-out split, or none (the "
                             "final model only, no metrics)")
    parser.add_argument("--holdout-fraction", type=float, default=0.2, help="test share of subjects for --protocol holdout")
    parser.add_argument("--select", choices=("last", "inner-val"), default="last",
                        help="honest model selection: the last epoch (default) or the best epoch on an inner "
                             "validation subject; the test subject is never used")
    parser.add_argument("--paper-protocol", action="store_true",
                        help="reproduce the reference's selection on the test subject (per-fold max accuracy, "
                             "best-F1 epoch counts, 'UAR' = mean precision, early stop at test accuracy 1.0); "
                             "every output is labelled with it")
    parser.add_argument("--epochs", type=_positive, default=199, help="epochs per fold and for the final model "
                                                                      "(default 199; the reference uses 174 for CASME II 5-class)")
    parser.add_argument("--max-folds", type=_positive, help="run only the first N LOSO folds (quick checks)")
    parser.add_argument("--lr", type=float, default=8e-4, help="AdamW learning rate (default 8e-4)")
    parser.add_argument("--weight-decay", type=float, help="AdamW weight decay (default 0.6; 0.7 with 3 classes)")
    parser.add_argument("--lr-gamma", type=float, default=0.987, help="ExponentialLR factor per epoch (default 0.987)")
    parser.add_argument("--lr-decay-epochs", type=_non_negative, default=50,
                        help="epochs during which the rate decays; constant afterwards (default 50)")
    parser.add_argument("--batch", type=_positive, default=32, help="global batch size (default 32)")
    parser.add_argument("--seed", type=_non_negative, default=2, help="random seed (default 2)")
    parser.add_argument("--reselect", choices=("off", "faithful", "fixed"),
                        help="key-frame re-selection (default: faithful with --paper-protocol, else fixed)")
    parser.add_argument("--rotation", type=float, help="augmentation rotation range in degrees (default 3; 4 with 3 classes)")
    parser.add_argument("--crop-padding", type=_non_negative,
                        help="augmentation crop padding in px at 224 (default 15; 4 with 3 classes)")
    parser.add_argument("--appearance-aug", type=float, default=0.0,
                        help="appearance augmentation strength in [0, 1]: colour, contrast, blur, noise, the same on "
                             "both frames (default 0, as in the reference recipe; helps when few faces are seen)")
    parser.add_argument("--shape-aug", type=float, default=0.0,
                        help="face-shape augmentation strength in [0, 1]: one smooth warp of both frames (proportions "
                             "change as between people, the motion stays; default 0, as in the reference recipe)")
    parser.add_argument("--input-norm", choices=("imagenet", "local_contrast"), default="imagenet",
                        help="model input normalisation: imagenet (default, the reference) or local_contrast (grey "
                             "local contrast normalisation: carries over better to faces not seen in training)")
    parser.add_argument("--head-epochs", type=_non_negative, default=40,
                        help="spotting-head epochs (default 40; 0 = no spotting head)")
    parser.add_argument("--head-baseline", type=float, default=0.0,
                        help="seconds: the spotting head reads each embedding minus the video's running mean of this "
                             "time constant, so what is constant in a video (the face, the camera) cancels (default 0: "
                             "off)")
    parser.add_argument("--head-window", type=float, default=8.0, help="spotting-head training window in seconds")
    parser.add_argument("--register-pairs", choices=("none", "flow"), default="none",
                        help="flow: remove the residual head motion between the two frames of every pair (optical "
                             "flow, a robust similarity) before the model compares them; none (default): as the "
                             "reference")
    parser.add_argument("--motion-pairs", type=_non_negative, default=0, metavar="N",
                        help="also train the classifier's embedding on the phase (none/onset/apex/offset) of "
                             "(t - k, t) pairs: up to N frames per event and as many without one, blinks and "
                             "talking included, so the spotting head can tell expressions from other motion "
                             "(default 0: off, as the reference)")
    parser.add_argument("--tau", type=float, default=0.15, help="pairing lag τ in seconds (k = max(1, ⌊τ·fps + 0.5⌋))")
    parser.add_argument("--device", default=None, help="auto (default: cuda, then mps, then cpu), cpu, cuda, cuda:N, mps")
    parser.add_argument("--threads", type=_positive, help="CPU threads for torch")
    parser.add_argument("--cache", help=f"face-track cache folder (default {face_track_cache_dir()})")
    parser.add_argument("--no-cache", action="store_true", help="track faces again, store nothing")
    parser.add_argument("--predictions", help="also write the held-out predictions as a CSV for `tsfmicro evaluate`")
    parser.add_argument("--val", help="a labelled training CSV of videos NOT in CSV (nor in --test): the curve decoding "
                                      "(thresholds, smoothing, end trim) is chosen on it and stored in the checkpoint")
    parser.add_argument("--test", help="a labelled training CSV of videos and subjects NOT in CSV: after training, the "
                                       "model spots and recognises its events and the figures go into the model card")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run from OUT.partial")
    parser.add_argument("--restart", action="store_true", help="discard OUT.partial and start over")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="train without the CSV rows the validator rejects (they are listed) instead of stopping")
    parser.add_argument("--quiet", action="store_true", help="no progress output")

    def run(args: argparse.Namespace) -> int:
        # lazy: torch (app.training), loaded only when this command runs
        from app.training import Trainer, TrainConfig, TrainingDataError
        from app.training.report import evaluate_hint, summary_lines, write_predictions
        from app.analysis.device import DeviceError
        from app.training.state import ResumeError

        if args.resume and args.restart:
            return command_error("train", "--resume and --restart exclude each other")
        cache = None if args.no_cache else (args.cache or str(face_track_cache_dir()))
        try:
            config = TrainConfig(
                model=args.model, epochs=args.epochs, lr=args.lr, weight_decay=args.weight_decay,
                lr_gamma=args.lr_gamma, lr_decay_epochs=args.lr_decay_epochs, batch_size=args.batch, seed=args.seed,
                reselect=args.reselect, rotation_deg=args.rotation, crop_padding=args.crop_padding,
                appearance_aug=args.appearance_aug, shape_aug=args.shape_aug, input_norm=args.input_norm,
                protocol=args.protocol, selection=args.select, paper_protocol=args.paper_protocol,
                holdout_fraction=args.holdout_fraction, max_folds=args.max_folds, head_epochs=args.head_epochs,
                head_window_s=args.head_window, head_baseline_s=args.head_baseline, pairing_tau_s=args.tau,
                pair_registration=args.register_pairs, motion_pairs=args.motion_pairs, train_head=args.head_epochs > 0,
                device=args.device, threads=args.threads, cache_dir=cache, progress=not args.quiet)
            refuse_test_only(args.csv, "training")
            if args.val:
                refuse_test_only(args.val, "choosing the decoding (--val)")
            out = Path(args.out)
            if not out.parent.resolve().is_dir():
                raise ValueError(f"folder {out.parent} does not exist")
            trainer = Trainer(args.csv, out, config, classes=args.classes,
                              command_line=shlex.join(["tsfmicro", *sys.argv[1:]]), skip_invalid=args.skip_invalid,
                              resume=args.resume, restart=args.restart, test_csv=args.test,
                              val_csv=args.val)
            result = trainer.run()
        except (TrainingDataError, ResumeError, DeviceError, ValueError, FileNotFoundError) as err:
            return command_error("train", str(err))
        if trainer.ctx.rank != 0:
            return 0
        print("\n".join(summary_lines(result)))
        if args.predictions:
            written = write_predictions(args.predictions, result)
            print(f"wrote {', '.join(str(p) for p in written)}")
            print(f"evaluate with: {evaluate_hint(result, Path(args.predictions))}")
        return 0

    return run
