"""FrameDisplay: the frame on screen. It reads frames of the open video (frame-exact), shows each with
the face overlay (box, landmarks, aligned crop) in the video view, moves the timeline's playhead and
the playback clock, and tells the document the current frame (the project reopens there)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.face import FaceTrack
from app.face.align import warp_crop
from app.media import VideoError
from app.ui.document import ProjectDocument
from app.ui.playback import Playback
from app.ui.timeline_view import TimelineView
from app.ui.video_view import FaceOverlay, VideoView


class FrameDisplay(QObject):
    failed = Signal(str)  # a frame could not be read

    def __init__(self, video_view: VideoView, timeline: TimelineView, playback: Playback,
                 parent: Optional[QObject] = None):
        super().__init__(parent)
        self._view, self._timeline, self._playback = video_view, timeline, playback
        self._video = None
        self._document: Optional[ProjectDocument] = None
        self.face_track: Optional[FaceTrack] = None
        self.current = -1  # the frame shown (-1: none)
        playback.frameDue.connect(self.show)
        timeline.seekRequested.connect(self.show)

    def attach(self, video, document: ProjectDocument) -> None:
        """Show this video (the display closes it in `detach`), starting at the document's current frame."""
        self._video, self._document, self.face_track, self.current = video, document, None, -1
        self.show(document.current_frame)

    def detach(self) -> None:
        if self._video is not None:
            self._video.close()
        self._video, self._document, self.face_track = None, None, None

    def show(self, index: int) -> None:
        if self._document is None:
            return
        document = self._document
        index = min(max(0, int(index)), document.n_frames - 1)
        if index == self.current:
            return
        try:
            frame = self._video.read(index)
        except VideoError as err:
            self._playback.stop()
            self.failed.emit(str(err))
            return
        self.current = index
        self._playback.seek(index)
        self._view.show_frame(frame, index, index / document.fps, document.n_frames, self._overlay(frame, index))
        self._timeline.set_playhead(index)
        document.set_current_frame(index)

    def step(self, delta: int) -> None:
        self._playback.stop()
        self.show(self.current + delta)

    def redraw(self) -> None:
        """Show the current frame again (e.g. with overlays switched on or off)."""
        if self.current >= 0:
            frame, self.current = self.current, -1
            self.show(frame)

    def set_face_track(self, track: FaceTrack) -> None:
        self.face_track = track
        self._timeline.set_quality(track.ok)
        self.redraw()

    def show_box(self, checked: bool) -> None:
        self._view.show_box = checked
        self.redraw()

    def show_landmarks(self, checked: bool) -> None:
        self._view.show_landmarks = checked
        self.redraw()

    def _overlay(self, frame: np.ndarray, index: int) -> Optional[FaceOverlay]:
        track = self.face_track
        if track is None or index >= track.n_frames:
            return None
        if not track.found[index]:
            return FaceOverlay(ok=False)
        crop = warp_crop(frame, track.transforms[index], track.config.align.crop_size)
        return FaceOverlay(track.boxes[index], track.landmarks[index], crop, bool(track.ok[index]))
