"""MaSA maths (per-head decay, rotary shift, Manhattan-distance bias, full and axial attention) checked against
direct computations."""

from __future__ import annotations

import math

import pytest
import torch

from model.config import MaSAMode
from model.masa import (
    MaSA,
    ManhattanGeometry,
    axial_decay_bias,
    axial_masa,
    full_decay_bias,
    full_masa,
    head_log_decays,
    rotary_frequencies,
    rotary_sin_cos,
    rotate_pairs,
)


@pytest.mark.parametrize(
    ("decay_range", "expected"), [(4.0, (-0.287682, -0.064539)), (6.0, (-0.287682, -0.031749))]
)
def test_decay_values_per_head(decay_range: float, expected: tuple[float, float]) -> None:
    log_gamma = head_log_decays(2, 2.0, decay_range)
    assert log_gamma.tolist() == pytest.approx(expected, abs=1e-6)
    gammas = {4.0: (0.75, 0.9375), 6.0: (0.75, 0.96875)}[decay_range]
    assert log_gamma.exp().tolist() == pytest.approx(gammas, abs=1e-7)


def test_rotary_frequencies_run_from_one_to_ten_thousandth() -> None:
    theta = rotary_frequencies(32).double()
    m = torch.arange(16, dtype=torch.float64)
    assert torch.allclose(theta, 10000.0 ** (-m / 15), rtol=1e-6)


def test_rotation_equals_complex_multiplication_with_flattened_index() -> None:
    height, width, head_dim = 3, 5, 8
    x = torch.randn(2, 2, height, width, head_dim, dtype=torch.float64)
    theta = rotary_frequencies(head_dim).double()
    sin, cos = rotary_sin_cos(height, width, theta)
    rotated = rotate_pairs(x, sin, cos)
    for y in range(height):
        for col in range(width):
            p = y * width + col  # flattened 1-D index, in both modes
            z = torch.view_as_complex(x[:, :, y, col].reshape(2, 2, head_dim // 2, 2).contiguous())
            expected = torch.view_as_real(z * torch.exp(1j * p * theta)).flatten(-2)
            assert torch.allclose(rotated[:, :, y, col], expected, atol=1e-12)


def test_full_bias_is_log_gamma_times_manhattan_distance() -> None:
    height, width = 3, 4
    log_gamma = head_log_decays(2, 2.0, 6.0).double()
    bias = full_decay_bias(log_gamma, height, width)
    assert bias.shape == (2, 12, 12)
    for i in range(12):
        for j in range(12):
            distance = abs(i // width - j // width) + abs(i % width - j % width)
            assert torch.allclose(bias[:, i, j], log_gamma * distance)


def test_axial_mode_equals_two_explicit_softmax_passes() -> None:
    batch, heads, height, width, d = 1, 2, 3, 4, 6
    q, k, v = (torch.randn(batch, heads, height, width, d, dtype=torch.float64) for _ in range(3))
    log_gamma = head_log_decays(heads, 2.0, 4.0).double()
    out = axial_masa(q, k, v, axial_decay_bias(log_gamma, height), axial_decay_bias(log_gamma, width))

    along_w = torch.empty_like(v)
    for n in range(heads):
        for y in range(height):
            for x in range(width):
                logits = torch.stack(
                    [q[0, n, y, x] @ k[0, n, y, x2] + log_gamma[n] * abs(x - x2) for x2 in range(width)]
                )
                along_w[0, n, y, x] = torch.softmax(logits, 0) @ v[0, n, y]
    expected = torch.empty_like(v)
    for n in range(heads):
        for y in range(height):
            for x in range(width):
                logits = torch.stack(
                    [q[0, n, y, x] @ k[0, n, y2, x] + log_gamma[n] * abs(y - y2) for y2 in range(height)]
                )
                expected[0, n, y, x] = torch.softmax(logits, 0) @ along_w[0, n, :, x]
    assert torch.allclose(out, expected, atol=1e-12)


def test_full_mode_equals_explicit_softmax_over_grid() -> None:
    heads, height, width, d = 2, 3, 3, 4
    q, k, v = (torch.randn(1, heads, height, width, d, dtype=torch.float64) for _ in range(3))
    log_gamma = head_log_decays(heads, 2.0, 6.0).double()
    out = full_masa(q, k, v, full_decay_bias(log_gamma, height, width))
    for n in range(heads):
        for i in range(height * width):
            yi, xi = divmod(i, width)
            logits = torch.stack(
                [
                    q[0, n, yi, xi] @ k[0, n, yj, xj] + log_gamma[n] * (abs(yi - yj) + abs(xi - xj))
                    for yj in range(height)
                    for xj in range(width)
                ]
            )
            expected = torch.softmax(logits, 0) @ v[0, n].reshape(-1, d)
            assert torch.allclose(out[0, n, yi, xi], expected, atol=1e-12)


@pytest.mark.parametrize("mode", list(MaSAMode))
def test_masa_module_equals_explicit_computation(mode: MaSAMode) -> None:
    """Projections, key scaling before rotation, rotation, attention, LePE and output projection."""
    dim, heads, height, width = 8, 2, 3, 4
    head_dim = dim // heads
    torch.manual_seed(3)
    masa = MaSA(dim, heads, mode).double()
    geometry = ManhattanGeometry(heads, head_dim, 2.0, 4.0).double()
    x = torch.randn(2, height, width, dim, dtype=torch.float64)
    out = masa(x, geometry)

    sin, cos = geometry.rotary(height, width)
    split = lambda t: t.reshape(2, height, width, heads, head_dim).permute(0, 3, 1, 2, 4)  # noqa: E731
    q = rotate_pairs(split(masa.q_proj(x)), sin, cos)
    k = rotate_pairs(split(masa.k_proj(x) / math.sqrt(head_dim)), sin, cos)
    v_full = masa.v_proj(x)
    if mode is MaSAMode.FULL:
        attended = full_masa(q, k, split(v_full), geometry.full_bias(height, width))
    else:
        attended = axial_masa(q, k, split(v_full), geometry.axial_bias(height), geometry.axial_bias(width))
    lepe = masa.lepe.conv(v_full.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
    expected = masa.out_proj(attended.permute(0, 2, 3, 1, 4).reshape(2, height, width, dim) + lepe)
    assert torch.allclose(out, expected, atol=1e-12)


def test_geometry_buffers_are_not_saved() -> None:
    geometry = ManhattanGeometry(2, 32, 2.0, 4.0)
    assert dict(geometry.state_dict()) == {}
    assert geometry.log_decay.shape == (2,) and geometry.frequencies.shape == (16,)
