"""Predictor: device choice, checkpoint errors, the reference/pair split, the pair classifier, OOM fallback."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from .analysis_testkit import TINY_CLASSES, make_tiny_parts
from app.analysis import (AnalysisConfig, DeviceError, DeviceFallbackWarning, PairingPolicy, Predictor,
                          analyse_results, select_device)
from app.analysis.contract import ModelContract
from model import CheckpointError, PreprocessCfg, SpottingHead, SpottingHeadCfg, save_checkpoint

NO_CUDA = not torch.cuda.is_available()


# ------------------------------------------------------------------------------------------------- devices

def test_explicit_cpu():
    assert select_device("cpu") == torch.device("cpu")
    assert select_device(" CPU ") == torch.device("cpu")


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert select_device(None) == torch.device("cpu") == select_device("auto")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert select_device(None) == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert select_device("auto") == torch.device("cuda")


@pytest.mark.skipif(not NO_CUDA, reason="this machine has CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error(tiny_checkpoint):
    with pytest.raises(DeviceError, match="CUDA is not available.*--device cpu"):
        select_device("cuda")
    with pytest.raises(DeviceError, match="'cuda:1'"):
        select_device("cuda:1")
    with pytest.raises(DeviceError):
        Predictor.load(tiny_checkpoint, device="cuda")


def test_unknown_device_and_unavailable_mps(monkeypatch):
    with pytest.raises(DeviceError, match="unknown device 'gpu0'"):
        select_device("gpu0")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="MPS is not available"):
        select_device("mps")


def test_threads_are_set_explicitly(tiny_checkpoint):
    before = torch.get_num_threads()
    try:
        predictor = Predictor.load(tiny_checkpoint, device="cpu", threads=1)
        assert predictor.threads == 1 and torch.get_num_threads() == 1
        assert predictor.describe()["device"] == "cpu" and predictor.describe()["autocast_bf16"] is False
    finally:
        torch.set_num_threads(before)


# ------------------------------------------------------------------------------------------- checkpoints

def _save(path, model, head, contract=None):
    return save_checkpoint(path, model, model_name="tsfmicro_tiny", class_names=TINY_CLASSES,
                           preprocess=PreprocessCfg(size=model.cfg.input_size),
                           contract=None if contract is None else contract.to_dict(), model_card={},
                           spotting_head=head)


def _as_schema_2(path, **strings):
    """Rewrite a saved checkpoint as a schema 2 file, whose preprocess held the contract as JSON strings."""
    payload = torch.load(path, weights_only=True)
    payload["schema_version"] = 2
    payload.pop("contract", None)
    payload["preprocess"].update(strings)
    torch.save(payload, path)
    return path


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere.pt"
    with pytest.raises(CheckpointError, match="file not found") as info:
        Predictor.load(path, device="cpu")
    assert str(path) in str(info.value)


def test_corrupt_file_names_the_file(tmp_path, tiny_checkpoint):
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(tiny_checkpoint.read_bytes()[:5000])
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00not a checkpoint" * 100)
    for path in (truncated, garbage):
        with pytest.raises(CheckpointError) as info:
            Predictor.load(path, device="cpu")
        assert str(path) in str(info.value)


def test_mismatched_head_is_refused(tmp_path):
    model, _ = make_tiny_parts()
    wrong = SpottingHead(SpottingHeadCfg(embed_dim=100))
    path = _save(tmp_path / "wrong_head.pt", model, wrong)
    with pytest.raises(CheckpointError, match="100-d embeddings") as info:
        Predictor.load(path, device="cpu")
    assert str(path) in str(info.value)
    fused = _save(tmp_path / "wrong_kind.pt", model, SpottingHead(SpottingHeadCfg(embed_dim=128)),
                  ModelContract(pairing=PairingPolicy(embedding="fused_mean")))
    with pytest.raises(CheckpointError, match="fused_mean embedding is 64-d"):
        Predictor.load(fused, device="cpu")


def test_bad_pairing_policy_and_missing_head(tmp_path):
    model, head = make_tiny_parts()
    bad = _as_schema_2(_save(tmp_path / "bad_policy.pt", model, head), pairing_policy="every other frame")
    with pytest.raises(CheckpointError, match="pairing_policy is not JSON"):
        Predictor.load(bad, device="cpu")
    headless = _save(tmp_path / "headless.pt", model, None)
    with pytest.raises(CheckpointError, match="no spotting head") as info:
        Predictor.load(headless, device="cpu")
    assert str(headless) in str(info.value)
    assert Predictor.load(headless, device="cpu", require_head=False).head is None  # enough for classify_interval


def test_fused_mean_embedding_is_inferred_from_the_head(tmp_path, demo_results):
    model, _ = make_tiny_parts()
    path = _save(tmp_path / "fused.pt", model, SpottingHead(SpottingHeadCfg(embed_dim=64)))
    predictor = Predictor.load(path, device="cpu", threads=1)
    assert predictor.embedding_kind.value == "fused_mean" and predictor.embedding_dim == 64
    chunks = list(analyse_results(demo_results[:20], predictor, 30.0, AnalysisConfig.for_mode("full")))
    assert np.isfinite(chunks[0].probs).all()


# -------------------------------------------------------------------------------------- model split, outputs

def test_embeddings_equal_the_models_own(predictor, demo_results):
    tensors = predictor.preprocess([r.crop for r in demo_results[:10]])
    onset, apex = tensors[:5], tensors[5:]
    ours = predictor.embed_pairs(onset, predictor.reference_features(onset), apex)
    with torch.inference_mode():
        theirs = predictor.model.forward_embedding(onset, apex)
    assert ours.shape == (5, 128)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_classify_interval(predictor, demo_results):
    onset, apex = demo_results[10].crop, demo_results[16].crop
    probs = predictor.classify_interval(onset, apex)
    assert list(probs) == list(TINY_CLASSES)
    assert abs(sum(probs.values()) - 1.0) < 1e-5
    tensors = predictor.preprocess([onset, apex])
    with torch.inference_mode():
        expected = torch.softmax(predictor.model(tensors[:1], tensors[1:]), dim=-1)[0]
    np.testing.assert_allclose(list(probs.values()), expected.numpy(), atol=1e-6)


# -------------------------------------------------------------------------------------------- OOM fallback

def _fake_gpu_oom(predictor, monkeypatch) -> list:
    """Pretend `predictor` is on CUDA and make its per-batch forwards raise `torch.OutOfMemoryError` while it
    still believes so; returns the list of (device type, batch size) tried."""
    tried = []

    def fake(real):
        def forward(*batch):
            tried.append((predictor.device.type, batch[0].shape[0]))
            if predictor.device.type == "cuda":
                raise torch.OutOfMemoryError("CUDA out of memory (fake)")
            return real(*batch)

        return forward

    monkeypatch.setattr(predictor, "_reference_batch", fake(predictor._reference_batch))
    monkeypatch.setattr(predictor, "_embed_batch", fake(predictor._embed_batch))
    predictor.device = torch.device("cuda")  # pretend; the model itself stays on the CPU
    predictor.batch_size = 4
    return tried


def _fallback_messages(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, DeviceFallbackWarning)]


def test_out_of_memory_falls_back_to_smaller_batches_then_cpu(predictor, demo_results, monkeypatch):
    """FAKE: this machine has no GPU, so a real CUDA out-of-memory cannot happen here. The predictor is told it
    is on "cuda" and its per-batch forwards (reference branch, pair embedding) are replaced by ones that raise
    `torch.OutOfMemoryError` whenever the predictor still believes it is on the GPU. Expected: a warning and a
    retry at batch 4 → 2 → 1, then a move to the CPU, where the real forward runs and gives the normal result."""
    onset = predictor.preprocess([r.crop for r in demo_results[:8]])
    expected = predictor.reference_features(onset)
    tried = _fake_gpu_oom(predictor, monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = predictor.reference_features(onset)
    assert _fallback_messages(caught) == [
        "out of memory on cuda at batch 4; retrying at batch 2",
        "out of memory on cuda at batch 2; retrying at batch 1",
        "out of memory on cuda even at batch 1; continuing on the CPU (slower)",
    ]
    assert tried == [("cuda", 4), ("cuda", 2), ("cuda", 1), ("cpu", 4), ("cpu", 4)]
    assert predictor.device.type == "cpu" and predictor.fallbacks == _fallback_messages(caught)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)


def test_out_of_memory_during_an_analysis_moves_it_to_the_cpu(predictor, demo_results, monkeypatch):
    """FAKE (no GPU here), as above, inside the chunked analysis: the first model call (frame 0's reference
    features, a batch of one) fails on the pretend GPU, the run moves to the CPU with a warning, and the curves
    equal those of a normal CPU run."""
    results = demo_results[:30]
    config = AnalysisConfig.for_mode("full", chunk_size=10)
    expected = np.concatenate([c.probs for c in analyse_results(results, predictor, 30.0, config)])
    _fake_gpu_oom(predictor, monkeypatch)
    with pytest.warns(DeviceFallbackWarning, match="even at batch 1; continuing on the CPU"):
        got = np.concatenate([c.probs for c in analyse_results(results, predictor, 30.0, config)])
    assert predictor.device.type == "cpu"
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_out_of_memory_on_cpu_at_batch_one_is_raised(predictor, monkeypatch):
    def always_oom(*batch):
        raise torch.OutOfMemoryError("out of memory (fake)")

    monkeypatch.setattr(predictor, "_embed_batch", always_oom)
    predictor.batch_size = 2
    x = torch.zeros(3, 3, 64, 64)
    with pytest.warns(DeviceFallbackWarning, match="retrying at batch 1"), pytest.raises(torch.OutOfMemoryError):
        predictor.embed_pairs(x, x, x)
