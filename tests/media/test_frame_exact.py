"""Frame-exact random access: `read(i)` returns exactly frame i, in any order, in any codec."""

import random

import pytest

from app.media import VideoFile, open_video
from tests.media.conftest import N_FRAMES
from tests.stamps import read_stamp

CASES = ["h264", "hevc", "vp9", "mpeg4", "vfr", "mpegts_offset"]


@pytest.mark.parametrize("name", CASES)
def test_every_frame_in_random_and_reverse_order(stamped_videos, name):
    # No frame cache: every read goes through the seek-and-verify path.
    video = VideoFile(stamped_videos[name], cache_bytes=0)
    info = video.probe(exact=True)
    assert info.n_frames == N_FRAMES and info.frame_count_exact
    order = list(range(N_FRAMES))
    random.Random(7).shuffle(order)
    assert [read_stamp(video.read(i)) for i in order] == order
    backwards = list(reversed(range(N_FRAMES)))
    assert [read_stamp(video.read(i)) for i in backwards] == backwards
    video.close()


@pytest.mark.parametrize("name", ["h264", "vfr", "mpegts_offset"])
def test_iter_frames_from_any_start(stamped_videos, name):
    with open_video(stamped_videos[name]) as video:
        for start in (0, 1, 57, 200, N_FRAMES - 1):
            got = [(i, read_stamp(frame)) for i, frame in video.iter_frames(start, start + 9)]
            expected = list(range(start, min(start + 9, N_FRAMES)))
            assert got == [(i, i) for i in expected]
        assert list(video.iter_frames(10, 10)) == []


def test_sequential_decode_makes_count_exact_without_second_pass(stamped_videos):
    with open_video(stamped_videos["h264"]) as video:
        assert sum(1 for _ in video.iter_frames()) == N_FRAMES
        info = video.probe()
        assert info.frame_count_exact and info.n_frames == N_FRAMES


def test_probe_reports_stream_facts(stamped_videos):
    with open_video(stamped_videos["h264"]) as video:
        info = video.probe(exact=True)
    assert (info.width, info.height) == (160, 120)
    assert info.fps == pytest.approx(30.0)
    assert info.codec == "h264"
    assert info.duration_s == pytest.approx(N_FRAMES / 30.0)
    assert info.time_s(45) == pytest.approx(1.5)
    assert not info.is_vfr


def test_variable_frame_rate_is_detected(stamped_videos):
    with open_video(stamped_videos["vfr"]) as video:
        assert video.probe(exact=True).is_vfr


def test_out_of_range_index_is_a_typed_error(stamped_videos):
    from app.media import FrameIndexError

    with open_video(stamped_videos["h264"]) as video:
        with pytest.raises(FrameIndexError, match="past the last frame"):
            video.read(N_FRAMES)
        with pytest.raises(FrameIndexError, match="negative"):
            video.read(-1)


def test_stepping_back_and_forth_hits_the_cache(stamped_videos):
    with open_video(stamped_videos["h264"]) as video:
        assert read_stamp(video.read(150)) == 150
        # frames decoded on the way to 150 are kept: stepping back needs no new decode
        cursor_before = video._cursor.next_index
        assert [read_stamp(video.read(i)) for i in (149, 148, 147, 148, 149, 150)] == [149, 148, 147, 148, 149, 150]
        assert video._cursor.next_index == cursor_before
