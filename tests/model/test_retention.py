"""Retention forms (parallel, recurrent, chunkwise) and the spotting head built on them are the same function, in
float64."""

from __future__ import annotations

import math

import pytest
import torch

from model import PHASES, SpottingHead, SpottingHeadCfg, SpottingState
from model.retention import (
    MultiScaleRetention,
    RetentionForm,
    RetentionState,
    causal_decay_matrix,
    retention_chunkwise,
    retention_parallel,
    retention_recurrent,
)
from model.spotting_head import head_time_constants

ATOL = 1e-10
F64 = torch.float64


def random_qkv(batch=2, heads=3, length=23, key_dim=5, value_dim=4):
    generator = torch.Generator().manual_seed(5)
    q, k = (torch.randn(batch, heads, length, key_dim, generator=generator, dtype=F64) for _ in range(2))
    v = torch.randn(batch, heads, length, value_dim, generator=generator, dtype=F64)
    log_decay = torch.log(torch.tensor([[0.3, 0.8, 0.97], [0.5, 0.9, 0.99]], dtype=F64))
    return q, k, v, log_decay


def zero_state(q, v) -> RetentionState:
    b, h, _, dk = q.shape
    return RetentionState.zeros(b, h, dk, v.shape[-1], F64, "cpu")


def direct_retention(q, k, v, log_decay):
    """o_t = Σ_{s≤t} γ^(t−s)(q_t·k_s)v_s / √(Σ_{s≤t} γ^(t−s)), term by term."""
    out = torch.zeros_like(v)
    gamma = log_decay.exp()
    for t in range(q.shape[2]):
        weights = torch.stack([gamma ** (t - s) for s in range(t + 1)], dim=-1)  # (B, H, t+1)
        scores = (q[:, :, t, None, :] * k[:, :, : t + 1]).sum(-1) * weights
        out[:, :, t] = (scores[..., None] * v[:, :, : t + 1]).sum(2) / weights.sum(-1, keepdim=True).sqrt()
    return out


def assert_states_equal(a: RetentionState, b: RetentionState) -> None:
    assert torch.allclose(a.kv, b.kv, atol=ATOL, rtol=0)
    assert torch.allclose(a.normaliser, b.normaliser, atol=ATOL, rtol=0)


def test_decay_matrix_is_causal_and_finite_for_long_sequences() -> None:
    log_decay = torch.log(torch.tensor([[0.01, 0.999]], dtype=F64))
    matrix = causal_decay_matrix(log_decay, 3000)
    assert torch.isfinite(matrix).all()
    assert torch.equal(matrix.triu(1), torch.zeros_like(matrix))
    assert matrix[0, 1, 10, 7].item() == pytest.approx(0.999**3)


def test_parallel_equals_recurrent_equals_chunkwise_at_every_frame() -> None:
    q, k, v, log_decay = random_qkv()
    state = zero_state(q, v)
    parallel, parallel_state = retention_parallel(q, k, v, log_decay, state)
    recurrent, recurrent_state = retention_recurrent(q, k, v, log_decay, state)
    chunkwise, chunkwise_state = retention_chunkwise(q, k, v, log_decay, state, chunk_size=4)
    assert torch.allclose(parallel, direct_retention(q, k, v, log_decay), atol=ATOL, rtol=0)
    assert torch.allclose(parallel, recurrent, atol=ATOL, rtol=0)
    assert torch.allclose(parallel, chunkwise, atol=ATOL, rtol=0)
    assert_states_equal(parallel_state, recurrent_state)
    assert_states_equal(parallel_state, chunkwise_state)


@pytest.mark.parametrize("split", [1, 9, 22])
def test_every_form_resumes_from_a_carried_state(split: int) -> None:
    q, k, v, log_decay = random_qkv()
    whole, whole_state = retention_parallel(q, k, v, log_decay, zero_state(q, v))
    for kernel in (retention_parallel, retention_recurrent, retention_chunkwise):
        first, mid_state = kernel(q[:, :, :split], k[:, :, :split], v[:, :, :split], log_decay, zero_state(q, v))
        second, end_state = kernel(q[:, :, split:], k[:, :, split:], v[:, :, split:], log_decay, mid_state)
        assert torch.allclose(torch.cat((first, second), dim=2), whole, atol=ATOL, rtol=0)
        assert_states_equal(end_state, whole_state)


def test_msr_module_forms_agree_before_and_after_the_head_norm() -> None:
    torch.manual_seed(2)
    msr = MultiScaleRetention(dim=16, num_heads=4).double()
    x = torch.randn(2, 19, 16, dtype=F64)
    log_decay = torch.log(torch.tensor([0.4, 0.7, 0.9, 0.99], dtype=F64)).expand(2, 4)
    state = msr.initial_state(2, F64, "cpu")
    results = {form: msr(x, log_decay, state, form, chunk_size=5) for form in RetentionForm}
    pre_norm = {form: msr.retain(x, log_decay, state, form, chunk_size=5)[0] for form in RetentionForm}
    reference = RetentionForm.PARALLEL
    for form in RetentionForm:
        assert torch.allclose(pre_norm[form], pre_norm[reference], atol=ATOL, rtol=0)
        assert torch.allclose(results[form][0], results[reference][0], atol=ATOL, rtol=0)


@pytest.fixture
def head() -> SpottingHead:
    torch.manual_seed(9)
    return SpottingHead(SpottingHeadCfg(embed_dim=24, dim=16, depth=2, num_heads=4, chunk_size=6)).double().eval()


@pytest.fixture
def sequence() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(4)
    x = torch.randn(2, 31, 24, generator=generator, dtype=F64)
    valid = torch.rand(2, 31, generator=generator) > 0.2
    return x, valid


def test_head_parallel_recurrent_and_chunkwise_agree(head, sequence) -> None:
    x, valid = sequence
    parallel = head.forward_parallel(x, valid, fps=30.0)
    chunked, chunk_state = head.forward_chunk(x, valid, fps=30.0)
    state, stepped = None, []
    for t in range(x.shape[1]):
        probs, state = head.step(x[:, t], valid[:, t], fps=30.0, state=state)
        stepped.append(probs)
    assert parallel.shape == (2, 31, len(PHASES))
    assert torch.allclose(parallel.sum(-1), torch.ones(2, 31, dtype=F64))
    assert torch.allclose(chunked, parallel, atol=ATOL, rtol=0)
    assert torch.allclose(torch.stack(stepped, dim=1), parallel, atol=ATOL, rtol=0)
    assert state.frames_seen == chunk_state.frames_seen == 31
    for a, b in zip(state.layers, chunk_state.layers):
        assert_states_equal(a, b)


def test_streaming_in_two_halves_equals_one_pass(head, sequence) -> None:
    x, valid = sequence
    whole, whole_state = head.forward_chunk(x, valid, fps=200.0, stride=2)
    first, mid_state = head.forward_chunk(x[:, :13], valid[:, :13], fps=200.0, stride=2)
    resumed_state = SpottingState.from_dict(mid_state.to_dict())  # as stored with partial results
    second, end_state = head.forward_chunk(x[:, 13:], valid[:, 13:], fps=200.0, state=resumed_state, stride=2)
    assert torch.allclose(torch.cat((first, second), dim=1), whole, atol=ATOL, rtol=0)
    assert end_state.frames_seen == whole_state.frames_seen == 31


def test_outputs_are_causal(head, sequence) -> None:
    x, valid = sequence
    changed = x.clone()
    changed[:, 20:] = torch.randn_like(changed[:, 20:])
    before, after = head.forward_parallel(x, valid, 30.0), head.forward_parallel(changed, valid, 30.0)
    assert torch.equal(before[:, :20], after[:, :20])
    assert not torch.allclose(before[:, 20:], after[:, 20:])


def test_invalid_frames_ignore_their_embedding(head, sequence) -> None:
    x, valid = sequence
    noisy = torch.where(valid[..., None], x, torch.randn_like(x))
    assert torch.equal(head.forward_parallel(x, valid, 30.0), head.forward_parallel(noisy, valid, 30.0))


def test_decay_is_defined_in_seconds() -> None:
    head = SpottingHead()
    taus = head_time_constants(head.cfg)
    assert taus[0].item() == pytest.approx(0.05) and taus[-1].item() == pytest.approx(1.0)
    assert torch.allclose(taus.log().diff(), taus.log().diff()[0].expand(3))
    at_30 = head.log_decay(30.0, batch=1)
    at_200_stride_2 = head.log_decay(200.0, batch=1, stride=2)
    expected = -(1 / 30) / taus
    assert torch.allclose(at_30[0].double(), expected, rtol=1e-6)
    assert torch.allclose(at_200_stride_2[0].double(), -(2 / 200) / taus, rtol=1e-6)
    per_sample = head.log_decay(torch.tensor([30.0, 200.0]), batch=2)
    assert torch.allclose(per_sample, torch.cat((at_30, head.log_decay(200.0, batch=1))))


def test_default_head_size_and_state_size() -> None:
    head = SpottingHead()
    assert sum(p.numel() for p in head.parameters()) == pytest.approx(430_000, rel=0.01)
    state = head.initial_state(batch=1)
    floats = sum(layer.kv.numel() + layer.normaliser.numel() for layer in state.layers)
    assert floats == 2 * 4 * (32 * 32 + 1)
    assert math.isclose(head.inverse_tau[0].item(), 20.0, rel_tol=1e-6)


def test_head_baseline_cancels_what_is_constant_and_streams_exactly():
    """SpottingHeadCfg.baseline_s: the head reads embeddings minus their causal running mean, so a constant offset
    (another face, another camera) leaves its output unchanged; parallel, chunkwise and recurrent forms agree."""
    from model import SpottingHead, SpottingHeadCfg

    torch.manual_seed(0)
    head = SpottingHead(SpottingHeadCfg(embed_dim=16, dim=32, num_heads=4, baseline_s=0.5)).double().eval()
    x = torch.randn(2, 50, 16, dtype=torch.float64)
    valid = torch.rand(2, 50) > 0.2
    parallel = head.forward_parallel(x, valid, 30.0)
    shifted = head.forward_parallel(x + 3.0 * torch.randn(1, 1, 16, dtype=torch.float64), valid, 30.0)
    assert torch.allclose(parallel, shifted, atol=1e-9)
    first, state = head.forward_chunk(x[:, :20], valid[:, :20], 30.0)
    second, state = head.forward_chunk(x[:, 20:], valid[:, 20:], 30.0, SpottingState.from_dict(state.to_dict()))
    assert torch.allclose(torch.cat([first, second], 1), parallel, atol=1e-12)
    plain = SpottingHead(SpottingHeadCfg(embed_dim=16, dim=32, num_heads=4)).double().eval()
    plain.load_state_dict(head.state_dict())
    assert not torch.allclose(plain.forward_parallel(x, valid, 30.0),
                              plain.forward_parallel(x + 3.0, valid, 30.0), atol=1e-3)  # without it, offsets matter
