"""Where inference runs: CUDA, then Apple MPS, then CPU, unless the user names a device; CPU thread count."""

from __future__ import annotations

import os
from typing import Optional

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


class DeviceError(RuntimeError):
    """A requested device that this machine or this torch build cannot provide."""


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def select_device(requested: Optional[str] = None) -> torch.device:
    """None or "auto": CUDA if available, else MPS, else CPU. "cpu", "cuda", "cuda:N" or "mps": that device,
    or DeviceError saying why it cannot be used."""
    name = (requested or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise DeviceError(f"unknown device {requested!r}; use one of {', '.join(DEVICE_CHOICES)} or cuda:N") from error
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            build = "this torch build has no CUDA support" if torch.version.cuda is None else "no CUDA GPU is visible"
            raise DeviceError(f"device {requested!r} was requested but CUDA is not available ({build}); use --device cpu")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(f"device {requested!r} was requested but only {torch.cuda.device_count()} CUDA device(s) exist")
        return device
    if device.type == "mps":
        if not _mps_available():
            raise DeviceError(f"device {requested!r} was requested but Apple MPS is not available; use --device cpu")
        return device
    raise DeviceError(f"unsupported device {requested!r}; use one of {', '.join(DEVICE_CHOICES)} or cuda:N")


def default_threads() -> int:
    """All logical cores: the batch command runs decode, face and model in turn in one thread. A GUI worker
    should pass one fewer, so the interface and the decoder keep a core."""
    return max(1, os.cpu_count() or 1)


def set_threads(threads: Optional[int]) -> int:
    """Set torch's intra-op CPU thread count explicitly (process-wide); returns it."""
    n = default_threads() if threads is None else int(threads)
    if n < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    torch.set_num_threads(n)
    return n
