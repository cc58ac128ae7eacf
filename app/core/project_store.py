"""A review project: one SQLite file per video, written through on every edit.

What a project holds: the video reference (path and content hash), the face track, per-frame
curves, the events (labels), a log of every edit (so undo history survives a restart), model
provenance, and the view state (current frame). Every mutation is one transaction in WAL mode
with `synchronous=FULL`, so a crash or `kill -9` loses at most the edit in flight, never the file.

Opening is careful: a file that is not a project, is corrupt, or was written by a newer version
of the application is refused with a message naming it, and left byte-for-byte untouched.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import fields
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from app import __version__
from app.core.events import Event

SCHEMA_VERSION = 1
PROJECT_SUFFIX = ".tsfproj"
_APPLICATION_ID = 0x54534650  # "TSFP": marks the SQLite file as ours (PRAGMA application_id)
_EVENT_FIELDS = tuple(f.name for f in fields(Event) if f.name != "extra")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE video (id INTEGER PRIMARY KEY CHECK (id = 1), path TEXT NOT NULL, content_hash TEXT NOT NULL,
                    fps REAL NOT NULL, n_frames INTEGER NOT NULL);
CREATE TABLE events (event_id TEXT PRIMARY KEY, position INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE edits (seq INTEGER PRIMARY KEY AUTOINCREMENT, time_s REAL NOT NULL, action TEXT NOT NULL,
                    event_id TEXT, before TEXT, after TEXT);
CREATE TABLE curves (name TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL, width INTEGER NOT NULL,
                     data BLOB NOT NULL, PRIMARY KEY (name, start));
CREATE TABLE face_track (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB NOT NULL);
CREATE TABLE provenance (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE view_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class ProjectError(Exception):
    """A project file cannot be opened or written; the message names the file and the problem."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def event_to_json(event: Event) -> str:
    record = {name: getattr(event, name) for name in _EVENT_FIELDS}
    record["extra"] = event.extra
    return json.dumps(record, sort_keys=True)


def event_from_json(text: str) -> Event:
    return Event(**json.loads(text))


def _check_readable(path: Path) -> None:
    """Inspect an existing file read-only; raise ProjectError unless it is a healthy project of
    a schema this version understands. Nothing is written to the file here."""
    if not path.is_file():
        raise ProjectError(path, "project file not found")
    if path.stat().st_size == 0:
        raise ProjectError(path, "the file is empty (0 bytes); it is not a project")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise ProjectError(path, f"cannot be opened ({err})") from err
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if application_id != _APPLICATION_ID:
            raise ProjectError(path, "not a TSFmicro Studio project file")
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise ProjectError(path, f"the project file is damaged ({result}); it was left untouched")
        version = int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    except sqlite3.DatabaseError as err:
        raise ProjectError(path, f"not a readable project file ({err}); it was left untouched") from err
    finally:
        conn.close()
    if version > SCHEMA_VERSION:
        raise ProjectError(path, f"written by a newer TSFmicro Studio (project schema {version}; this version "
                                 f"reads up to {SCHEMA_VERSION}); update the application. The file was left untouched")


class ProjectStore:
    """Read and write one project file. Not thread-safe: use it from one thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn

    # -- creating and opening -------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike, video_path: str | os.PathLike, content_hash: str,
               fps: float, n_frames: int) -> "ProjectStore":
        """A new project for one video; refuses to overwrite an existing file."""
        target = Path(path)
        if target.exists():
            raise ProjectError(target, "a file of that name exists already; choose another name")
        if not target.parent.is_dir():
            raise ProjectError(target, f"folder {target.parent} does not exist")
        conn = cls._connect(target)
        try:
            with conn:
                conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                conn.executescript(_SCHEMA)
                conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)), ("app_version", __version__),
                    ("created_s", repr(time.time()))])
                conn.execute("INSERT INTO video VALUES (1, ?, ?, ?, ?)",
                             (str(Path(video_path).resolve()), content_hash, float(fps), int(n_frames)))
        except sqlite3.Error as err:
            conn.close()
            target.unlink(missing_ok=True)
            raise ProjectError(target, f"cannot be created ({err})") from err
        return cls(target, conn)

    @classmethod
    def open(cls, path: str | os.PathLike) -> "ProjectStore":
        target = Path(path)
        _check_readable(target)
        return cls(target, cls._connect(target))

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level="DEFERRED")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def close(self) -> None:
        """Checkpoint the write-ahead log into the file and close."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._conn.close()

    def __enter__(self) -> "ProjectStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> None:
        """Run statements as one transaction; on failure nothing of it is kept."""
        try:
            with self._conn:
                for sql, params in statements:
                    self._conn.execute(sql, params)
        except sqlite3.Error as err:
            raise ProjectError(self.path, f"could not save ({err}); the last saved state is intact") from err

    # -- video ---------------------------------------------------------------------------------

    @property
    def video(self) -> dict:
        row = self._conn.execute("SELECT path, content_hash, fps, n_frames FROM video").fetchone()
        return {"path": row[0], "content_hash": row[1], "fps": row[2], "n_frames": row[3]}

    def video_is_missing(self) -> bool:
        """True when the video is no longer where the project says (the GUI then asks for it)."""
        return not Path(self.video["path"]).exists()

    def relink_video(self, new_path: str | os.PathLike, content_hash: str) -> None:
        """Point the project at a moved video; its content hash must match the original's."""
        if content_hash != self.video["content_hash"]:
            raise ProjectError(self.path, f"{new_path} is not the video this project was made for "
                                          "(its content differs)")
        self._write([("UPDATE video SET path = ?", (str(Path(new_path).resolve()),))])

    # -- events and their edit log ---------------------------------------------------------------

    def events(self) -> list[Event]:
        rows = self._conn.execute("SELECT record FROM events ORDER BY position").fetchall()
        return [event_from_json(record) for (record,) in rows]

    def _log(self, action: str, event_id: Optional[str], before: Optional[Event], after: Optional[Event]):
        return ("INSERT INTO edits (time_s, action, event_id, before, after) VALUES (?, ?, ?, ?, ?)",
                (time.time(), action, event_id, before and event_to_json(before), after and event_to_json(after)))

    def add_event(self, event: Event, position: Optional[int] = None) -> None:
        if position is None:
            row = self._conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM events").fetchone()
            position = row[0]
        self._write([
            ("UPDATE events SET position = position + 1 WHERE position >= ?", (position,)),
            ("INSERT INTO events VALUES (?, ?, ?)", (event.event_id, position, event_to_json(event))),
            self._log("add", event.event_id, None, event),
        ])

    def replace_event(self, event: Event) -> None:
        before = self.event(event.event_id)
        self._write([
            ("UPDATE events SET record = ? WHERE event_id = ?", (event_to_json(event), event.event_id)),
            self._log("edit", event.event_id, before, event),
        ])

    def remove_event(self, event_id: str) -> int:
        """Remove an event; returns the position it had (for undo)."""
        before = self.event(event_id)
        position = self._conn.execute("SELECT position FROM events WHERE event_id = ?", (event_id,)).fetchone()[0]
        self._write([
            ("DELETE FROM events WHERE event_id = ?", (event_id,)),
            ("UPDATE events SET position = position - 1 WHERE position > ?", (position,)),
            self._log("remove", event_id, before, None),
        ])
        return position

    def event(self, event_id: str) -> Event:
        row = self._conn.execute("SELECT record FROM events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            raise KeyError(f"{self.path}: no event {event_id!r}")
        return event_from_json(row[0])

    def edit_log(self) -> list[dict]:
        rows = self._conn.execute("SELECT seq, time_s, action, event_id, before, after FROM edits ORDER BY seq")
        return [{"seq": seq, "time_s": t, "action": action, "event_id": event_id,
                 "before": before and event_from_json(before), "after": after and event_from_json(after)}
                for seq, t, action, event_id, before, after in rows]

    # -- derived data: curves, face track, provenance ------------------------------------------

    @staticmethod
    def _curve_statement(name: str, start: int, values: np.ndarray) -> tuple[str, tuple]:
        data = np.ascontiguousarray(values, dtype=np.float32)
        if data.ndim not in (1, 2):
            raise ValueError(f"curve {name!r}: expected (n,) or (n, k) values, got shape {data.shape}")
        width = 0 if data.ndim == 1 else data.shape[1]
        return ("INSERT OR REPLACE INTO curves VALUES (?, ?, ?, ?, ?)",
                (name, int(start), int(start) + len(data), width, data.tobytes()))

    def put_curve_chunk(self, name: str, start: int, values: np.ndarray) -> None:
        """Store values (n,) or (n, k) float32 for frames start..start+n-1 (one transaction)."""
        self._write([self._curve_statement(name, start, values)])

    def put_curve_chunks(self, start: int, curves: dict[str, np.ndarray]) -> None:
        """Store several curves for the same frames in ONE transaction (an analysis chunk)."""
        self._write([self._curve_statement(name, start, values) for name, values in curves.items()])

    def curve(self, name: str) -> np.ndarray:
        """The whole curve, NaN where nothing was stored: (n_frames,) or (n_frames, k) float32."""
        rows = self._conn.execute("SELECT start, stop, width, data FROM curves WHERE name = ? ORDER BY start",
                                  (name,)).fetchall()
        n_frames = self.video["n_frames"]
        tail = (rows[0][2],) if rows and rows[0][2] else ()
        out = np.full((n_frames, *tail), np.nan, np.float32)
        for start, stop, _, blob in rows:
            out[start:stop] = np.frombuffer(blob, np.float32).reshape(stop - start, *tail)
        return out

    def curve_names(self) -> list[str]:
        return [name for (name,) in self._conn.execute("SELECT DISTINCT name FROM curves ORDER BY name")]

    def remove_curves(self, names: Iterable[str]) -> None:
        """Forget stored curves in one transaction (e.g. AU lanes replaced by another import)."""
        self._write([("DELETE FROM curves WHERE name = ?", (name,)) for name in names])

    def put_face_track(self, npz_bytes: bytes) -> None:
        self._write([("INSERT OR REPLACE INTO face_track VALUES (1, ?)", (npz_bytes,))])

    def face_track_bytes(self) -> Optional[bytes]:
        row = self._conn.execute("SELECT data FROM face_track").fetchone()
        return row[0] if row else None

    def set_provenance(self, values: dict) -> None:
        self._write([("INSERT OR REPLACE INTO provenance VALUES (?, ?)", (key, json.dumps(value)))
                     for key, value in values.items()])

    def provenance(self) -> dict:
        return {key: json.loads(value) for key, value in self._conn.execute("SELECT key, value FROM provenance")}

    # -- view state --------------------------------------------------------------------------

    def set_view_state(self, **values) -> None:
        self._write([("INSERT OR REPLACE INTO view_state VALUES (?, ?)", (key, json.dumps(value)))
                     for key, value in values.items()])

    def view_state(self) -> dict:
        return {key: json.loads(value) for key, value in self._conn.execute("SELECT key, value FROM view_state")}

    def meta(self) -> dict:
        return dict(self._conn.execute("SELECT key, value FROM meta"))

