"""Qt-free face pipeline: detection, tracking, landmarks, alignment, quality, tracks and caching.

Typical use::

    from app.face import FaceConfig, FacePipeline, track_video
    for result in FacePipeline(FaceConfig(), fps=30).run(source.iter_frames()):
        ...  # result.crop is the aligned 224x224 RGB face, result.ok its quality flag
    track = track_video(source, FaceConfig(), cache="~/.cache/tsfmicro/faces")
"""

from app.face.cache import FaceTrackCache
from app.face.config import AlignConfig, DetectConfig, FaceConfig, QualityConfig, SmoothConfig, TrackConfig
from app.face.contact_sheet import contact_sheet_from_track, render_contact_sheet, save_contact_sheet
from app.face.detect import Detection, HogDetector, MmodDetector, make_detector
from app.face.landmarks import LandmarkModel
from app.face.pipeline import FacePipeline, FaceResult
from app.face.track import FaceTrack
from app.face.video import track_video

__all__ = [
    "AlignConfig",
    "DetectConfig",
    "Detection",
    "FaceConfig",
    "FacePipeline",
    "FaceResult",
    "FaceTrack",
    "FaceTrackCache",
    "HogDetector",
    "LandmarkModel",
    "MmodDetector",
    "QualityConfig",
    "SmoothConfig",
    "TrackConfig",
    "contact_sheet_from_track",
    "make_detector",
    "render_contact_sheet",
    "save_contact_sheet",
    "track_video",
]
