"""Render the bundled demo video: resources/demo/astronaut_demo.mp4 (10 s, 640x480, 30 fps, H.264).

Made from scikit-image's public-domain astronaut portrait (NASA), bundled as
resources/faces/astronaut.jpg. Re-run to regenerate: python scripts/make_demo_video.py
"""

from app.media.writer import write_video
from app.resources import resource_path
from app.synth.moving_portrait import load_portrait, moving_portrait_frames

if __name__ == "__main__":
    out = resource_path("demo") / "astronaut_demo.mp4"
    frames = moving_portrait_frames(load_portrait(), n_frames=300, size=(640, 480), fps=30.0, seed=2)
    n = write_video(out, frames, fps=30.0, codec="h264", gop=60, bframes=2, crf=26)
    print(f"wrote {n} frames to {out} ({out.stat().st_size / 1e6:.2f} MB)")
