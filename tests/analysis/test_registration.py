"""Pair registration (app.analysis.registration) on real aligned crops of the demo video, and the registered pairing
through the analysis, the spotting-head embeddings and interval classification."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import torch

from app.analysis import AnalysisConfig, Predictor, analyse_results
from app.analysis.pairing import PairingPolicy
from app.analysis.registration import crop_motion, register_crop
from app.face.align import apply_transform

SIZE = 224
FACE = (slice(60, 190), slice(60, 165))  # rows, columns of the canonical face area in a 224 px crop


def _crop(demo_results, index: int = 40) -> np.ndarray:
    crop = demo_results[index].crop
    assert crop is not None and crop.shape == (SIZE, SIZE, 3)
    return crop


def _moved(crop: np.ndarray, dx: float, dy: float, degrees: float, scale: float) -> np.ndarray:
    matrix = cv2.getRotationMatrix2D((SIZE / 2, SIZE / 2), degrees, scale)
    matrix[:, 2] += (dx, dy)
    return cv2.warpAffine(crop, matrix, (SIZE, SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _bump(crop: np.ndarray, centre: tuple[float, float], shift: tuple[float, float], sigma: float) -> np.ndarray:
    """A local displacement (Gaussian fall-off) like a synthetic action unit: pixels near `centre` move by `shift`."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    weight = np.exp(-((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2) / (2 * sigma ** 2))
    return cv2.remap(crop, xs - shift[0] * weight, ys - shift[1] * weight, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def _error(a: np.ndarray, b: np.ndarray, area=FACE) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64))[area].mean())


MOTIONS = [(1.7, -1.2, 1.0, 1.02), (-3.0, 2.0, -1.5, 0.98), (0.6, 0.4, 0.0, 1.0)]


@pytest.mark.parametrize("motion", MOTIONS)
def test_a_known_head_motion_is_measured(demo_results, motion):
    """The current crop moved by a shift / rotation / zoom of the size the stabiliser leaves: the measured motion
    maps every face pixel within 0.1 px of where the known motion puts it."""
    ref = _crop(demo_results)
    known = cv2.getRotationMatrix2D((SIZE / 2, SIZE / 2), motion[2], motion[3])
    known[:, 2] += motion[:2]
    measured = crop_motion(ref, _moved(ref, *motion))
    ys, xs = np.mgrid[FACE[0], FACE[1]]
    points = np.column_stack([xs.ravel(), ys.ravel()]).astype(np.float64)
    error = np.hypot(*(apply_transform(measured, points) - apply_transform(known, points)).T)
    assert error.max() < 0.1


@pytest.mark.parametrize("motion", MOTIONS[:2])
def test_a_known_head_motion_is_undone(demo_results, motion):
    """Registered onto the reference, the moved crop differs from it by interpolation blur only: a fifth of the
    unregistered difference or less."""
    ref = _crop(demo_results)
    cur = _moved(ref, *motion)
    assert _error(ref, register_crop(ref, cur)) < 0.2 * _error(ref, cur)


def test_identical_crops_stay_as_they_are(demo_results):
    ref = _crop(demo_results)
    assert np.abs(register_crop(ref, ref.copy()).astype(int) - ref.astype(int)).max() <= 1


def test_a_local_expression_survives_registration(demo_results):
    """A 3 px local movement at a mouth corner on top of head motion: registration removes the head motion (the
    face away from the movement matches the reference) and keeps the movement (its difference is as strong as the
    movement's own, without head motion)."""
    ref = _crop(demo_results)
    corner, sigma = (85.0, 150.0), 9.0
    expression = _bump(ref, corner, (-3.0, -1.5), sigma)
    cur = _moved(expression, 1.5, -1.0, 0.8, 1.015)
    registered = register_crop(ref, cur)
    around = (slice(int(corner[1] - 2 * sigma), int(corner[1] + 2 * sigma)),
              slice(int(corner[0] - 2 * sigma), int(corner[0] + 2 * sigma)))
    elsewhere = (slice(60, 110), slice(120, 165))  # the other eye and cheek, far from the corner
    assert _error(ref, registered, elsewhere) < 0.3 * _error(ref, cur, elsewhere)
    assert _error(ref, registered, around) > 0.7 * _error(ref, expression, around)


def test_pairing_policy_carries_registration():
    assert "register" not in PairingPolicy().to_json()  # provenance written as before registration existed
    with pytest.raises(ValueError, match="register"):
        PairingPolicy(register="ecc")


def test_policy_without_registration_returns_the_crop_itself(demo_results):
    ref, cur = _crop(demo_results, 40), _crop(demo_results, 45)
    assert PairingPolicy().current_crop(ref, cur) is cur


@pytest.fixture
def registered_predictor(tiny_checkpoint) -> Predictor:
    plain = Predictor.load(tiny_checkpoint, device="cpu", threads=1, batch_size=4)
    return Predictor(plain.model, plain.head, class_names=plain.class_names,
                     preprocess=plain.preprocess_cfg, pairing=dataclasses.replace(plain.pairing, register="flow"),
                     device="cpu", threads=1, batch_size=4)


def test_registered_analysis_streams_like_one_pass(registered_predictor, demo_results):
    results = demo_results[:60]
    one = list(analyse_results(results, registered_predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=60)))
    many = list(analyse_results(results, registered_predictor, 30.0, AnalysisConfig.for_mode("full", chunk_size=7)))
    probs = np.concatenate([c.probs for c in many])
    np.testing.assert_allclose(probs, one[0].probs, rtol=0, atol=1e-6)


def test_registered_pairs_are_the_same_in_training_and_analysis(registered_predictor, predictor, demo_results):
    """The per-frame embedding the spotting head trains on (training.spotting.video_embeddings) equals the one the
    analysis computes for the same registered pair, and differs from the unregistered pair's."""
    from app.analysis.pairing import FrameEntry
    from app.analysis.pipeline import FrameAnalyzer
    from app.training.spotting import video_embeddings

    class Crops:  # the VideoCrops interface over the demo's face results
        n_frames = 30

        def iter_crops(self):
            for r in demo_results[:30]:
                yield r.index, r.crop, bool(r.ok and r.crop is not None)

    x, valid = video_embeddings(registered_predictor, Crops(), lag=5)
    analyzer = FrameAnalyzer(registered_predictor, 30.0, AnalysisConfig.for_mode("full"))
    t = 20
    assert valid[t]
    ref, cur = (analyzer._entry(demo_results[i]) for i in (t - 5, t))
    assert isinstance(ref, FrameEntry)
    embedding = analyzer._embed([(ref, cur)])[0]
    np.testing.assert_allclose(x[t].numpy(), embedding.numpy(), rtol=0, atol=1e-5)
    plain, _ = video_embeddings(predictor, Crops(), lag=5)
    assert (plain[t] - x[t]).abs().max() > 100 * (x[t] - embedding).abs().max()


def test_interval_classification_registers_the_apex(registered_predictor, demo_results, monkeypatch):
    """classify_interval(onset, apex) gives the classifier the onset crop and the apex crop registered onto it."""
    onset, apex = _crop(demo_results, 40), _moved(_crop(demo_results, 40), 2.0, -1.0, 1.0, 1.01)
    seen = []
    real = registered_predictor.classify_pairs
    monkeypatch.setattr(registered_predictor, "classify_pairs", lambda a, b: seen.append((a, b)) or real(a, b))
    registered_predictor.classify_interval(onset, apex)
    expected = registered_predictor.preprocess([onset, register_crop(onset, apex)])
    assert torch.equal(seen[0][0], expected[:1]) and torch.equal(seen[0][1], expected[1:])
