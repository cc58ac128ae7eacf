import subprocess

import pytest

from app.media.writer import ffmpeg_exe, write_video
from tests.stamps import stamp_frame

N_FRAMES = 240


def _stamped(n=N_FRAMES):
    return (stamp_frame(i) for i in range(n))


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def stamped_videos(media_dir):
    """Index-stamped videos with long GOPs (keyframe every 250 frames) and B-frames, in several
    codecs and containers, plus the two cases OpenCV's own seek gets wrong: a variable-frame-rate
    file and an MPEG-TS stream that starts at 7.3 s."""
    paths = {}
    for name, codec, suffix in [("h264", "h264", ".mp4"), ("hevc", "hevc", ".mkv"), ("vp9", "vp9", ".webm"),
                                ("mpeg4", "mpeg4", ".avi")]:
        path = media_dir / f"stamped_{name}{suffix}"
        write_video(path, _stamped(), fps=30, codec=codec, gop=250, bframes=3)
        paths[name] = path
    vfr = media_dir / "stamped_vfr.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(paths["h264"]), "-vf",
         "setpts='if(lt(N,80),N,if(lt(N,160),80+(N-80)*2,240+(N-160)))/30/TB'",
         "-fps_mode", "vfr", "-c:v", "libx264", "-g", "250", "-bf", "3", str(vfr)],
        check=True,
    )
    paths["vfr"] = vfr
    ts = media_dir / "stamped_offset.ts"
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(paths["h264"]), "-c", "copy",
                    "-output_ts_offset", "7.3", "-f", "mpegts", str(ts)], check=True)
    paths["mpegts_offset"] = ts
    return paths
