"""Video files decoded with OpenCV's FFmpeg backend, with frame-exact random access.

OpenCV's own seek (`CAP_PROP_POS_FRAMES`) converts frame numbers to times with the nominal frame
rate, so it lands on the wrong frame for variable-frame-rate files and for streams that do not
start at time zero (MPEG-TS). This reader therefore never trusts a seek: the first sequential
decode records every frame's timestamp (`TimestampTable`); after a seek, the timestamp of the frame
the decoder landed on says which frame it really is, and decoding continues forward from there to
the target. When a container's seek cannot be verified, it decodes forward from the start, which
is slow for far targets but always exact.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Iterator, Optional

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # FFmpeg's own chatter about damaged packets

import cv2  # noqa: E402

from .errors import (  # noqa: E402
    EmptyVideoError,
    FrameIndexError,
    FrameUnreadableError,
    NotAVideoError,
    VideoNotFoundError,
)
from .frame_cache import FrameCache  # noqa: E402
from .source import Frame, VideoInfo  # noqa: E402
from .timestamps import TimestampTable  # noqa: E402

_TIMEOUT_MS = 15000
_FORWARD_DECODE_LIMIT = 120  # frames; a farther jump seeks instead of decoding forward
_SEEK_ATTEMPTS = 5
_RESYNC_ATTEMPTS = 2000  # failed grabs tolerated while the decoder looks for the next keyframe
_SEEK_LEAD = 8  # frames before a random-access target that are decoded (and cached) too
_CACHE_ON_THE_WAY = 32  # frames decoded on the way to a target that are kept for stepping back


class TruncatedVideoWarning(UserWarning):
    """The stream ended well before the container's frame count: the file is probably truncated."""


def _open_capture(path: str) -> cv2.VideoCapture:
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, _TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, _TIMEOUT_MS]
    return cv2.VideoCapture(path, cv2.CAP_FFMPEG, params)


def _fourcc_name(value: float) -> str:
    code = int(value)
    chars = "".join(chr((code >> (8 * k)) & 0xFF) for k in range(4))
    return chars.strip("\x00 ").lower() if chars.isprintable() and chars.strip() else "unknown"


class _Cursor:
    """One capture plus the exact index of the frame its next `grab()` returns."""

    def __init__(self, path: str, frame_ms: float):
        self.path = path
        self.frame_ms = frame_ms
        self.cap = _open_capture(path)
        self.next_index = 0
        self.lost = 0  # frames swallowed by damaged data before the last grabbed frame
        self._last_pts: Optional[float] = None
        self._anchor: Optional[tuple[int, float]] = None  # last good (index, pts) before damage

    def rewind(self) -> None:
        self.cap.release()
        self.cap = _open_capture(self.path)
        self.next_index = 0
        self._last_pts = None
        self._anchor = None

    def grab(self) -> bool:
        """Grab the next decodable frame; False at the end of the stream.

        After damaged data the decoder fails until it can resynchronise; grabbing on gets past it.
        From then on each frame's index comes from its timestamp relative to the last good frame
        (frames the decoder emits out of order there are skipped), and `lost` says how many
        indices the damage swallowed before the grabbed frame (`next_index` skips them).
        """
        self.lost = 0
        while True:
            if not self.cap.grab():
                if not any(self.cap.grab() for _ in range(_RESYNC_ATTEMPTS)):
                    return False
                if self._anchor is None and self._last_pts is not None and self.frame_ms > 0:
                    self._anchor = (self.next_index - 1, self._last_pts)
            if self._anchor is None:
                self.landed_at(self.next_index)
                return True
            anchor_index, anchor_pts = self._anchor
            index = anchor_index + round((self.pts_ms() - anchor_pts) / self.frame_ms)
            if index >= self.next_index:
                self.lost = index - self.next_index
                self.landed_at(index)
                return True

    def landed_at(self, index: int) -> None:
        """Record that the frame just grabbed is frame `index`."""
        self.next_index = index + 1
        self._last_pts = self.pts_ms()

    def retrieve(self) -> Optional[Frame]:
        ok, bgr = self.cap.retrieve()
        if not ok or bgr is None or bgr.ndim != 3:
            return None
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def pts_ms(self) -> float:
        return float(self.cap.get(cv2.CAP_PROP_POS_MSEC))

    def release(self) -> None:
        self.cap.release()


class VideoFile:
    """A `VideoSource` over one video file. Not thread-safe: give each thread its own instance."""

    def __init__(self, path: str | os.PathLike, cache_bytes: int = 96 << 20):
        self.path = str(path)
        p = Path(path)
        if not p.exists():
            raise VideoNotFoundError(path, "file not found")
        if not p.is_file():
            raise NotAVideoError(path, "not a regular file")
        if p.stat().st_size == 0:
            raise NotAVideoError(path, "the file is empty (0 bytes)")
        self._cursor = _Cursor(self.path, 0.0)
        cap = self._cursor.cap
        if not cap.isOpened():
            self._cursor.release()
            raise NotAVideoError(path, "no video decoder can open this file (not a video, or an unsupported format)")
        self._nominal_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._cursor.frame_ms = self._frame_ms = 1000.0 / self._nominal_fps if 0 < self._nominal_fps <= 1000 else 0.0
        self._width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self._height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._codec = _fourcc_name(cap.get(cv2.CAP_PROP_FOURCC))
        self._estimated_frames = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        self._table = TimestampTable()
        self._scan: Optional[_Cursor] = None
        self._cache = FrameCache(cache_bytes)
        self.truncated = False
        self._seek_works = True
        first = self._read_sequential_first()
        if first is None:
            self._cursor.release()
            raise EmptyVideoError(path, "the file holds no decodable video frame")
        self._height, self._width = first.shape[:2]

    # -- probing -------------------------------------------------------------------------------

    def _read_sequential_first(self) -> Optional[Frame]:
        if not self._cursor.grab():
            return None
        frame = self._cursor.retrieve()
        self._table.append(self._cursor.pts_ms())
        if frame is not None:
            self._cache.put(0, frame)
        return frame

    def probe(self, exact: bool = False) -> VideoInfo:
        """Metadata. With `exact=True`, decode the whole file once (fast, no colour conversion) so
        the frame count and the variable-frame-rate flag come from the stream, not the header."""
        if exact:
            self._extend_table(None)
        fps = self._nominal_fps
        if fps <= 0 or fps > 1000:
            fps = self._table.mean_fps() or 30.0
        n = len(self._table) if self._table.complete else max(self._estimated_frames, len(self._table))
        return VideoInfo(
            path=self.path,
            kind="file",
            n_frames=n,
            fps=fps,
            width=self._width,
            height=self._height,
            codec=self._codec,
            is_vfr=self._table.is_vfr(),
            frame_count_exact=self._table.complete,
        )

    def index_to(self, upto: int) -> bool:
        """Record timestamps up to frame `upto` (a frame count done in steps, so it can be cancelled
        between them); True once the whole stream is indexed and the frame count is exact."""
        self._extend_table(int(upto))
        return self._table.complete

    def _extend_table(self, upto: Optional[int]) -> None:
        """Record timestamps sequentially until frame `upto` is known (None: to the end)."""
        if self._table.complete or (upto is not None and upto < len(self._table)):
            return
        if self._scan is None:
            self._scan = _Cursor(self.path, self._frame_ms)
        scan = self._scan
        if scan.next_index > len(self._table):
            scan.rewind()
        while scan.next_index < len(self._table):
            if not scan.grab():
                break
        while upto is None or len(self._table) <= upto:
            if not scan.grab():
                self._finish_table()
                return
            self._table.append_lost(scan.lost)
            self._table.append(scan.pts_ms())

    def _finish_table(self) -> None:
        self._table.complete = True
        if self._scan is not None:
            self._scan.release()
            self._scan = None
        n = len(self._table)
        if self._estimated_frames and n < 0.9 * self._estimated_frames:
            self.truncated = True
            warnings.warn(
                f"{self.path}: the stream ends after {n} frames but the container announces "
                f"{self._estimated_frames}; the file may be truncated",
                TruncatedVideoWarning,
                stacklevel=3,
            )

    @property
    def n_frames(self) -> int:
        self._extend_table(None)
        return len(self._table)

    # -- random access -------------------------------------------------------------------------

    def read(self, index: int) -> Frame:
        """Exactly frame `index` (0-based, RGB)."""
        index = int(index)
        if index < 0:
            raise FrameIndexError(self.path, f"frame index {index} is negative")
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        self._extend_table(index)
        if index >= len(self._table):
            raise FrameIndexError(self.path, f"frame index {index} is past the last frame ({len(self._table) - 1})")
        if self._table.is_lost(index):
            raise FrameUnreadableError(self.path, index, "lost to damaged data in the file")
        if not 0 <= index - self._cursor.next_index <= _FORWARD_DECODE_LIMIT:
            # Land a few frames early, so that stepping back after a jump is served from the cache.
            lead = min(index, _SEEK_LEAD)
            landed = self._seek_before(self._cursor, index - lead)
            if lead == 0 and self._cursor.next_index == index + 1:
                if landed is None:
                    raise FrameUnreadableError(self.path, index)
                return landed
        return self._decode_forward_to(index)

    def _decode_forward_to(self, index: int) -> Frame:
        """Decode from the cursor to `index`, caching the last frames on the way (for stepping back)."""
        cursor = self._cursor
        frame: Optional[Frame] = None
        while cursor.next_index <= index:
            if not cursor.grab():
                raise FrameUnreadableError(self.path, index, "the decoder stopped before this frame")
            position = cursor.next_index - 1
            if position > index:
                raise FrameUnreadableError(self.path, index, "lost to damaged data in the file")
            if index - position < _CACHE_ON_THE_WAY:
                frame = cursor.retrieve()
                if frame is not None:
                    self._cache.put(position, frame)
        if frame is None:
            raise FrameUnreadableError(self.path, index)
        return frame

    def _seek_before(self, cursor: _Cursor, index: int) -> Optional[Frame]:
        """Leave `cursor` at a verified position at or before `index`; return the frame it landed
        on when that is frame `index` itself (None otherwise, or when it does not decode).

        Seeks are verified by the landed frame's timestamp; when no attempt can be verified, the
        cursor restarts from the beginning, the one position that is always exact."""
        if self._table.verifiable and self._seek_works:
            back, attempts = 0, 0
            while attempts < _SEEK_ATTEMPTS and index - back > 0:
                attempts += 1
                cursor.cap.set(cv2.CAP_PROP_POS_FRAMES, index - back)
                landed = self._table.index_of(cursor.pts_ms()) if cursor.cap.grab() else None
                if landed is not None and landed <= index:
                    cursor.landed_at(landed)
                    frame = cursor.retrieve() if index - landed < _CACHE_ON_THE_WAY else None
                    if frame is not None:
                        self._cache.put(landed, frame)
                    return frame if landed == index else None
                back = max(2 * back, 8)
            if attempts == _SEEK_ATTEMPTS:
                # This container's seek cannot be trusted (e.g. MPEG-TS not starting at zero):
                # stop trying it, and decode forward from the start from now on.
                self._seek_works = False
        cursor.rewind()
        return None

    # -- streaming -----------------------------------------------------------------------------

    def iter_frames(self, start: int = 0, stop: Optional[int] = None) -> Iterator[tuple[int, Optional[Frame]]]:
        """Yield (index, RGB frame) in order from `start` to `stop` (exclusive) with a capture of
        its own, holding one frame at a time. A frame that decodes to nothing comes as (index, None).
        Memory stays flat in the video's length."""
        if start < 0:
            raise FrameIndexError(self.path, f"start frame {start} is negative")
        if stop is not None and stop <= start:
            return
        cursor = _Cursor(self.path, self._frame_ms)
        try:
            if start > 0:
                self._extend_table(start)
                if start >= len(self._table):
                    return
                landed = self._seek_before(cursor, start)
                if cursor.next_index == start + 1:
                    yield start, landed
                while cursor.next_index < start:
                    if not cursor.grab():
                        return
            while stop is None or cursor.next_index < stop:
                first = cursor.next_index
                if not cursor.grab():
                    if not self._table.complete and first >= len(self._table):
                        self._finish_table()
                    return
                index = cursor.next_index - 1
                if not self._table.complete and first == len(self._table):
                    self._table.append_lost(cursor.lost)
                    self._table.append(cursor.pts_ms())
                for lost in range(first, index):
                    if stop is None or lost < stop:
                        yield lost, None
                if stop is None or index < stop:
                    yield index, cursor.retrieve()
        finally:
            cursor.release()

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        self._cursor.release()
        if self._scan is not None:
            self._scan.release()
            self._scan = None
        self._cache.clear()

    def __enter__(self) -> "VideoFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
