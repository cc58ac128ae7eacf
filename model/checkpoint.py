"""Checkpoint files: everything the app needs to run a trained model, and nothing that can execute code.

A checkpoint is a `torch.save`d dict of plain values (str, int, float, bool, None, lists, dicts) and tensors:

    format          "tsfmicro-checkpoint"
    schema_version  int, SCHEMA_VERSION when written (3; see "Older files" below; a reader that knows only up to 2
                    refuses 3, so it cannot misread the settings that moved, nor run an ensemble's first member alone)
    model           {"name": registry name, "cfg": TSFmicroCfg as a dict, "state_dict": {...}}
    class_names     [str, ...] in label order (index i is logit i)
    preprocess      PreprocessCfg as a dict: the per-frame transform only (size, mean/std, RGB, resize method,
                    normalisation)
    contract        optional: the app's settings around the model, {"version": int, ...}: the face crops it was
                    trained on, how frames are paired, how its curves become intervals. This module stores and checks
                    it as plain data only (`model` imports no `app`); its reader and writer is
                    `app.analysis.contract.ModelContract`. Absent: nothing specified (the app's defaults).
    model_card      {str: str | int | float}: what it was trained on, when, metrics, limits, provenance
    spotting_head   None, or {"cfg": SpottingHeadCfg as a dict, "state_dict": {...}}
    more_members    optional: [{"model": {...}, "spotting_head": ...}, ...], further models of an ensemble, each in
                    the form of the two entries above; they share the class names, preprocessing, contract and model
                    card, and the app averages their outputs with the first model's (files without it hold one model)

Every config is written and read by the one serialiser, `model.config.config_to_dict` / `config_from_dict` (unknown
fields and wrong types are refused, naming the field).

Older files are read as before. Up to schema 2, `preprocess` also held the contract as three JSON strings,
`crop_spec`, `pairing_policy` and `decoding` ("unspecified" when not set); they are taken out of it and handed on as
contract version 0, {"version": 0, "crop_spec": ..., "pairing_policy": ..., "decoding": ...}, which the app's reader
understands (schema 1 files, written before ensembles existed, hold one model). Version 0 is read, never written.

`load_checkpoint` reads with `torch.load(..., weights_only=True)`, so a file carrying arbitrary pickled objects is
refused, and validates every part; any problem raises `CheckpointError` naming the file and the problem.
Saving is atomic: a temporary file in the same directory is renamed over the target.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import torch
from torch import nn

from .config import TSFmicroCfg, config_from_dict, config_to_dict
from .preprocess import PreprocessCfg
from .registry import list_models
from .spotting_head import SpottingHead, SpottingHeadCfg
from .tsfmicro import TSFmicro

SCHEMA_VERSION = 3
OLDEST_SCHEMA_VERSION = 1
FORMAT_TAG = "tsfmicro-checkpoint"
REQUIRED_KEYS = ("format", "schema_version", "model", "class_names", "preprocess", "model_card", "spotting_head")
LEGACY_CONTRACT_FIELDS = ("crop_spec", "pairing_policy", "decoding")  # preprocess strings of files up to schema 2
UNSPECIFIED = "unspecified"

ModelCard = Mapping[str, str | int | float]


class CheckpointError(Exception):
    """A checkpoint that cannot be used, with the file and the reason."""

    def __init__(self, path: os.PathLike | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True)
class Member:
    """One model of a checkpoint: the pair classifier and, optionally, its spotting head."""

    model_name: str
    model: TSFmicro
    spotting_head: SpottingHead | None = None


@dataclass(frozen=True)
class LoadedCheckpoint:
    path: Path
    schema_version: int
    model_name: str
    model: TSFmicro  # in eval() mode on the requested device
    class_names: tuple[str, ...]
    preprocess: PreprocessCfg
    model_card: dict[str, str | int | float]
    spotting_head: SpottingHead | None
    more_members: tuple[Member, ...] = ()  # an ensemble's further models (see the module's docstring)
    contract: dict[str, Any] = field(default_factory=dict)  # plain data; `app.analysis.contract` reads it

    @property
    def members(self) -> tuple[Member, ...]:
        """All models, the first (`model`, `spotting_head`) first."""
        return (Member(self.model_name, self.model, self.spotting_head), *self.more_members)


def _cpu_state_dict(module: nn.Module) -> dict[str, torch.Tensor]:
    return {key: value.detach().cpu().clone() for key, value in module.state_dict().items()}


def _check_model_card(card: Mapping[str, Any]) -> dict[str, str | int | float]:
    checked = {}
    for key, value in card.items():
        if not isinstance(key, str):
            raise ValueError(f"model card key {key!r} is not a string")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(f"model card entry {key!r} must be a str or a number, got {type(value).__name__}")
        checked[key] = value
    return checked


def _check_class_names(names: Sequence[Any], num_classes: int) -> tuple[str, ...]:
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ValueError("class_names must be a list of strings")
    if len(names) != num_classes:
        raise ValueError(f"{len(names)} class names for a model with {num_classes} outputs")
    if len(set(names)) != len(names):
        raise ValueError("class_names contains duplicates")
    return tuple(names)


def _check_model_name(name: Any) -> str:
    if name not in list_models():
        raise ValueError(f"unknown model name {name!r}; known: {list_models()}")
    return name


def _check_plain(value: Any, where: str) -> Any:
    """`value` as plain data (dicts with str keys, lists, str, int, float, bool, None), copied; ValueError otherwise."""
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise ValueError(f"{where}: keys must be strings")
        return {key: _check_plain(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_check_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValueError(f"{where}: {type(value).__name__} is not plain data")


def _check_contract(contract: Any) -> dict[str, Any]:
    """The contract entry checked as plain data with an integer version (an empty one means nothing specified)."""
    if not isinstance(contract, Mapping):
        raise ValueError(f"contract must be a mapping, got {type(contract).__name__}")
    checked = _check_plain(contract, "contract")
    version = checked.get("version")
    if checked and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
        raise ValueError(f"contract version missing or not an integer >= 0 ({version!r})")
    return checked


def _legacy_contract(strings: Mapping[str, Any]) -> dict[str, Any]:
    """The schema <= 2 strings (`LEGACY_CONTRACT_FIELDS`) as contract version 0; empty when none is set."""
    values = {name: strings.get(name, UNSPECIFIED) for name in LEGACY_CONTRACT_FIELDS}
    for name, value in values.items():
        if not isinstance(value, str):
            raise ValueError(f"preprocess.{name} must be a string, got {value!r}")
    if all(value.strip() in ("", UNSPECIFIED) for value in values.values()):
        return {}
    return {"version": 0, **values}


def _read_preprocess(payload: Mapping[str, Any], version: int) -> tuple[PreprocessCfg, dict[str, Any]]:
    """(the preprocessing, the contract) of a payload of schema `version`."""
    data = payload["preprocess"]
    if not isinstance(data, Mapping):
        raise ValueError("preprocess must be a mapping")
    moved = [name for name in LEGACY_CONTRACT_FIELDS if name in data]
    if version <= 2:
        contract = _legacy_contract(data)
    elif moved:
        raise ValueError(f"preprocess holds {moved}: since schema 3 these settings are in `contract`")
    else:
        contract = _check_contract(payload.get("contract", {}))
    transform = {k: v for k, v in data.items() if k not in LEGACY_CONTRACT_FIELDS}
    return config_from_dict(PreprocessCfg, transform, "preprocess"), contract


def _member_payload(model_name: str, model: TSFmicro, spotting_head: SpottingHead | None) -> dict[str, Any]:
    return {
        "model": {"name": _check_model_name(model_name), "cfg": config_to_dict(model.cfg),
                  "state_dict": _cpu_state_dict(model)},
        "spotting_head": None
        if spotting_head is None
        else {"cfg": config_to_dict(spotting_head.cfg), "state_dict": _cpu_state_dict(spotting_head)},
    }


def save_checkpoint(
    path: os.PathLike | str,
    model: TSFmicro,
    *,
    model_name: str,
    class_names: Sequence[str],
    preprocess: PreprocessCfg,
    model_card: ModelCard,
    spotting_head: SpottingHead | None = None,
    more_members: Sequence[Member] = (),
    contract: Mapping[str, Any] | None = None,
) -> Path:
    """Write a checkpoint atomically (with `more_members`, an ensemble). `contract`: plain data with an integer
    "version" (`app.analysis.contract.ModelContract.to_dict()`), or None. Raises ValueError for inconsistent inputs
    (nothing is written then)."""
    path = Path(path)
    names = list(_check_class_names(class_names, model.cfg.num_classes))
    for member in more_members:
        _check_class_names(names, member.model.cfg.num_classes)
    checked_contract = _check_contract({} if contract is None else contract)
    payload = {
        "format": FORMAT_TAG,
        "schema_version": SCHEMA_VERSION,
        **_member_payload(model_name, model, spotting_head),
        "class_names": names,
        "preprocess": config_to_dict(preprocess),
        "model_card": _check_model_card(model_card),
    }
    if checked_contract:
        payload["contract"] = checked_contract
    if more_members:
        payload["more_members"] = [_member_payload(m.model_name, m.model, m.spotting_head) for m in more_members]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def _read_payload(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(path, "file not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for refused, truncated and corrupt files
        if "weights_only" in str(error) or "Unsupported global" in str(error):
            raise CheckpointError(
                path, "refused: the file contains Python objects other than tensors and plain data"
            ) from error
        raise CheckpointError(path, f"unreadable, truncated or corrupt ({type(error).__name__}: {error})") from error
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_TAG:
        raise CheckpointError(path, f"not a {FORMAT_TAG} file")
    return payload


def _check_schema(path: Path, payload: Mapping[str, Any]) -> int:
    version = payload.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise CheckpointError(path, f"schema_version missing or not an integer ({version!r})")
    if version > SCHEMA_VERSION:
        raise CheckpointError(
            path, f"schema_version {version} is newer than this program supports ({SCHEMA_VERSION}); update the app"
        )
    if version < OLDEST_SCHEMA_VERSION:
        raise CheckpointError(path, f"schema_version {version} is older than supported ({OLDEST_SCHEMA_VERSION})")
    missing = [key for key in REQUIRED_KEYS if key not in payload]
    if missing:
        raise CheckpointError(path, f"missing key(s) {missing}")
    return version


def _load_weights(path: Path, what: str, module: nn.Module, state_dict: Any) -> None:
    if not isinstance(state_dict, Mapping):
        raise CheckpointError(path, f"{what} state_dict is missing or not a mapping")
    try:
        module.load_state_dict(state_dict, strict=True)
    except RuntimeError as error:
        raise CheckpointError(path, f"{what} weights do not fit its config: {error}") from error


def _load_member(path: Path, part: Any, device: torch.device | str, what: str = "") -> Member:
    """One {"model": ..., "spotting_head": ...} part → a Member in eval() mode on `device`."""
    try:
        model_part, head_part = part["model"], part["spotting_head"]
        name = _check_model_name(model_part["name"])
        cfg = config_from_dict(TSFmicroCfg, model_part["cfg"])
        head_cfg = None if head_part is None else config_from_dict(SpottingHeadCfg, head_part["cfg"])
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(path, f"invalid contents{what}: {error}") from error
    model = TSFmicro(cfg)
    _load_weights(path, f"model{what}", model, model_part.get("state_dict"))
    spotting_head = None
    if head_cfg is not None:
        spotting_head = SpottingHead(head_cfg)
        _load_weights(path, f"spotting head{what}", spotting_head, head_part.get("state_dict"))
        spotting_head = spotting_head.to(device).eval()
    return Member(name, model.to(device).eval(), spotting_head)


def load_checkpoint(path: os.PathLike | str, device: torch.device | str = "cpu") -> LoadedCheckpoint:
    """Read, validate and instantiate a checkpoint. Models come back in eval() mode on `device`."""
    path = Path(path)
    payload = _read_payload(path)
    version = _check_schema(path, payload)
    first = _load_member(path, payload, device)
    more_parts = payload.get("more_members", [])
    if not isinstance(more_parts, list):
        raise CheckpointError(path, "invalid contents: more_members must be a list")
    more = tuple(_load_member(path, part, device, f" (ensemble member {i + 2})") for i, part in enumerate(more_parts))
    try:
        class_names = _check_class_names(payload["class_names"], first.model.cfg.num_classes)
        for member in more:
            _check_class_names(class_names, member.model.cfg.num_classes)
        preprocess, contract = _read_preprocess(payload, version)
        model_card = _check_model_card(payload["model_card"])
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(path, f"invalid contents: {error}") from error
    return LoadedCheckpoint(
        path=path,
        schema_version=version,
        model_name=first.model_name,
        model=first.model,
        class_names=class_names,
        preprocess=preprocess,
        model_card=model_card,
        spotting_head=first.spotting_head,
        more_members=more,
        contract=contract,
    )
