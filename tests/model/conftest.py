"""Fixtures for the model tests: seeded tiny models on CPU, and the full model built once per session."""

from __future__ import annotations

import pytest
import torch

from model import TSFmicro, create_model


@pytest.fixture(autouse=True)
def _two_threads_and_seed() -> None:
    torch.set_num_threads(2)
    torch.manual_seed(0)


@pytest.fixture
def tiny_model() -> TSFmicro:
    torch.manual_seed(1234)
    return create_model("tsfmicro_tiny", num_classes=5).eval()


@pytest.fixture
def tiny_pair() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(7)
    onset = torch.randn(2, 3, 64, 64, generator=generator)
    apex = onset + 0.5 * torch.randn(2, 3, 64, 64, generator=generator)
    return onset, apex


@pytest.fixture(scope="session")
def full_model() -> TSFmicro:
    torch.manual_seed(4321)
    return create_model("tsfmicro", num_classes=5).eval()


@pytest.fixture(scope="session")
def full_pair() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(11)
    onset = torch.randn(1, 3, 224, 224, generator=generator)
    apex = onset + 0.5 * torch.randn(1, 3, 224, 224, generator=generator)
    return onset, apex
