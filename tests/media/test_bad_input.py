"""Bad input gives a typed error naming the file, or per-frame invalid marks; never a hang or crash."""

import warnings

import cv2
import numpy as np
import pytest

from app.media import (
    EmptyVideoError,
    FrameUnreadableError,
    NotAVideoError,
    TruncatedVideoWarning,
    VideoNotFoundError,
    open_video,
)
from tests.media.conftest import N_FRAMES
from tests.stamps import read_stamp, stamp_frame


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.mp4"
    with pytest.raises(VideoNotFoundError) as err:
        open_video(missing)
    assert str(missing) in str(err.value)


def test_text_file_is_not_a_video(tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is an interview transcript, not a video\n" * 50)
    with pytest.raises(NotAVideoError) as err:
        open_video(bogus)
    assert "notes.mp4" in str(err.value)


def test_zero_byte_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(NotAVideoError, match="0 bytes"):
        open_video(empty)


def test_container_without_frames(tmp_path, stamped_videos):
    # keep only the first 2 KiB: the header survives, no frame does
    stub = tmp_path / "header_only.mkv"
    stub.write_bytes(stamped_videos["hevc"].read_bytes()[:2048])
    with pytest.raises((EmptyVideoError, NotAVideoError)) as err:
        open_video(stub)
    assert "header_only.mkv" in str(err.value)


def test_truncated_file_streams_what_is_there(tmp_path, stamped_videos):
    source = stamped_videos["mpeg4"]  # AVI: frames are readable up to the cut
    data = source.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with open_video(cut) as video:
            frames = list(video.iter_frames())
            info = video.probe()
    assert 0 < len(frames) < N_FRAMES
    assert info.frame_count_exact and info.n_frames == len(frames)
    good = [(i, read_stamp(f)) for i, f in frames if f is not None]
    assert all(i == s for i, s in good[:-1])  # the last frame may be partly cut
    assert any(issubclass(w.category, TruncatedVideoWarning) and "cut.avi" in str(w.message) for w in caught)


# -- frame folders -------------------------------------------------------------------------------

def _write_folder(folder, names, size=(120, 160)):
    folder.mkdir()
    for i, name in enumerate(names):
        cv2.imwrite(str(folder / name), cv2.cvtColor(stamp_frame(i, size[1], size[0]), cv2.COLOR_RGB2BGR))
    return folder


@pytest.mark.parametrize(
    "pattern, fps",
    [("reg_img{}.jpg", 200.0), ("006_{:04d}.jpg", 200.0), ("{}.jpg", 30.0)],
    ids=["casme2", "samm", "casme3"],
)
def test_dataset_folders_sort_numerically(tmp_path, pattern, fps):
    numbers = [46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 98, 99, 100, 101]  # 9/10 and 99/100 boundaries
    names = [pattern.format(n) for n in numbers]
    folder = _write_folder(tmp_path / "clip", [n.replace(".jpg", ".png") for n in names])
    with open_video(folder) as video:
        info = video.probe()
        assert info.kind == "folder" and info.n_frames == len(numbers) and info.fps == fps
        assert [p.name for p in video.files()] == [n.replace(".jpg", ".png") for n in names]
        assert [read_stamp(video.read(i)) for i in reversed(range(len(numbers)))] == list(reversed(range(len(numbers))))
    with open_video(folder, fps=25) as video:
        assert video.probe().fps == 25


def test_lexical_order_would_be_wrong(tmp_path):
    folder = _write_folder(tmp_path / "clip", [f"reg_img{n}.png" for n in (8, 9, 10, 11)])
    with open_video(folder) as video:
        assert [p.name for p in video.files()] == ["reg_img8.png", "reg_img9.png", "reg_img10.png", "reg_img11.png"]


def test_unreadable_frame_in_folder_is_marked_and_the_run_continues(tmp_path):
    folder = _write_folder(tmp_path / "clip", [f"{n}.png" for n in range(1, 9)])
    (folder / "4.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with open_video(folder) as video:
        frames = list(video.iter_frames())
        assert [i for i, f in frames if f is None] == [3]
        assert [read_stamp(f) for i, f in frames if f is not None] == [0, 1, 2, 4, 5, 6, 7]
        with pytest.raises(FrameUnreadableError, match="4.png"):
            video.read(3)


def test_empty_or_missing_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no frames here")
    with pytest.raises(EmptyVideoError, match="no numbered image files"):
        open_video(tmp_path / "empty")
    with pytest.raises(VideoNotFoundError):
        open_video(tmp_path / "absent")


def test_damage_in_the_middle_marks_lost_frames_and_keeps_indices_aligned(tmp_path, stamped_videos):
    data = bytearray(stamped_videos["h264"].read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4000] = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    with open_video(damaged) as video:
        frames = list(video.iter_frames())
        n = video.probe().n_frames
        lost = [i for i, f in frames if f is None]
        assert [i for i, _ in frames] == list(range(n))
        assert n == N_FRAMES  # the frames after the damage keep their true indices
        assert lost and min(lost) > 20
        clean = [read_stamp(f) for i, f in frames[: min(lost)]]
        assert clean == list(range(min(lost)))
        with pytest.raises(FrameUnreadableError, match="damaged.mp4"):
            video.read(lost[len(lost) // 2])
