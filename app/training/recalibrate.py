"""Choosing the curve decoding of an already trained checkpoint again, on a labelled validation set, without
retraining (`tsfmicro calibrate`): for a lab's own cameras and people, or after the decoding search has changed.

The weights are untouched. The checkpoint written has the new decoding (its contract's `decoding`), the card's
`decoding_*` entries replaced, and its held-out figures either all measured again with the new decoding (`--test`)
or, without a test set, the model's spotting figures (`heldout_model_*`) removed, since they were measured with
another decoding (recognition and the motion spotter's figures do not depend on it and stay). The card records the
command (`recalibrated_with`) and the date (`recalibrated_on`); the training command line stays. The curves are the
app's own analysis of each video, with the face pipeline the model was trained with (its contract's `face`).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from pathlib import Path
from typing import Callable, Optional

from app.analysis.contract import ModelContract
from app.analysis.predictor import Predictor
from app.training.calibrate import calibrate_decoding
from app.training.heldout import held_out_figures
from model import CheckpointError, LoadedCheckpoint, load_checkpoint, save_checkpoint

DECODING_DEPENDENT = ("decoding_", "heldout_model_")  # what a new decoding makes stale


def recalibrate(checkpoint: str | os.PathLike, val_csv: str | os.PathLike, out: str | os.PathLike, *,
                test_csv: Optional[str | os.PathLike] = None, cache_dir: Optional[str | os.PathLike] = None,
                threads: Optional[int] = None, command_line: str = "",
                log: Callable[[str], None] = lambda message: None) -> dict:
    """Write `checkpoint` with its decoding chosen on `val_csv` to `out` (may be the same path: written
    atomically); returns the new model card."""
    loaded = load_checkpoint(Path(checkpoint), device="cpu")
    stale = DECODING_DEPENDENT if test_csv is None else ("decoding_", "heldout_")
    card = {k: v for k, v in loaded.model_card.items() if not k.startswith(stale)}
    card["recalibrated_with"] = command_line
    card["recalibrated_on"] = utc_now()
    return decode_and_save(loaded, card, val_csv, out, test_csv=test_csv, cache_dir=cache_dir, threads=threads,
                           log=log)


def decode_and_save(loaded: LoadedCheckpoint, card: dict, val_csv: str | os.PathLike, out: str | os.PathLike, *,
                    test_csv: Optional[str | os.PathLike] = None, cache_dir: Optional[str | os.PathLike] = None,
                    threads: Optional[int] = None, log: Callable[[str], None] = lambda message: None) -> dict:
    """Choose `loaded`'s decoding on `val_csv`, measure it on `test_csv` if given, and write it (all its members,
    weights untouched) with `card` plus the `decoding_*` (and `heldout_*`) entries to `out`; returns that card."""
    if loaded.spotting_head is None:
        raise CheckpointError(loaded.path, "has no spotting head: there are no curves to decode")
    if test_csv is not None and Path(test_csv).resolve() == Path(val_csv).resolve():
        log(f"warning: --val and --test are the same file ({val_csv}): its figures are then not held out")
    contract = ModelContract.of(loaded)
    chosen, info = calibrate_decoding(val_csv, Predictor.from_checkpoint(loaded, threads=threads),
                                      face_config=contract.face, log=log)
    contract = dataclasses.replace(contract, decoding=chosen)
    card = {**card, **{f"decoding_{k}": v for k, v in info.items()}}
    if test_csv is not None:
        decoded = dataclasses.replace(loaded, contract=contract.to_dict())
        figures = held_out_figures(test_csv, Predictor.from_checkpoint(decoded, threads=threads),
                                   face_config=contract.face, cache_dir=cache_dir, log=log)
        card.update({f"heldout_{k}": v for k, v in figures.items()})
    save_checkpoint(out, loaded.model, model_name=loaded.model_name, class_names=loaded.class_names,
                    preprocess=loaded.preprocess, contract=contract.to_dict(), model_card=card,
                    spotting_head=loaded.spotting_head, more_members=loaded.more_members)
    return card


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
