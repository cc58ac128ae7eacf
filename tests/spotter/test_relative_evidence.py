"""Relative-evidence intervals (`app.analysis.relative_evidence`): a small movement that stands out from the face's
own background is suggested, wherever the face talks; a large one, a long one, or one in the eyes is not."""

from __future__ import annotations

import numpy as np
import pytest

from app.analysis.region_flow import EVIDENCE_REGIONS
from app.analysis.relative_evidence import EvidenceConfig, evidence_runs, relative_score, sensitivity

FPS = 30.0
BROW, CHIN, EYE = (EVIDENCE_REGIONS.index(name) for name in ("brow_l", "chin", "eye_l"))


def _background(n: int = 300, lags: int = 3, seed: int = 0) -> np.ndarray:
    """(n, L, R) go-and-return evidence of a talking face: small noise everywhere, the chin busy at 2–3 % eye span."""
    rng = np.random.default_rng(seed)
    evidence = rng.uniform(0.0, 0.1, (n, lags, len(EVIDENCE_REGIONS)))
    evidence[:, :, CHIN] = rng.uniform(0.0, 3.0, (n, lags))
    return evidence


def _bump(evidence: np.ndarray, region: int, start: int, end: int, height: float) -> np.ndarray:
    """`evidence` with a raised-cosine go-and-return of `height` % eye span in `region` over frames start..end."""
    out = evidence.copy()
    out[start:end + 1, :, region] += height * np.sin(np.linspace(0, np.pi, end - start + 1))[:, None]
    return out


def test_a_brow_movement_on_a_talking_face_is_found_and_speech_is_not():
    evidence = _bump(_background(), BROW, 100, 108, 1.5)
    runs = evidence_runs(evidence, EVIDENCE_REGIONS, FPS)
    assert len(runs) == 1
    run = runs[0]
    assert run.onset <= 102 and run.offset >= 106 and run.offset - run.onset + 1 <= 15  # the movement, widened
    assert run.score >= EvidenceConfig().threshold
    # the chin moves more than the brow, all the time: relative to its own background it does not stand out
    assert evidence_runs(_background(), EVIDENCE_REGIONS, FPS) == []


def test_the_score_is_relative_to_each_region_and_lag():
    evidence = _bump(_background(), BROW, 100, 108, 1.5)
    relative, _, absolute, _ = relative_score(evidence, EVIDENCE_REGIONS, EvidenceConfig(), FPS)
    assert relative.shape == absolute.shape == (300,)
    assert int(np.argmax(relative)) in range(102, 107) and relative.max() > 10
    assert absolute.max() >= 2.5  # the chin is the largest movement, yet not the one that stands out


@pytest.mark.parametrize("case", ["too large", "too long", "in the eyes"])
def test_what_is_not_a_micro_expression_is_not_suggested(case):
    region, end, height = {"too large": (BROW, 108, 8.0), "too long": (BROW, 100 + 30, 1.5),
                           "in the eyes": (EYE, 108, 1.5)}[case]
    evidence = _bump(_background(), region, 100, end, height)
    assert evidence_runs(evidence, EVIDENCE_REGIONS, FPS) == []


def test_missing_measurements_give_nothing_and_bad_settings_are_refused():
    assert evidence_runs(np.full((50, 3, len(EVIDENCE_REGIONS)), np.nan), EVIDENCE_REGIONS, FPS) == []
    assert evidence_runs(np.zeros((0, 3, len(EVIDENCE_REGIONS))), EVIDENCE_REGIONS, FPS) == []
    with np.errstate(all="raise"):  # a stretch without a face (NaN) is skipped, not divided by
        evidence = _bump(_background(), BROW, 100, 108, 1.5)
        evidence[200:240] = np.nan
        assert len(evidence_runs(evidence, EVIDENCE_REGIONS, FPS)) == 1
    with pytest.raises(ValueError, match="relative-evidence"):
        EvidenceConfig(threshold=0)


def test_the_curve_for_plotting_is_half_where_a_run_opens_and_zero_for_large_movements_and_blinks():
    from app.analysis.relative_evidence import as_curve, micro_like_score

    def relative_curve(evidence, regions, config, fps):  # as the learned run plots it beside P(micro)
        return as_curve(micro_like_score(evidence, regions, config, fps), config)

    config = EvidenceConfig()
    evidence = _bump(_background(), BROW, 100, 108, 1.5)
    curve = relative_curve(evidence, EVIDENCE_REGIONS, config, FPS)
    relative, _, _, _ = relative_score(evidence, EVIDENCE_REGIONS, config, FPS)
    assert np.all((0 <= curve) & (curve < 1)) and int(np.argmax(curve)) == int(np.argmax(relative))
    assert np.allclose(curve, relative / (relative + config.threshold))
    large = relative_curve(_bump(_background(), BROW, 100, 108, 8.0), EVIDENCE_REGIONS, config, FPS)
    assert large[104] == 0.0 and large[50] > 0.0
    blink = relative_curve(_bump(_bump(_background(), EYE, 100, 106, 3.0), BROW, 100, 106, 0.6), EVIDENCE_REGIONS,
                           config, FPS)
    assert blink[103] == 0.0


def test_a_blink_that_the_brow_felt_is_not_suggested():
    felt = _bump(_bump(_background(), EYE, 100, 106, 3.0), BROW, 100, 106, 0.6)  # the lid moves 5 x the brow
    assert evidence_runs(felt, EVIDENCE_REGIONS, FPS) == []
    assert len(evidence_runs(felt, EVIDENCE_REGIONS, FPS, EvidenceConfig(eye_ratio=10.0))) == 1
    # a brow raise that carries the lids with it, less than the brow itself, is kept
    raised = _bump(_bump(_background(), EYE, 100, 106, 1.0), BROW, 100, 106, 1.5)
    assert len(evidence_runs(raised, EVIDENCE_REGIONS, FPS)) == 1


def test_sensitivity_is_the_smallest_movement_that_stands_out_and_says_when_none_can():
    config = EvidenceConfig()
    seen = sensitivity(_bump(_background(), BROW, 100, 108, 1.5), EVIDENCE_REGIONS, config, FPS)
    # the quietest region's background (97th percentile of 0-0.1 % eye span) times the opening threshold; one
    # micro-expression in the brow does not move it, and the busy chin is not the quietest
    assert seen is not None and not seen.blind
    assert 0.9 * config.threshold * 0.097 <= seen.floor <= 1.1 * config.threshold * 0.1
    assert seen.region not in ("chin", "eye_l", "eye_r")
    assert f"{seen.floor:.2f} % of an eye span" in seen.describe()
    # every region moving up to 2 % all the time: nothing under the 5 % micro limit can stand out 4 times over
    rng = np.random.default_rng(1)
    busy = sensitivity(rng.uniform(0.0, 2.0, (300, 3, len(EVIDENCE_REGIONS))), EVIDENCE_REGIONS, config, FPS)
    assert busy.blind and busy.floor > config.max_evidence
    assert "cannot see faint micro-expressions" in busy.describe() and "by eye" in busy.describe()
    assert busy.as_dict()["blind"] is True and busy.as_dict()["floor_pct_eye_span"] == busy.floor
    # the eyes are left out: blinking eyes on a quiet face change nothing
    blinking = _background()
    blinking[:, :, EYE] = rng.uniform(0.0, 9.0, (300, 3))
    assert sensitivity(blinking, EVIDENCE_REGIONS, config, FPS).floor == sensitivity(_background(), EVIDENCE_REGIONS,
                                                                                      config, FPS).floor
    assert sensitivity(np.zeros((0, 3, len(EVIDENCE_REGIONS))), EVIDENCE_REGIONS, config, FPS) is None
    assert sensitivity(np.full((50, 3, len(EVIDENCE_REGIONS)), np.nan), EVIDENCE_REGIONS, config, FPS) is None


def _quiet_then_loud(n: int = 1800, seed: int = 2) -> np.ndarray:
    """(n, L, R) a minute of a face that listens quietly (every region 0-0.1 % eye span) for 30 s, then talks and
    moves (every region 0-2 %) for 30 s: an interview's pace."""
    rng = np.random.default_rng(seed)
    evidence = rng.uniform(0.0, 0.1, (n, 3, len(EVIDENCE_REGIONS)))
    evidence[n // 2:] = rng.uniform(0.0, 2.0, (n - n // 2, 3, len(EVIDENCE_REGIONS)))
    return evidence


def test_a_quiet_stretch_is_measured_against_quiet_stretches_not_the_loud_ones():
    evidence = _bump(_quiet_then_loud(), BROW, 400, 408, 0.8)  # faint next to the talking, plain while listening
    by_stretch, whole = EvidenceConfig(), EvidenceConfig(stretch_ratio=0.0)
    runs = evidence_runs(evidence, EVIDENCE_REGIONS, FPS, by_stretch)
    assert len(runs) == 1 and runs[0].onset <= 402 and runs[0].offset >= 406
    assert evidence_runs(evidence, EVIDENCE_REGIONS, FPS, whole) == []  # the whole minute's background hides it
    # and the loud stretch is still read against itself: its own motion does not stand out
    assert all(run.onset < 900 for run in runs)
    # where the pace does not change, reading it per stretch changes nothing
    steady = _bump(_background(n=1800), BROW, 400, 408, 1.5)
    for function in (relative_score, sensitivity):
        assert repr(function(steady, EVIDENCE_REGIONS, by_stretch, FPS)) == repr(
            function(steady, EVIDENCE_REGIONS, whole, FPS))
    # the floor of the median frame: a face that listens half the time and talks half is not called blind
    assert sensitivity(evidence, EVIDENCE_REGIONS, whole, FPS).blind
    seen = sensitivity(evidence, EVIDENCE_REGIONS, by_stretch, FPS)
    assert not seen.blind and 0.45 <= seen.blind_share <= 0.55  # ... but says where it is
    assert "but cannot see faint micro-expressions in 50 % of the frames" in seen.describe()
    assert seen.brief().endswith("not in 50 % of the frames") and seen.as_dict()["blind_share"] == seen.blind_share
    # mostly loud: blind, and the warning names the share
    mostly_loud = _quiet_then_loud()[::-1][:1350]  # 30 s of talking, then 15 s of listening
    loud = sensitivity(mostly_loud, EVIDENCE_REGIONS, by_stretch, FPS)
    assert loud.blind and 0.6 <= loud.blind_share <= 0.72
    assert f"cannot see faint micro-expressions in {loud.blind_share:.0%}".replace("%", " %") in loud.describe()
    assert loud.describe().endswith("review those stretches by eye") and "of the frames" in loud.brief()
    with pytest.raises(ValueError, match="relative-evidence"):
        EvidenceConfig(stretch_ratio=1.0)
