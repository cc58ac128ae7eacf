"""Combining trained checkpoints into one ensemble checkpoint (`tsfmicro ensemble`).

Models trained with different seeds or data make different mistakes on a face none of them has seen; the mean of
their probabilities makes fewer (`app.analysis.predictor`: every member sees the same pairs, each spotting head
keeps its own state, class and phase probabilities are averaged). The cost is one forward pass per member.

The members must be interchangeable: one architecture, the same class names in the same order and the same input
contract (preprocessing and pairing; their decodings may differ). The ensemble's curves are new curves, so its
decoding is chosen again on a validation set (`recalibrate.decode_and_save`) and, with a test set, its held-out
figures are measured. Its model card says it is an ensemble and what each member was trained on and how
(`member<i>_*` entries from each member's card); `data` names all members' training data; the other shared entries
(limits, class set, model) are the first member's.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable, Optional, Sequence

from app.training.recalibrate import decode_and_save, utc_now
from model import CheckpointError, LoadedCheckpoint, load_checkpoint

MEMBER_KEYS = ("data", "command_line", "data_csv", "data_sha256", "seed", "date", "train_config", "final_model",
               "spotting_head", "trained_with", "software")
PER_MEMBER_PREFIXES = ("decoding_", "heldout_", "recalibrated_", "member", "ensemble")  # not carried to the ensemble


def check_compatible(loaded: Sequence[LoadedCheckpoint]) -> None:
    """Raise CheckpointError (naming the file) for a member that cannot be averaged with the first."""
    first = loaded[0]
    contract = dataclasses.replace(first.preprocess, decoding="")
    for other in loaded[1:]:
        if other.spotting_head is None or first.spotting_head is None:
            bad = other if other.spotting_head is None else first
            raise CheckpointError(bad.path, "has no spotting head: an ensemble's members need one each")
        if other.class_names != first.class_names:
            raise CheckpointError(other.path, f"classes {list(other.class_names)} differ from {first.path}'s "
                                              f"{list(first.class_names)}")
        if other.model.cfg != first.model.cfg:
            raise CheckpointError(other.path, f"its architecture differs from {first.path}'s ({other.model_name} vs "
                                              f"{first.model_name} or other settings)")
        if dataclasses.replace(other.preprocess, decoding="") != contract:
            raise CheckpointError(other.path, f"its input contract (preprocessing, face crop or pairing) differs "
                                              f"from {first.path}'s")


def ensemble_card(loaded: Sequence[LoadedCheckpoint], command_line: str) -> dict:
    """The first member's shared entries (limits, class set, model, …), what all members were trained on (`data`),
    then each member's training provenance (`member<i>_*`)."""
    first = loaded[0].model_card
    card = {k: v for k, v in first.items() if not k.startswith(PER_MEMBER_PREFIXES) and k not in MEMBER_KEYS}
    data = [str(member.model_card.get("data", "unknown data")) for member in loaded]
    card["data"] = data[0] if len(set(data)) == 1 else "; ".join(f"member {i}: {d}" for i, d in enumerate(data, 1))
    card["ensemble"] = (f"{len(loaded)} models trained separately; class and phase probabilities are the mean of "
                        f"theirs (member<i>_* entries)")
    for i, member in enumerate(loaded, 1):
        card[f"member{i}_file"] = member.path.name
        card.update({f"member{i}_{key}": member.model_card[key] for key in MEMBER_KEYS if key in member.model_card})
    card["ensembled_with"] = command_line
    card["ensembled_on"] = utc_now()
    return card


def build_ensemble(checkpoints: Sequence[str | os.PathLike], val_csv: str | os.PathLike, out: str | os.PathLike, *,
                   test_csv: Optional[str | os.PathLike] = None, cache_dir: Optional[str | os.PathLike] = None,
                   threads: Optional[int] = None, command_line: str = "",
                   log: Callable[[str], None] = lambda message: None) -> dict:
    """Write the ensemble of `checkpoints` (two or more; an ensemble given as a member contributes all its models)
    with its decoding chosen on `val_csv` to `out`; returns its model card."""
    if len(checkpoints) < 2:
        raise ValueError("an ensemble needs at least two checkpoints")
    loaded = [load_checkpoint(Path(path), device="cpu") for path in checkpoints]
    check_compatible(loaded)
    models = [member for checkpoint in loaded for member in checkpoint.members]
    log(f"ensemble of {len(models)} models from {len(loaded)} checkpoint(s)")
    combined = dataclasses.replace(loaded[0], more_members=tuple(models[1:]))
    return decode_and_save(combined, ensemble_card(loaded, command_line), val_csv, out, test_csv=test_csv,
                           cache_dir=cache_dir, threads=threads, log=log)
