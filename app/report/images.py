"""The report's pictures, as PNG bytes: the timeline plot (curves and events) and each event's onset
and apex face thumbnails. OpenCV and numpy only."""

from __future__ import annotations

import base64
from typing import Optional

import cv2
import numpy as np

from app.batch.plot import render_curves_png
from app.core.events import Event
from app.face import FaceConfig, FacePipeline
from app.face.align import warp_crop
from app.media import VideoError, open_video
from app.report.gather import PLOTTED_PHASES, ReportData

THUMB_PX = 112
MAX_THUMBNAIL_EVENTS = 300  # beyond this the table lists events without faces (the file stays a few MB)
PHASE_COLOURS = ((60, 160, 60), (40, 40, 220), (200, 120, 40))  # BGR, in PLOTTED_PHASES' order
CURVE_COLOURS = {**{f"p_{phase}": colour for phase, colour in zip(PLOTTED_PHASES, PHASE_COLOURS, strict=True)},
                 "motion": (120, 120, 120)}  # BGR


def png_bytes(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def timeline_png(data: ReportData) -> bytes:
    """The timeline: stored curves (phase probabilities; motion scaled to its 99th percentile), the
    events shaded by kind with their apex marked (rejected events left out), frames without a face
    marked under the axis."""
    curves = {}
    for name, values in data.curves.items():
        values = np.asarray(values, np.float64)
        if name == "motion":
            finite = values[np.isfinite(values)]
            top = float(np.percentile(finite, 99)) if finite.size else 0.0
            values = values / top if top > 0 else values * np.nan
            name = "motion (scaled)"
        curves[name] = (values, CURVE_COLOURS.get(name.split(" ")[0], (0, 0, 0)))
    face_ok = data.face_ok if data.face_ok is not None else np.ones(data.n_frames, bool)
    shown = [e for e in data.events if e.status != "rejected"]
    title = f"{data.video_path.replace(chr(92), '/').rsplit('/', 1)[-1]}: {len(shown)} event(s)"
    return render_curves_png(curves, data.fps, shown, face_ok, title)


class Thumbnails:
    """Aligned face crops of single frames: from the project's face track where it has the frame,
    else from the face pipeline; the whole frame, shrunk, when no face is found."""

    def __init__(self, data: ReportData):
        self.data = data
        self._pipeline = None
        self._rows = ({int(f): i for i, f in enumerate(data.face_track.frame_index)}
                      if data.face_track is not None else {})

    def for_events(self, events: list[Event]) -> dict[tuple[str, int], bytes]:
        """{(event_id, frame): PNG} for the onset and apex of the first MAX_THUMBNAIL_EVENTS events."""
        if not self.data.video_present:
            return {}

        out: dict[tuple[str, int], bytes] = {}
        with open_video(self.data.video_path) as video:
            for event in events[:MAX_THUMBNAIL_EVENTS]:
                frames = sorted({event.onset_frame, event.apex_frame})
                for frame, crop in zip(frames, self._crops(video, frames)):
                    if crop is not None:
                        out[(event.event_id, frame)] = png_bytes(cv2.resize(crop, (THUMB_PX, THUMB_PX),
                                                                             interpolation=cv2.INTER_AREA))
        return out

    def _crops(self, video, frames: list[int]) -> list[Optional[np.ndarray]]:
        images = {}
        for frame in frames:
            try:
                images[frame] = video.read(frame)
            except VideoError:  # a damaged or missing frame: no thumbnail, the row stays
                images[frame] = None
        crops = {}
        track = self.data.face_track
        for frame, image in images.items():
            row = self._rows.get(frame)
            if image is not None and row is not None and track.found[row]:
                crops[frame] = warp_crop(image, track.transforms[row].astype(np.float64),
                                         track.config.align.crop_size)
        todo = [(f, images[f]) for f in frames if f not in crops and images[f] is not None]
        if todo:
            for result in self._face_pipeline().run(todo):
                crops[result.index] = result.crop if result.found else _shrunk(images[result.index])
        return [crops.get(frame) for frame in frames]

    def _face_pipeline(self):
        if self._pipeline is None:
            self._pipeline = FacePipeline(FaceConfig(), self.data.fps)
        return self._pipeline


def _shrunk(frame: np.ndarray) -> np.ndarray:
    """The whole frame, centre-cropped square (used when no face was found)."""
    h, w = frame.shape[:2]
    side = min(h, w)
    return frame[(h - side) // 2:(h - side) // 2 + side, (w - side) // 2:(w - side) // 2 + side]
