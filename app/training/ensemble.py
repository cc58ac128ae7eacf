"""Combining trained checkpoints into one ensemble checkpoint (`tsfmicro ensemble`).

Models trained with different seeds or data make different mistakes on a face none of them has seen; the mean of
their probabilities makes fewer (`app.analysis.predictor`: every member sees the same pairs, each spotting head
keeps its own state, class and phase probabilities are averaged). The cost is one forward pass per member.

The members must be interchangeable: one architecture, the same class names in the same order and the same input
contract (preprocessing and pairing; their decodings may differ). The ensemble's curves are new curves, so its
decoding is chosen again on a validation set (`recalibrate.decode_and_save`) and, with a test set, its held-out
figures are measured. Its model card says it is an ensemble; `data` names all members' training data (with their
CSVs when they differ), `limits` joins theirs, and everything else each member's card says — command, data hash,
seed, training config, its own figures (with its own decoding) — is kept as `member<i>_*`, so no member's figure
reads as the ensemble's; a member's decoding entries are dropped.
An ensemble is not accepted as a member (give its members' checkpoints).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable, Optional, Sequence

from app.analysis.contract import ModelContract
from app.training.recalibrate import decode_and_save, utc_now
from model import CheckpointError, LoadedCheckpoint, load_checkpoint

SHARED_KEYS = ("model", "class_set", "class_names")  # the same for every member (checked or implied)
DROPPED_PREFIXES = ("decoding_", "recalibrated_")  # about a member's own decoding, which the ensemble does not use


def check_compatible(loaded: Sequence[LoadedCheckpoint]) -> None:
    """Raise CheckpointError (naming the file) for a checkpoint that cannot be averaged with the first."""
    first = loaded[0]
    contract = _input_contract(first)
    for checkpoint in loaded:
        if checkpoint.more_members:
            raise CheckpointError(checkpoint.path, "is already an ensemble: give its members' checkpoints instead")
        if checkpoint.spotting_head is None:
            raise CheckpointError(checkpoint.path, "has no spotting head: an ensemble's members need one each")
    for other in loaded[1:]:
        if other.class_names != first.class_names:
            raise CheckpointError(other.path, f"classes {list(other.class_names)} differ from {first.path}'s "
                                              f"{list(first.class_names)}")
        if other.model.cfg != first.model.cfg:
            raise CheckpointError(other.path, f"its architecture differs from {first.path}'s ({other.model_name} vs "
                                              f"{first.model_name} or other settings)")
        if other.spotting_head.cfg.embed_dim != first.spotting_head.cfg.embed_dim:
            raise CheckpointError(other.path, f"its spotting head reads {other.spotting_head.cfg.embed_dim}-d "
                                              f"embeddings, {first.path}'s {first.spotting_head.cfg.embed_dim}-d")
        if _input_contract(other) != contract:
            raise CheckpointError(other.path, f"its input contract (preprocessing, face crop or pairing) differs "
                                              f"from {first.path}'s")


def _input_contract(checkpoint: LoadedCheckpoint) -> tuple:
    """What the members must share: the preprocessing, and the contract's face crops and pairing (not its decoding)."""
    return checkpoint.preprocess, dataclasses.replace(ModelContract.of(checkpoint), decoding=None)


def ensemble_card(loaded: Sequence[LoadedCheckpoint], command_line: str) -> dict:
    """What all members were trained on (`data`) and their limits, the shared entries, then everything else each
    member's card says (its command, data, seed, config, own figures…) as `member<i>_*`."""
    cards = [member.model_card for member in loaded]
    described = [f"{card.get('data', 'unknown data')}" + (f" ({card['data_csv']})" if card.get("data_csv") else "")
                 for card in cards]
    data = [str(card.get("data", "unknown data")) for card in cards]
    card: dict = {}
    if len(set(described)) == 1:
        card["data"] = data[0]
    else:
        card["data"] = "; ".join(f"{d} [member {i}]" for i, d in enumerate(described, 1))
    limits = list(dict.fromkeys(str(c["limits"]) for c in cards if c.get("limits")))
    if limits:
        card["limits"] = " ".join(limits)
    card.update({key: cards[0][key] for key in SHARED_KEYS if key in cards[0]})
    card["ensemble"] = (f"{len(loaded)} models trained separately; class and phase probabilities are the mean of "
                        f"theirs (member<i>_* entries)")
    for i, (member, member_card) in enumerate(zip(loaded, cards), 1):
        card[f"member{i}_file"] = member.path.name
        card.update({f"member{i}_{key}": value for key, value in member_card.items()
                     if key not in SHARED_KEYS and key != "limits" and not key.startswith(DROPPED_PREFIXES)})
    card["ensembled_with"] = command_line
    card["ensembled_on"] = utc_now()
    return card


def build_ensemble(checkpoints: Sequence[str | os.PathLike], val_csv: str | os.PathLike, out: str | os.PathLike, *,
                   test_csv: Optional[str | os.PathLike] = None, cache_dir: Optional[str | os.PathLike] = None,
                   threads: Optional[int] = None, command_line: str = "",
                   log: Callable[[str], None] = lambda message: None) -> dict:
    """Write the ensemble of `checkpoints` (two or more single models) with its decoding chosen on `val_csv` to
    `out`; returns its model card."""
    if len(checkpoints) < 2:
        raise ValueError("an ensemble needs at least two checkpoints")
    loaded = [load_checkpoint(Path(path), device="cpu") for path in checkpoints]
    check_compatible(loaded)
    log(f"ensemble of {len(loaded)} models")
    combined = dataclasses.replace(loaded[0], more_members=tuple(c.members[0] for c in loaded[1:]))
    return decode_and_save(combined, ensemble_card(loaded, command_line), val_csv, out, test_csv=test_csv,
                           cache_dir=cache_dir, threads=threads, log=log)
