"""Training data: CSV → events → aligned crop pairs; classes; re-selection; augmentation; clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from app.training.augment import augment_pairs, scaled_padding
from app.training.classes import parse_classes
from app.training.reselect import candidate_offsets, difference_norm, reselect, window
from app.training.samples import TrainingDataError, build_samples, class_counts, load_training_csv
from train_kit import tsfmicro


def test_samples_from_rendered_videos_skip_and_report_a_missing_face(dataset, cache_dir):
    data = load_training_csv(dataset)
    assert len(data.events) == 16 and len(data.videos) == 8
    classes = parse_classes(None, {e.emotion for e in data.events})
    assert classes.names == ("happiness", "others", "surprise")
    logged = []
    samples, skipped = build_samples(data, classes, reselect_mode="fixed", cache_dir=cache_dir, log=logged.append)
    assert len(samples) == 15
    (miss,) = skipped
    assert miss.video.name == "s1_c1.mp4" and miss.event_id == "e2" and "no face found at onset frame 12" in miss.reason
    assert any("s1_c1.mp4: event e2: no face" in line for line in logged)
    for s in samples:
        assert s.onset.shape == s.apex.shape == (224, 224, 3) and s.onset.dtype == np.uint8
        assert s.event.onset_frame <= s.onset_frame and s.apex_frame <= s.event.apex_frame
    assert sum(class_counts(samples, classes).values()) == 15
    assert {s.subject for s in samples} == {"sub01", "sub02", "sub03", "sub04"}


def test_class_sets_lists_and_mappings():
    present = {"happiness", "disgust", "repression", "surprise", "others", "none"}
    assert parse_classes(None, present).names == ("disgust", "happiness", "others", "repression", "surprise")
    three = parse_classes("positive=happiness;surprise;negative=disgust,repression,fear,sadness", present)
    assert three.names == ("positive", "surprise", "negative")
    assert [three.label(e) for e in ("happiness", "surprise", "fear", "others")] == [0, 1, 2, None]
    assert three.describe() == "positive=happiness; surprise; negative=disgust,fear,repression,sadness"
    assert parse_classes("surprise,happiness", present).label("happiness") == 1
    with pytest.raises(ValueError, match="assigned to both"):
        parse_classes("a=happiness;b=happiness", present)
    with pytest.raises(ValueError, match="not an emotion"):
        parse_classes("joy,happiness", present)


def test_reselection_window_order_wraparound_and_ties():
    assert window(46, 76) == 1 and window(0, 5) == 0 and window(10, 4) == 0  # int(0.15·30/4); apex < onset
    assert candidate_offsets(1) == [(0, 0), (1, 0), (1, 1), (0, 1)]
    dark, bright = np.full((4, 4, 3), 10, np.uint8), np.full((4, 4, 3), 250, np.uint8)
    assert difference_norm(bright, dark, "faithful") == pytest.approx(np.sqrt(48) * 16)  # (10 − 250) mod 256 = 16
    assert difference_norm(bright, dark, "fixed") == pytest.approx(np.sqrt(48) * 240)
    frames = {0: dark, 1: bright, 29: dark, 30: dark}
    crop = frames.get
    assert reselect(0, 30, crop, "off") == (0, 30)
    assert reselect(0, 30, crop, "fixed") == (1, 30)  # r = 1: (onset + 1, apex) differs most
    same = {i: dark for i in range(31)}
    assert reselect(0, 30, same.get, "fixed") == (0, 30)  # all tie: the annotated pair wins


def test_augmentation_is_shared_by_both_frames_and_repeatable():
    stack = torch.randn(4, 3, 16, 16).repeat(1, 2, 1, 1)  # onset == apex
    a = augment_pairs(stack, torch.Generator().manual_seed(1), 3.0, 2)
    b = augment_pairs(stack, torch.Generator().manual_seed(1), 3.0, 2)
    assert a.shape == stack.shape and torch.equal(a, b)
    assert torch.equal(a[:, :3], a[:, 3:])  # the same flip, angle and crop for onset and apex
    assert scaled_padding(15, 224) == 15 and scaled_padding(15, 64) == 4
    no_op = augment_pairs(stack, torch.Generator().manual_seed(0), 0.0, 0)
    assert all(torch.equal(n, s) or torch.equal(n, s.flip(-1)) for n, s in zip(no_op, stack))


def test_bad_inputs_give_a_clear_message_naming_the_file(tmp_path, dataset):
    missing = tsfmicro("train", tmp_path / "nope.csv", "--out", tmp_path / "m.pt")
    assert missing.returncode == 2 and "nope.csv: file not found" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("video,subject,event_id,onset_frm\nv.mp4,s1,e1,3\n")
    run = tsfmicro("train", bad, "--out", tmp_path / "m.pt")
    assert run.returncode == 2 and "bad.csv" in run.stderr and "onset_frame" in run.stderr
    assert "Traceback" not in run.stderr
    text = dataset.read_text().replace("videos/s0_c0.mp4", "videos/gone.mp4")
    (tmp_path / "videos").symlink_to(dataset.parent / "videos")
    gone = tmp_path / "gone.csv"
    gone.write_text(text)
    with pytest.raises(TrainingDataError, match=r"gone\.csv.*rejected"):
        load_training_csv(gone)
    run = tsfmicro("train", gone, "--out", tmp_path / "m.pt")
    assert run.returncode == 2 and "gone.mp4" in run.stderr and "--skip-invalid" in run.stderr
    data = load_training_csv(gone, skip_invalid=True)
    assert len(data.events) == 14 and any("gone.mp4" in note for note in data.notes)


def test_appearance_augmentation_keeps_the_pair_aligned_and_changes_only_what_it_should():
    from app.training.augment import augment_appearance

    stack = torch.randn(8, 3, 32, 32).repeat(1, 2, 1, 1)  # onset == apex
    assert torch.equal(augment_appearance(stack, torch.Generator().manual_seed(0), 0.0), stack)  # off: untouched
    a = augment_appearance(stack, torch.Generator().manual_seed(1), 1.0)
    b = augment_appearance(stack, torch.Generator().manual_seed(1), 1.0)
    assert torch.equal(a, b) and not torch.allclose(a, stack)
    # Colour, contrast, blur and greyscale are shared by both frames: onset and apex differ only by sensor noise.
    difference = (a[:, :3] - a[:, 3:]).std(dim=(1, 2, 3))
    assert float(difference.max()) < 0.2 < float((a - stack).abs().mean())


def test_shape_augmentation_warps_both_frames_alike_within_its_bounds_and_keeps_the_motion():
    from skimage.data import astronaut

    from app.training.augment import SHAPE_DISPLACEMENT, SHAPE_SCALE, augment_shape

    face = torch.from_numpy(astronaut()[20:220, 150:350].copy()).permute(2, 0, 1).float()[None] / 255.0
    face = torch.nn.functional.interpolate(face, size=(64, 64), mode="area")
    stack = face.repeat(16, 2, 1, 1)  # onset == apex: a still face
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    assert augment_shape(stack, generator, 0.0) is stack and torch.equal(generator.get_state(), state)  # off
    a = augment_shape(stack, torch.Generator().manual_seed(1), 1.0)
    assert torch.equal(a, augment_shape(stack, torch.Generator().manual_seed(1), 1.0))
    assert torch.equal(a[:, :3], a[:, 3:])  # the same warp on both frames: a still face stays still
    assert float((a - stack).abs().mean()) > 0.02  # the proportions did change

    # Where a point lands: a bright dot at the centre moves by at most the scale change plus the displacement.
    dot = torch.zeros(16, 6, 64, 64)
    dot[:, :, 30:34, 30:34] = 1.0
    moved = augment_shape(dot, torch.Generator().manual_seed(2), 1.0)[:, 0]
    ys, xs = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
    mass = moved.sum(dim=(1, 2))
    shift = torch.stack(((moved * xs).sum(dim=(1, 2)) / mass - 31.5, (moved * ys).sum(dim=(1, 2)) / mass - 31.5), 1)
    bound = (SHAPE_DISPLACEMENT + SHAPE_SCALE * 2 / 64) * 32  # half size = 32 px
    assert float(shift.abs().max()) <= bound + 0.5 and float(shift.abs().max()) > 0.3

    # A local motion between the frames survives the warp: the difference stays where the motion was.
    apex = face.clone()
    apex[:, :, 40:48, 24:40] = apex[:, :, 38:46, 24:40].clone()  # the mouth area moves up by 2 px
    pair = torch.cat((face, apex), dim=1).repeat(16, 1, 1, 1)
    warped = augment_shape(pair, torch.Generator().manual_seed(3), 1.0)
    difference = (warped[:, 3:] - warped[:, :3]).abs().mean(dim=1)
    inside = difference[:, 34:54, 18:46].sum(dim=(1, 2))
    assert bool((inside > 0.9 * difference.sum(dim=(1, 2))).all())


def test_augmentation_strengths_outside_0_1_are_refused_by_name():
    from app.training import TrainConfig

    for name in ("appearance_aug", "shape_aug"):
        with pytest.raises(ValueError, match=name):
            TrainConfig(**{name: 1.5})
