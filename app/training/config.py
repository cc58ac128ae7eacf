"""`TrainConfig`: every setting of a training run, with the reference recipe as defaults (docs/training.md).

The config is frozen and turns into plain values (`to_dict`) for the model card and for the resume check: a
`--resume` with a config that differs in anything that changes the result is refused (`result_fields`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Optional

from app.analysis.pairing import REGISTRATIONS  # pair registration

PROTOCOLS = ("loso", "holdout", "none")  # none: the final model only, no held-out evaluation
SELECTIONS = ("last", "inner-val")  # honest model selection: the last epoch, or one chosen on a training subject
RESELECT = ("off", "faithful", "fixed")  # key-frame re-selection (reselect.py)

# Fields that only change how a run is carried out, not what it computes (device placement is not among them:
# a GPU run is not bit-identical to a CPU run, so a resume must keep it; but a thread count change is harmless).
_NON_RESULT_FIELDS = ("threads", "cache_dir", "progress")


@dataclass(frozen=True)
class TrainConfig:
    model: str = "tsfmicro"
    # optimisation (the reference recipe)
    epochs: int = 199  # the reference's 199 (174 for CASME II 5-class)
    lr: float = 8e-4
    weight_decay: Optional[float] = None  # None: 0.6, or 0.7 for a 3-class set
    lr_gamma: float = 0.987
    lr_decay_epochs: int = 50  # ExponentialLR steps for epochs 1..50 only, then the rate stays constant
    batch_size: int = 32  # global: split across processes under torchrun
    seed: int = 2
    # data
    reselect: Optional[str] = None  # None: "faithful" in paper mode, else "fixed"
    rotation_deg: Optional[float] = None  # None: 3° (4° for a 3-class set)
    crop_padding: Optional[int] = None  # None: 15 px at 224 (4 px for a 3-class set), scaled to the input size
    appearance_aug: float = 0.0  # colour/contrast/blur/noise strength (0 = off, as in the reference recipe)
    shape_aug: float = 0.0  # face-shape warp strength (0 = off, as in the reference recipe)
    input_norm: str = "imagenet"  # model input normalisation (model.preprocess): imagenet | local_contrast
    motion_pairs: int = 0  # > 0: frames per event (and as many without) trained on their phase too (motion_pairs.py)
    # protocol
    protocol: str = "loso"
    selection: str = "last"
    paper_protocol: bool = False
    holdout_fraction: float = 0.2
    max_folds: Optional[int] = None  # run only the first N folds (quick checks); the card says so
    # the per-frame spotting head (spotting.py)
    head_epochs: int = 40
    head_lr: float = 1e-3
    head_weight_decay: float = 0.05
    head_window_s: float = 8.0
    head_batch: int = 8
    head_baseline_s: float = 0.0  # > 0: the head reads embeddings minus their running mean (SpottingHeadCfg)
    apex_half_width_s: float = 0.02
    pairing_tau_s: float = 0.15
    pair_registration: str = "none"  # "flow": residual head motion removed from every pair (app.analysis.registration)
    train_head: bool = True
    # execution
    device: Optional[str] = None  # None: cuda → mps → cpu
    threads: Optional[int] = None
    cache_dir: Optional[str] = None
    progress: bool = True

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, got {self.protocol!r}")
        if self.selection not in SELECTIONS:
            raise ValueError(f"selection must be one of {SELECTIONS}, got {self.selection!r}")
        if self.reselect is not None and self.reselect not in RESELECT:
            raise ValueError(f"reselect must be one of {RESELECT}, got {self.reselect!r}")
        if self.protocol == "none" and (self.paper_protocol or self.selection != "last"):
            raise ValueError("--protocol none has no held-out subject to select on or to report")
        if self.paper_protocol and self.selection != "last":
            raise ValueError("--paper-protocol selects on the test subject by definition; it cannot be combined "
                             "with --select inner-val")
        for name in ("epochs", "batch_size", "head_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.pair_registration not in REGISTRATIONS:
            raise ValueError(f"pair_registration must be one of {REGISTRATIONS}, got {self.pair_registration!r}")
        if self.paper_protocol and self.pair_registration != "none":
            raise ValueError("--paper-protocol reproduces the reference, which compares the frames unregistered; "
                             "it cannot be combined with --register-pairs")
        if self.motion_pairs < 0:
            raise ValueError(f"motion_pairs must be >= 0, got {self.motion_pairs}")
        if self.paper_protocol and self.motion_pairs:
            raise ValueError("--paper-protocol reproduces the reference, which trains on labelled intervals only; "
                             "it cannot be combined with --motion-pairs")
        if self.head_baseline_s < 0:
            raise ValueError(f"head_baseline_s must be >= 0, got {self.head_baseline_s}")
        for name in ("appearance_aug", "shape_aug"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if self.head_epochs < 0 or self.lr_decay_epochs < 0:
            raise ValueError("head_epochs and lr_decay_epochs must be >= 0")
        if not 0 < self.holdout_fraction < 1:
            raise ValueError(f"holdout_fraction must be in (0, 1), got {self.holdout_fraction}")
        if self.max_folds is not None and self.max_folds < 1:
            raise ValueError("max_folds must be >= 1")

    # ------------------------------------------------------------------ recipe values that depend on the class set

    def resolved(self, num_classes: int) -> "TrainConfig":
        """The config with every None default filled in for a class set of `num_classes` (the reference's
        values, some different for 3 classes)."""
        three = num_classes == 3
        return dataclasses.replace(
            self,
            weight_decay=self.weight_decay if self.weight_decay is not None else (0.7 if three else 0.6),
            reselect=self.reselect or ("faithful" if self.paper_protocol else "fixed"),
            rotation_deg=self.rotation_deg if self.rotation_deg is not None else (4.0 if three else 3.0),
            crop_padding=self.crop_padding if self.crop_padding is not None else (4 if three else 15),
        )

    @property
    def protocol_label(self) -> str:
        """The protocol, as every output states it."""
        if self.protocol == "none":
            return "none (final model only; no held-out evaluation, so no accuracy estimate)"
        if self.paper_protocol:
            return (f"PAPER PROTOCOL ({self.protocol}; epoch selection and early stop on the TEST subject, "
                    "'UAR' = mean precision; not an honest estimate)")
        how = "last epoch" if self.selection == "last" else "epoch chosen on an inner validation subject"
        return f"honest {self.protocol} ({how}; the test subject is never used for selection)"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def result_fields(self) -> dict[str, Any]:
        """The settings a resumed run must share with the interrupted one."""
        return {k: v for k, v in self.to_dict().items() if k not in _NON_RESULT_FIELDS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)
