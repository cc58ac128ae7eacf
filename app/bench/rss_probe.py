"""Run the face pipeline over one video in this process and print its peak RSS in MB.

`python -m app.bench.rss_probe VIDEO` — used by the benchmark, one fresh process per clip, so
that the 1-minute and 10-minute figures do not share a heap.
"""

from __future__ import annotations

import json
import resource
import sys

from app.face import FaceConfig, track_video
from app.media import open_video


def main(path: str) -> None:
    with open_video(path) as video:
        track = track_video(video, FaceConfig(), on_result=lambda result: None)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"frames": int(track.n_frames), "peak_rss_mb": round(peak_mb, 1)}))


if __name__ == "__main__":
    main(sys.argv[1])
