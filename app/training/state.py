"""The resumable state of a run, `OUT.partial`: written (atomically, by rank 0) after every epoch.

It holds the finished folds' results, the stage (`fold`, `final`, `head`), the fold and last finished epoch, the
model / optimizer / scheduler state, the RNG states, and the per-epoch evaluation tables of the running fold.
Every random draw of an epoch is seeded from (run seed, fold, epoch, rank), so continuing from the state after
epoch e gives bit-for-bit the run that never stopped (same device, same number of processes).

The file holds only tensors and plain values (loadable with `weights_only=True`) plus a fingerprint of the data
and settings; `--resume` with a different CSV, class set or settings is refused with the differences named.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import torch

from app.core.atomic import atomic_writer

FORMAT_TAG = "tsfmicro-train-partial"
VERSION = 1


class ResumeError(ValueError):
    """A partial state that cannot be continued (other data or settings, unreadable file)."""


def partial_path(out: str | os.PathLike) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".partial")


def rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_partial(path: Path, state: dict[str, Any]) -> None:
    payload = {"format": FORMAT_TAG, "version": VERSION, **state}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as handle:
        torch.save(payload, handle)


def load_partial(path: Path, fingerprint: dict[str, Any]) -> dict[str, Any]:
    """Read a partial state and check it belongs to this run (same fingerprint)."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ResumeError(f"{path}: cannot read the saved training state ({type(error).__name__}: {error}); "
                          "delete it (or pass --restart) to start over") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_TAG or payload.get("version") != VERSION:
        raise ResumeError(f"{path}: not a training state of this version; pass --restart to start over")
    saved = json.loads(payload["fingerprint"])
    differences = [f"{key}: saved {saved.get(key)!r}, now {fingerprint.get(key)!r}"
                   for key in sorted(set(saved) | set(fingerprint)) if saved.get(key) != fingerprint.get(key)]
    if differences:
        raise ResumeError(f"{path}: the saved state belongs to a different run; --resume needs the same data and "
                          "settings (or pass --restart to start over). Differences: " + "; ".join(differences))
    return payload


def existing_partial(out: str | os.PathLike) -> Optional[Path]:
    path = partial_path(out)
    return path if path.exists() else None
