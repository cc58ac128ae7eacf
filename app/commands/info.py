"""`tsfmicro info`: a video's (or frame folder's) properties."""

from __future__ import annotations

import argparse
import json
import warnings

from app.commands.registry import command
from app.media import open_video


@command("info", "print a video's (or frame folder's) properties")
def _info_command(parser: argparse.ArgumentParser):
    parser.add_argument("video", help="video file or folder of numbered frames")
    parser.add_argument("--fps", type=float, help="frame rate of a frame folder (folders carry none)")
    parser.add_argument("--fast", action="store_true", help="container header only; do not count frames by decoding")
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with open_video(args.video, fps=args.fps) as video:
                info = video.probe(exact=not args.fast)
        facts = {
            "path": info.path,
            "kind": info.kind,
            "frames": info.n_frames,
            "frame_count_exact": info.frame_count_exact,
            "fps": round(info.fps, 4),
            "duration_s": round(info.duration_s, 3),
            "width": info.width,
            "height": info.height,
            "codec": info.codec,
            "variable_frame_rate": info.is_vfr,
            "warnings": [str(w.message) for w in caught],
        }
        if args.json:
            print(json.dumps(facts))
        else:
            width = max(len(k) for k in facts)
            for key, value in facts.items():
                if key != "warnings":
                    print(f"{key:<{width}}  {value}")
            for message in facts["warnings"]:
                print(f"warning: {message}")
            if info.is_vfr:
                print("note: variable frame rate; frame indices stay exact, times are nominal (frame / fps)")
        return 0

    return run
