"""A checkpoint's contract with the app: the settings its model was trained with and must be run with, beyond its
weights and its per-frame transform (`model.PreprocessCfg`).

- `face`: the face pipeline that made its training crops (`app.face.FaceConfig`: detection, tracking, alignment,
  smoothing, quality);
- `pairing`: which earlier frame each analysed frame is paired with, and how (`PairingPolicy`);
- `decoding`: how its per-frame curves become intervals (`ProposalConfig`), chosen for this model on a validation set
  (`tsfmicro train --val`, `tsfmicro calibrate`); None when never chosen, and the decoder's defaults apply.

The checkpoint stores it as its `contract` entry, plain data written and read by the one config serialiser
(`model.config_to_dict` / `config_from_dict`: unknown fields and wrong types are refused, naming the field):

    {"version": 1, "face": {...}, "pairing": {...}, "decoding": {...} or None}

A missing section means its defaults, an empty contract all of them. Version 0 is how checkpoints of schema <= 2 kept
it: three JSON strings of the preprocessing, `crop_spec`, `pairing_policy` and `decoding` ("unspecified" when not set;
`model.checkpoint` hands them on as they were). It is read, never written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from app.analysis.pairing import PairingPolicy
from app.analysis.proposals import ProposalConfig
from app.face.config import FaceConfig
from model import CheckpointError, LoadedCheckpoint, config_from_dict, config_to_dict

CONTRACT_VERSION = 1
LEGACY_SECTIONS = {"crop_spec": "face", "pairing_policy": "pairing", "decoding": "decoding"}  # version 0 → 1


@dataclass(frozen=True)
class ModelContract:
    """What a model expects around it (see the module's docstring)."""

    face: FaceConfig = field(default_factory=FaceConfig)
    pairing: PairingPolicy = field(default_factory=PairingPolicy)
    decoding: Optional[ProposalConfig] = None

    @property
    def proposal_config(self) -> ProposalConfig:
        """The decoding to use: the one chosen for this model, else the decoder's defaults."""
        return self.decoding if self.decoding is not None else ProposalConfig()

    def to_dict(self) -> dict[str, Any]:
        return {"version": CONTRACT_VERSION, **config_to_dict(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ModelContract":
        """Inverse of `to_dict`, and the reader of version 0. Raises ValueError naming what it does not understand."""
        if not data:
            return cls()
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise ValueError(f"contract version missing or not an integer >= 0 ({version!r})")
        if version > CONTRACT_VERSION:
            raise ValueError(f"contract version {version} is newer than this program reads ({CONTRACT_VERSION}); "
                             "update the app")
        sections = {key: value for key, value in data.items() if key != "version"}
        if version == 0:
            sections = _legacy_sections(sections)
        return config_from_dict(cls, sections, "contract")

    @classmethod
    def of(cls, checkpoint: LoadedCheckpoint) -> "ModelContract":
        """A loaded checkpoint's contract; CheckpointError naming the file when it cannot be read."""
        try:
            return cls.from_dict(checkpoint.contract)
        except ValueError as error:
            raise CheckpointError(checkpoint.path, f"invalid contract: {error}") from error


def _legacy_sections(strings: Mapping[str, Any]) -> dict[str, Any]:
    """Version 0's JSON strings → version 1's sections (PairingPolicy's JSON named its `name` "policy")."""
    unknown = set(strings) - set(LEGACY_SECTIONS)
    if unknown:
        raise ValueError(f"contract version 0 has unknown key(s) {sorted(unknown)}")
    sections = {}
    for key, section in LEGACY_SECTIONS.items():
        text = strings.get(key, "unspecified")
        if not isinstance(text, str):
            raise ValueError(f"{key} must be a string, got {text!r}")
        if text.strip() in ("", "unspecified"):
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{key} is not JSON: {text!r}") from None
        if not isinstance(value, dict):
            raise ValueError(f"{key} must be a JSON object, got {text!r}")
        if section == "pairing":
            if "name" in value:
                raise ValueError(f"{key} has unknown key(s) ['name']")
            if "policy" in value:
                value["name"] = value.pop("policy")
        sections[section] = value
    return sections
