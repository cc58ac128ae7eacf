"""Pairing policy, ring buffer and gate: the pure parts, and the pairs the pipeline really forms across chunks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from app.analysis import AnalysisConfig, FrameEntry, FrameRing, Gate, GatingPolicy, PairingPolicy
from app.analysis import analyse_results, motion_score, motion_thumbnail


@pytest.mark.parametrize("fps, lag", [(30.0, 5), (29.97, 4), (200.0, 30), (25.0, 4), (1.0, 1)])
def test_lag_follows_model_spec(fps, lag):
    assert PairingPolicy().lag(fps) == lag  # k = max(1, floor(0.15 * fps + 0.5))


def test_lag_is_configurable_and_reference_is_clamped():
    assert PairingPolicy(tau_s=0.3).lag(30.0) == 9
    assert [PairingPolicy.reference(t, 5) for t in (0, 3, 5, 9)] == [0, 0, 0, 4]
    assert PairingPolicy.reference(102, 5, first=100) == 100


def test_ring_buffer_addresses_frames_and_stays_bounded():
    ring = FrameRing(capacity=4)
    for i in range(10, 17):
        ring.push(FrameEntry(i, None, False, False))
    assert len(ring) == 4 and [e.index for e in ring] == [13, 14, 15, 16]
    assert ring.get(14).index == 14
    with pytest.raises(KeyError, match="holds 13..16"):
        ring.get(12)
    ring.keep_last(2)
    assert [e.index for e in ring] == [15, 16]
    with pytest.raises(ValueError, match="does not follow"):
        ring.push(FrameEntry(18, None, False, False))


def test_motion_score_is_zero_for_identical_crops_and_grows_with_change(demo_results):
    crop = demo_results[0].crop
    assert motion_thumbnail(crop).shape == (24, 24)
    assert motion_score(motion_thumbnail(crop), motion_thumbnail(crop)) == 0.0
    changed = crop.copy()
    changed[120:170, 70:150] = 255 - changed[120:170, 70:150]  # "mouth" region inverted
    assert motion_score(motion_thumbnail(crop), motion_thumbnail(changed)) > 5.0


def test_gate_stride_budget_and_keep_alive():
    full = Gate(GatingPolicy(stride=3), fps=30.0)
    assert [t for t in range(12) if full.decide(t, True, 0.0)] == [0, 3, 6, 9]
    assert not Gate(GatingPolicy(stride=1), fps=30.0).decide(0, False, math.nan)  # no pair, no analysis
    # motion gate on a flat score: only the keep-alive fires, every max_gap_s
    gated = Gate(GatingPolicy(stride=1, motion_gate=True, max_gap_s=0.5), fps=30.0)
    assert [t for t in range(61) if gated.decide(t, True, 1.0)] == [0, 15, 30, 45, 60]
    # budget: 3 pairs per second, burst 1 s: a long burst of motion is capped at the budget rate
    budget = Gate(GatingPolicy(stride=1, budget_pairs_per_s=3.0, burst_s=1.0), fps=30.0)
    picked = [t for t in range(300) if budget.decide(t, True, 0.0)]
    assert len(picked) <= 3 + 3 * 10 and len(picked) >= 3 * 10 - 1


def test_gate_picks_motion_spikes():
    gate = Gate(GatingPolicy(stride=1, motion_gate=True, gate_z=1.0, max_gap_s=10.0), fps=30.0)
    rng = np.random.default_rng(0)
    scores = 2.0 + 0.1 * rng.standard_normal(200)
    scores[[80, 81, 150]] = 8.0
    picked = [t for t in range(200) if gate.decide(t, True, float(scores[t]))]
    assert {80, 81, 150} <= set(picked)
    assert len(picked) < 60  # far fewer than all frames


def test_pairs_span_chunk_boundaries(predictor, demo_results, monkeypatch):
    """Full mode, chunks of 7 frames, lag 5: every analysed frame t is paired with crop[max(0, t-5)], also when
    t-5 lies in an earlier chunk (held by the ring buffer)."""
    seen = []
    real_embed = predictor.embed_pairs

    def spy(onset, ref, apex):
        seen.extend(zip(onset.clone(), apex.clone()))
        return real_embed(onset, ref, apex)

    monkeypatch.setattr(predictor, "embed_pairs", spy)
    results = demo_results[:40]
    chunks = list(analyse_results(results, predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=7)))
    assert [c.start for c in chunks] == list(range(0, 40, 7))
    analysed = np.concatenate([c.analysed for c in chunks])
    expected_frames = [r.index for r in results if r.ok and results[max(0, r.index - 5)].ok]
    assert np.flatnonzero(analysed).tolist() == expected_frames
    assert len(seen) == len(expected_frames)
    for t, (onset, apex) in zip(expected_frames, seen):
        reference = predictor.preprocess([results[max(0, t - 5)].crop])[0]
        current = predictor.preprocess([results[t].crop])[0]
        assert torch.equal(onset, reference) and torch.equal(apex, current), f"frame {t}"
