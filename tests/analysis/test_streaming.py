"""The analysis generator on real decoded video with the real face pipeline and the tiny model on the CPU."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from .analysis_testkit import counting, cycled
from app.analysis import AnalysisConfig, FrameAnalyzer, analyse_results, analyse_video
from app.media import open_video


def _concat(chunks, name):
    return np.concatenate([getattr(c, name) for c in chunks])


@pytest.mark.parametrize("mode", ["full", "fast"])
def test_chunked_stream_equals_one_pass(predictor, demo_results, mode):
    """Chunks of 7 frames (state carried by the ring buffer, the gate and the head) give the curves of one
    120-frame pass to 1e-6."""
    results = demo_results[:120]
    one = list(analyse_results(results, predictor, 30.0, AnalysisConfig.for_mode(mode, chunk_size=120)))
    many = list(analyse_results(results, predictor, 30.0, AnalysisConfig.for_mode(mode, chunk_size=7)))
    assert len(one) == 1 and len(many) == 18
    assert [(c.start, c.stop) for c in many] == [(s, min(s + 7, 120)) for s in range(0, 120, 7)]
    for name in ("analysed", "face_ok", "face_found"):
        assert np.array_equal(_concat(one, name), _concat(many, name))
    np.testing.assert_allclose(_concat(many, "motion"), _concat(one, "motion"), rtol=0, atol=1e-6)
    np.testing.assert_allclose(_concat(many, "probs"), _concat(one, "probs"), rtol=0, atol=1e-6)
    assert 0 < _concat(one, "analysed").sum() <= 120


def test_cancel_stops_within_one_chunk(predictor, demo_results):
    """An Event set while chunk 2 is being handled: no further chunk is produced and no further frame is pulled
    from the face pipeline."""
    cancel, pulled = threading.Event(), [0]
    stream = analyse_results(counting(demo_results, pulled), predictor, 30.0,
                             AnalysisConfig.for_mode("full", chunk_size=16), cancel=cancel)
    received = []
    for chunk in stream:
        received.append(chunk)
        if len(received) == 2:
            cancel.set()
    assert [c.start for c in received] == [0, 16]
    assert pulled[0] == 32


def test_cancel_callable_on_a_real_video(predictor, face_pipeline):
    """A callable that turns true once three chunks came out: those three, whole, and no more."""
    from app.resources import demo_video_path

    received = []
    with open_video(demo_video_path()) as source:
        for chunk in analyse_video(source, predictor, AnalysisConfig.for_mode("fast", chunk_size=32),
                                   face_pipeline=face_pipeline, cancel=lambda: len(received) >= 3):
            received.append(chunk)
    assert [c.start for c in received] == [0, 32, 64]


def test_cancel_lands_between_the_models_batches_inside_a_chunk(predictor, demo_results, monkeypatch):
    """A slow model (a large chunk, one pair a batch): cancelled after three batches of the first chunk, the run
    ends there — no chunk, no fourth batch — instead of finishing the chunk (the window waits for that on close)."""
    monkeypatch.setattr(predictor, "batch_size", 1)
    batches = []
    real_embed = predictor.embed_pairs
    monkeypatch.setattr(predictor, "embed_pairs", lambda *a: batches.append(1) or real_embed(*a))
    chunks = list(analyse_results(demo_results[:64], predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=64),
                                  cancel=lambda: len(batches) >= 3))
    assert chunks == [] and len(batches) == 3
    # not cancelled, the same chunk analyses every pair
    batches.clear()
    whole = list(analyse_results(demo_results[:64], predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=64)))
    assert len(whole) == 1 and len(batches) == whole[0].analysed.sum() > 3


def test_bad_face_frames_give_nan(predictor, face_pipeline, gap_clip):
    """A real clip with 12 faceless grey frames in the middle: those frames (and any frame the face pipeline rates
    not ok) get NaN probabilities and are never analysed; every ok frame gets a finite distribution."""
    with open_video(gap_clip) as source:
        chunks = list(analyse_video(source, predictor, AnalysisConfig.for_mode("full"), face_pipeline=face_pipeline))
    probs, ok, found = _concat(chunks, "probs"), _concat(chunks, "face_ok"), _concat(chunks, "face_found")
    analysed = _concat(chunks, "analysed")
    assert len(probs) == 162
    assert not found[90:102].any() and not ok[90:102].any()
    assert np.isnan(probs[~ok]).all()
    assert np.isfinite(probs[ok]).all()
    np.testing.assert_allclose(probs[ok].sum(axis=1), 1.0, atol=1e-5)
    assert not analysed[~ok].any()
    # the first frames after the gap have no good reference 5 frames back: face ok, but no pair, not analysed
    first_back = 102 + int(np.argmax(ok[102:]))
    assert not analysed[first_back : first_back + 5].any() and ok[first_back]
    assert np.isnan(_concat(chunks, "motion")[first_back : first_back + 5]).all()


def test_analysed_mask_is_honoured(predictor, demo_results, monkeypatch):
    """Fast mode: the model embeds exactly the analysed frames, the head gets valid = 1 there and 0 elsewhere
    (with zero embeddings), and analysed frames always have a good face."""
    heads, embedded = [], [0]
    real_head, real_embed = predictor.run_head, predictor.embed_pairs

    def head_spy(x, valid, fps, state):
        heads.append((x.clone(), valid.clone()))
        return real_head(x, valid, fps, state)

    def embed_spy(onset, ref, apex):
        embedded[0] += onset.shape[0]
        return real_embed(onset, ref, apex)

    monkeypatch.setattr(predictor, "run_head", head_spy)
    monkeypatch.setattr(predictor, "embed_pairs", embed_spy)
    chunks = list(analyse_results(demo_results, predictor, 30.0, AnalysisConfig.for_mode("fast")))
    analysed = _concat(chunks, "analysed")
    valid = torch.cat([v for _, v in heads]).numpy()
    x = torch.cat([x for x, _ in heads])
    assert np.array_equal(valid, analysed)
    assert embedded[0] == analysed.sum()
    assert torch.all(x[~torch.from_numpy(analysed)] == 0)
    assert 0.05 < analysed.mean() < 0.5  # a fraction, not all, not none
    assert not (analysed & ~_concat(chunks, "face_ok")).any()


def test_explicit_stride(predictor, demo_results):
    chunks = list(analyse_results(demo_results[:60], predictor, 30.0, AnalysisConfig.for_mode("full", stride=3)))
    analysed = np.flatnonzero(_concat(chunks, "analysed"))
    assert set(analysed) <= set(range(0, 60, 3)) and len(analysed) >= 15


def test_reference_work_is_done_once_per_frame(predictor, demo_results, monkeypatch):
    """Full mode: every frame is preprocessed once (as current frame, then reused as reference) and its reference
    features are computed once."""
    pre, ref = [0], [0]
    real_pre, real_ref = predictor.preprocess, predictor.reference_features
    monkeypatch.setattr(predictor, "preprocess", lambda crops: (pre.__setitem__(0, pre[0] + len(crops)), real_pre(crops))[1])
    monkeypatch.setattr(predictor, "reference_features",
                        lambda onset: (ref.__setitem__(0, ref[0] + onset.shape[0]), real_ref(onset))[1])
    results = demo_results[:100]
    chunks = list(analyse_results(results, predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=16)))
    assert _concat(chunks, "analysed").all()
    assert pre[0] == 100  # each frame once
    assert ref[0] == 95  # frames 0..94 are references (frame 0 for t = 0..5)


def _held_bytes(analyzer: FrameAnalyzer) -> int:
    total = 0
    for entry in analyzer.ring:
        for value in (entry.crop, entry.thumb, entry.tensor, entry.ref_features):
            if value is not None:
                total += value.nbytes if isinstance(value, np.ndarray) else value.element_size() * value.nelement()
    for layer in analyzer.head_state.layers:
        total += layer.kv.element_size() * layer.kv.nelement() + layer.normaliser.element_size() * layer.normaliser.nelement()
    return total


@pytest.mark.parametrize("mode, frames", [("full", 320), ("fast", 640)])
def test_memory_is_constant_over_a_long_stream(predictor, demo_results, mode, frames):
    """Hundreds of frames in chunks of 32: between chunks only the last k frames (crop, thumbnail, at most one model input
    and one set of reference features each) and the fixed-size head state are held, so the bytes held are bounded
    by the same figure at frame 64 as at the end; nothing accumulates per frame."""
    config = AnalysisConfig.for_mode(mode, chunk_size=32)
    analyzer = FrameAnalyzer(predictor, 30.0, config)
    held = []
    for chunk in analyse_results(cycled(demo_results, frames), predictor, 30.0, config, analyzer=analyzer):
        assert len(analyzer.ring) == analyzer.lag == 5
        held.append(_held_bytes(analyzer))
        assert chunk.head_state.layers[0].kv.shape == (1, 4, 32, 32)
    assert len(held) == frames // 32
    size = predictor.input_size
    ref_bytes = 4 * predictor.reference_features(torch.zeros(1, 3, size, size))[0].nelement()
    per_entry = 224 * 224 * 3 + 24 * 24 * 4 + 3 * size * size * 4 + ref_bytes
    state = sum(4 * (layer.kv.nelement() + layer.normaliser.nelement()) for layer in analyzer.head_state.layers)
    assert max(held) <= analyzer.lag * per_entry + state
    assert min(held[2:]) >= analyzer.lag * 224 * 224 * 3  # the k crops really are held
