"""Shared renders of the synthetic-data tests: one short astronaut video (with and without its
expressions and nuisance), rendered once per session."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from app.synth.plan import plan_video
from app.synth.render import iter_render


def render_all(spec):
    frames = list(iter_render(spec))
    return np.stack([f.frame for f in frames]), frames


@pytest.fixture(scope="session")
def astro_spec():
    return plan_video(seed=11, index=0, face="astronaut", fps=30.0, duration_s=9.0)


@pytest.fixture(scope="session")
def astro_render(astro_spec):
    """(spec, frames, per-frame info, neutral frames, frames without nuisance)."""
    frames, info = render_all(astro_spec)
    neutral, _ = render_all(astro_spec.neutral())
    quiet, _ = render_all(dataclasses.replace(astro_spec, nuisances=()))
    return astro_spec, frames, info, neutral, quiet
