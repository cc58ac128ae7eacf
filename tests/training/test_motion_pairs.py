"""Motion pairs (`tsfmicro train --motion-pairs N`) and registered pairs (`--register-pairs flow`) in training:
which frames are paired, what the pairs hold, and runs that use them (resumable, checkpoint without the
training-only phase head, the policy stored for the app)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from app.analysis import Predictor
from app.analysis.contract import ModelContract
from app.analysis.pairing import PairingPolicy
from app.core.events import Event
from app.core.events_csv import write_events_csv
from app.training import Trainer
from app.training.crops import VideoCrops
from app.training.motion_pairs import build_motion_pairs, choose_frames
from app.training.samples import load_training_csv
from app.training.spotting import APEX, IGNORE, NONE, OFFSET, ONSET, phase_targets
from app.training.state import partial_path
from conftest import with_
from model import PreprocessCfg, load_checkpoint, preprocess_crops
from test_resume_checkpoint import Interrupt, _assert_same_result
from train_kit import render_clip


def _event(onset, apex, offset, status="accepted"):
    return Event("v.mp4", "s1", f"e{onset}", onset, apex, offset, 30.0, status=status)


def test_frames_chosen_per_event_and_as_many_without():
    events = [_event(20, 24, 30), _event(60, 70, 100)]
    unreviewed = [_event(130, 132, 136, status="suggested")]
    target = phase_targets(160, events, 30.0, unreviewed=unreviewed)
    frames = choose_frames(target, events, per_event=8, lag=5, rng=np.random.default_rng(0))
    active = frames[(target[frames] != NONE)]
    neutral = frames[(target[frames] == NONE)]
    assert set(target[active]) <= {ONSET, APEX, OFFSET} and IGNORE not in target[frames]
    assert len(active) == 16 and len(neutral) == 16  # 8 of each event (both have more), as many neutral
    assert ((active >= 20) & (active <= 30)).sum() == 8 and ((active >= 60) & (active <= 100)).sum() == 8
    assert frames.min() >= 5  # no frame without a reference t − k
    for event in events:  # never the k frames after an event: their pair still spans the event's end
        assert not np.isin(frames, np.arange(event.offset_frame + 1, event.offset_frame + 6)).any()
    assert not np.isin(frames, np.arange(130, 137)).any()  # unreviewed: neither event nor non-event


def test_short_events_give_every_frame(tmp_path):
    events = [_event(10, 12, 14)]
    target = phase_targets(40, events, 30.0)
    frames = choose_frames(target, events, per_event=50, lag=5, rng=np.random.default_rng(1))
    assert list(frames[target[frames] != NONE]) == [10, 11, 12, 13, 14]


@pytest.fixture(scope="module")
def long_clips(tmp_path_factory):
    """Two subjects, one 60-frame clip each with two events and neutral time around them."""
    root = tmp_path_factory.mktemp("long")
    events = []
    for s in range(2):
        video = render_clip(root / "videos" / f"s{s}.mp4", seed=40 + s, n_frames=60).relative_to(root).as_posix()
        events += [Event(video, f"sub{s}", "e1", 12, 15, 20, 30.0, emotion="happiness"),
                   Event(video, f"sub{s}", "e2", 34, 38, 44, 30.0, emotion="surprise")]
    return write_events_csv(root / "train.csv", events)


@pytest.mark.parametrize("register", ["none", "flow"])
def test_motion_pairs_are_the_pairs_the_analysis_forms(long_clips, cache_dir, register):
    """Each pair is (crop[t − k], crop[t]) of the real video through `model.preprocess`, the current crop registered
    exactly as the analysis registers it; its phase is the frame's phase; its subject the video's."""
    data = load_training_csv(long_clips)
    policy = PairingPolicy(0.15, "pre_logits", register=register)
    preprocess = PreprocessCfg(size=64, normalize="local_contrast")
    pairs = build_motion_pairs(data, preprocess, policy, per_event=3, seed=0, cache_dir=cache_dir)
    assert len(pairs) == 24 and pairs.onset.dtype == torch.float16  # 3 per event, as many neutral
    assert set(pairs.phase.tolist()) == {NONE, ONSET, APEX, OFFSET}
    assert set(pairs.subjects) == {e.subject for e in data.events}
    # Re-form one pair by hand: the first video's first chosen active frame.
    video = sorted({e.video for e in data.events})[0]
    events = [e for e in data.events if e.video == video]
    with VideoCrops(data.videos[video], 30.0, cache_dir=cache_dir) as crops:
        target = phase_targets(crops.n_frames, events, 30.0)
        frames = choose_frames(target, events, 3, 5, np.random.default_rng(0))
        t = int(frames[0])
        ref, cur = crops.crop(t - 5), crops.crop(t)
    expected = preprocess_crops([ref, policy.current_crop(ref, cur)], preprocess).half()
    assert torch.equal(pairs.onset[0], expected[0]) and torch.equal(pairs.apex[0], expected[1])
    assert int(pairs.phase[0]) == int(target[t])


def test_a_run_with_motion_pairs_and_registration(tmp_path, dataset, tiny_config):
    """The classifier trains with the phase objective (its loss differs from a plain run's), resumes to the same
    result after an interruption, and the checkpoint holds the classifier alone, with the registered pairing policy
    that the app's Predictor then applies."""
    config = with_(tiny_config, max_folds=1, motion_pairs=4, pair_registration="flow", input_norm="local_contrast")
    whole = Trainer(dataset, tmp_path / "whole.pt", config).run()
    plain = Trainer(dataset, tmp_path / "plain.pt", with_(config, motion_pairs=0)).run()
    assert whole.folds[0].losses != plain.folds[0].losses
    loaded = load_checkpoint(whole.checkpoint)
    assert not any(key.startswith("phase.") for key in loaded.model.state_dict())
    assert ModelContract.of(loaded).pairing.register == "flow"
    assert Predictor.load(whole.checkpoint, device="cpu").pairing.register == "flow"
    assert json.loads(loaded.model_card["train_config"])["motion_pairs"] == 4

    out = tmp_path / "resumed.pt"
    with pytest.raises(KeyboardInterrupt):
        Trainer(dataset, out, config, on_epoch_end=Interrupt("final", -1, 1)).run()
    assert partial_path(out).exists()
    Trainer(dataset, out, config, resume=True).run()
    _assert_same_result(whole.checkpoint, out)


def test_paper_protocol_refuses_the_project_additions(tiny_config):
    with pytest.raises(ValueError, match="motion-pairs"):
        with_(tiny_config, paper_protocol=True, motion_pairs=4)
    with pytest.raises(ValueError, match="register-pairs"):
        with_(tiny_config, paper_protocol=True, pair_registration="flow")
