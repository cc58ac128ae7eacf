"""Motion magnification and the apex − onset heat map, on the bundled demo video and its true events."""

import numpy as np
import pytest

from app.analysis.magnify import (MagnifyConfig, check_factor, difference_heatmap, face_mask, magnify,
                                  mean_abs_difference)
from app.analysis.magnify_video import MagnifyError, aligned_crops, parse_range
from app.cli import main
from app.core.events_csv import read_events_csv
from app.face import FaceConfig, FacePipeline
from app.media import open_video
from app.resources import resource_path

DEMO = resource_path("demo", "astronaut_demo.mp4")
EVENTS = resource_path("demo", "astronaut_demo.events.csv")


@pytest.fixture(scope="module")
def event_crops():
    """(event, CropRange) for each true event of the demo, onset..offset, one pipeline shared."""
    events = read_events_csv(EVENTS, strict=True).accepted
    pipeline = FacePipeline(FaceConfig(), 30.0)
    return [(e, aligned_crops(DEMO, e.onset_frame, e.offset_frame, pipeline=pipeline)) for e in events]


def test_k1_gives_the_plain_aligned_crops(event_crops):
    for _, crops in event_crops:
        assert crops.crops.shape[1:] == (224, 224, 3) and not crops.missing
        np.testing.assert_array_equal(magnify(crops.crops, 1), crops.crops)


def test_apex_minus_onset_grows_with_the_factor(event_crops):
    for event, crops in event_crops:
        apex = event.apex_frame - crops.first
        differences = [mean_abs_difference(m[apex], m[0]) for m in (magnify(crops.crops, k) for k in (1, 5, 10))]
        assert differences[0] < differences[1] < differences[2], (event.event_id, differences)


def test_heatmap_is_hot_on_the_face_not_around_it(event_crops):
    _, crops = next((e, c) for e, c in event_crops if e.emotion == "surprise")  # brows raised
    heat = difference_heatmap(crops.crops[0], crops.crops[196 - crops.first])
    assert heat.shape == (224, 224, 3) and heat.dtype == np.uint8
    colour = heat.astype(float).max(axis=2) - heat.astype(float).min(axis=2)  # 0 where grey
    mask = face_mask(224)
    assert colour[mask > 0.9].mean() > 50 and colour[mask < 0.01].mean() < 5


def test_a_synthetic_shift_is_magnified_without_registration():
    y, x = np.mgrid[0:64, 0:64]
    frames = np.stack([np.repeat((128 + 80 * np.exp(-((x - 32 - s) ** 2 + (y - 32) ** 2) / 60.0))[..., None], 3, 2)
                       for s in (0.0, 0.5)]).astype(np.uint8)
    plain = mean_abs_difference(frames[1], frames[0])
    config = MagnifyConfig(register=False, face_only=False)
    assert plain < mean_abs_difference(magnify(frames, 4, config)[1], frames[0]) \
        < mean_abs_difference(magnify(frames, 8, config)[1], frames[0])


@pytest.mark.parametrize("factor", ["0", "-2", "0.5", "nan", "inf", "abc", "1000"])
def test_bad_factors_are_refused(factor):
    with pytest.raises(ValueError, match="magnification factor"):
        check_factor(factor)


def test_parse_range():
    assert parse_range("144:151") == (144, 151)
    for text in ("151:144", "3", "a:b", "-1:5", "5:5"):
        with pytest.raises(ValueError, match="FIRST"):
            parse_range(text)


def test_cli_writes_side_by_side_video_and_heatmap(tmp_path, capsys):
    out, png = tmp_path / "magnified.mp4", tmp_path / "heat.png"
    assert main(["magnify", str(DEMO), "--frames", "189:203", "--factor", "10", "--out", str(out),
                 "--side-by-side", "--heatmap", str(png)]) == 0
    assert "wrote" in capsys.readouterr().out
    with open_video(out) as video:
        info = video.probe()
    assert (info.n_frames, info.width, info.height) == (15, 448, 224)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("args, problem", [
    (["--frames", "290:320", "--factor", "5"], "lie outside the video, which has frames 0..299"),
    (["--frames", "10:20", "--factor", "0"], "magnification factor must be from 1"),
    (["--frames", "10:20", "--factor", "ten"], "magnification factor must be a number"),
    (["--frames", "20:10", "--factor", "5"], "LAST must be after FIRST"),
    (["--frames", "10:20", "--apex", "30"], "--apex 30 lies outside frames 10..20"),
])
def test_cli_errors_name_the_file(tmp_path, capsys, args, problem):
    out = tmp_path / "m.mp4"
    assert main(["magnify", str(DEMO), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"tsfmicro magnify: error: {DEMO}" in err and problem in err and "Traceback" not in err
    assert not out.exists()


def test_missing_video_is_named(tmp_path, capsys):
    assert main(["magnify", str(tmp_path / "nope.mp4"), "--frames", "1:5", "--out", str(tmp_path / "m.mp4")]) == 2
    assert "nope.mp4" in capsys.readouterr().err
    with pytest.raises(MagnifyError, match="outside the video"):
        aligned_crops(DEMO, 299, 305)
