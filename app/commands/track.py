"""`tsfmicro track`: track and align the face in every frame; write the track CSV and a contact sheet."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from app.commands.frame_progress import FrameProgress
from app.commands.registry import command
from app.core.user_dirs import face_track_cache_dir
from app.media import open_video


@command("track", "track and align the face in every frame; write the track CSV and a contact sheet")
def _track_command(parser: argparse.ArgumentParser):
    parser.add_argument("video", help="video file or folder of numbered frames")
    parser.add_argument("--out", required=True, help="output folder (created if needed)")
    parser.add_argument("--fps", type=float, help="frame rate of a frame folder")
    parser.add_argument("--detector", choices=("hog", "mmod"), default="hog",
                        help="hog (fast, default) or mmod (dlib's CNN detector; about 1 fps on a CPU)")
    parser.add_argument("--landmarks", choices=("68", "5"), default="68",
                        help="68-point (non-commercial licence) or 5-point (public domain) model")
    parser.add_argument("--subject", choices=("largest", "leftmost", "rightmost"), default="largest",
                        help="which face to follow when several appear")
    parser.add_argument("--detect-every", type=int, default=15, help="re-detect every N frames (and when tracking weakens)")
    parser.add_argument("--crop-size", type=int, default=224, help="side of the aligned square crop in pixels")
    parser.add_argument("--no-cache", action="store_true", help="recompute even if a cached track exists")

    def run(args: argparse.Namespace) -> int:
        # lazy: the face pipeline (dlib), loaded only when this command runs
        from app.face import FaceConfig, contact_sheet_from_track, track_video

        base = FaceConfig()
        config = replace(
            base,
            detect=replace(base.detect, detector=args.detector, subject=args.subject, every=args.detect_every),
            align=replace(base.align, landmarks=args.landmarks, crop_size=args.crop_size),
        )
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with open_video(args.video, fps=args.fps) as video:
            info = video.probe()
            progress = FrameProgress("track", info.n_frames)
            cache = None if args.no_cache else face_track_cache_dir()
            track = track_video(video, config, cache=cache, on_result=lambda _result: progress.update(1))
            progress.finish()
            track.save(out / "face_track.npz")
            track.to_csv(out / "track.csv")
            found = float(track.found.mean()) if track.n_frames else 0.0
            try:
                contact_sheet_from_track(out / "contact_sheet.png", track, video.read)
                sheet = "contact_sheet.png"
            except ValueError as err:
                sheet = f"no contact sheet ({err})"
        print(f"{track.n_frames} frames, face found in {100 * found:.1f} %, ok in {100 * float(track.ok.mean()):.1f} %")
        print(f"wrote {out / 'track.csv'}, {out / 'face_track.npz'}, {sheet}")
        return 0

    return run
