"""`track_video`: run the face pipeline over a whole `VideoSource`, through the track cache."""

from __future__ import annotations

import os
from typing import Callable, Optional

from app.face.cache import FaceTrackCache
from app.face.config import FaceConfig
from app.face.detect import FaceDetector
from app.face.landmarks import LandmarkModel
from app.face.pipeline import FacePipeline, FaceResult
from app.face.track import FaceTrack
from app.media.hashing import content_hash
from app.media.source import VideoSource


def track_video(
    source: VideoSource,
    config: FaceConfig = FaceConfig(),
    *,
    cache: FaceTrackCache | str | os.PathLike | None = None,
    on_result: Optional[Callable[[FaceResult], None]] = None,
    detector: Optional[FaceDetector] = None,
    landmark_model: Optional[LandmarkModel] = None,
) -> FaceTrack:
    """The face track of every frame of `source`.

    With `cache` (a FaceTrackCache or a directory), a track computed before for the same video
    content and config is returned without decoding; `on_result` is then not called. Otherwise
    every FaceResult (aligned crop included) goes to `on_result` as it is produced, and the track
    is stored in the cache. `detector` / `landmark_model` share already loaded models.
    """
    if cache is not None and not isinstance(cache, FaceTrackCache):
        cache = FaceTrackCache(cache)
    key = FaceTrackCache.key(content_hash(source.path), config) if cache is not None else None
    if cache is not None:
        cached = cache.load(key)
        if cached is not None:
            return cached
    fps = source.probe().fps
    pipeline = FacePipeline(config, fps, detector=detector, landmark_model=landmark_model, make_crops=on_result is not None)
    track = FaceTrack.from_results(pipeline.run(source.iter_frames()), fps, config, on_result)
    if cache is not None:
        cache.store(key, track)
    return track
