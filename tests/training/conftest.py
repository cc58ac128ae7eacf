"""Shared fixtures of the training tests: one small rendered data set (4 subjects × 2 clips of a real face, one
event without a face) and one face-track cache, built once per session."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.training import TrainConfig
from train_kit import make_dataset


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """train.csv of 4 subjects; clip (1, 1) has grey frames 12..17, so its event e2 has no face."""
    return make_dataset(tmp_path_factory.mktemp("data"), subjects=4, clips=2, blank_clip=(1, 1))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("face_tracks"))


@pytest.fixture
def tiny_config(cache_dir) -> TrainConfig:
    """A seconds-long run: tiny model, 2 epochs, 2 folds, 2 head epochs, one thread (bit-reproducible)."""
    return TrainConfig(model="tsfmicro_tiny", epochs=2, batch_size=8, max_folds=2, head_epochs=2, threads=1,
                       cache_dir=cache_dir, progress=False, seed=3)


def with_(config: TrainConfig, **changes) -> TrainConfig:
    return dataclasses.replace(config, **changes)
