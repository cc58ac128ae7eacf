"""How a checkpoint's model card is shown: one line for status bars and log lines, all of it for dialogs and
`tsfmicro card`. The card itself is written by training (`app.training.card`) and stored in the checkpoint."""

from __future__ import annotations

from typing import Mapping

NOT_VALIDATED = ("Not validated on real micro-expressions: its figures are on synthetic data only. Train on CASME II, "
                 "SAMM or CAS(ME)^3 with `tsfmicro import` + `tsfmicro train` before relying on it (README: Training).")

# The card entries worth reading first, in this order; the rest follow as stored.
_FIRST = ("data", "heldout_summary", "limits", "ensemble", "command_line", "ensembled_with", "recalibrated_with",
          "recalibrated_on", "retested_with", "retested_on", "model",
          "class_set", "seed", "protocol")


def trained_on(card: Mapping[str, object]) -> str:
    """One line: what the weights were trained on."""
    for key in ("data", "trained_on", "purpose"):
        if card.get(key):
            return str(card[key])
    return "unknown data (the checkpoint has no model card)"


def card_lines(card: Mapping[str, object]) -> list[str]:
    """'key: value' lines, the important entries first, an ensemble's per-member entries (`member<i>_*`) last."""
    rest = [k for k in card if k not in _FIRST]
    keys = [k for k in _FIRST if k in card] + sorted(rest, key=lambda k: k.startswith("member"))
    return [f"{key}: {card[key]}" for key in keys]


def is_synthetic(card: Mapping[str, object]) -> bool:
    return "synthetic" in trained_on(card).lower()
