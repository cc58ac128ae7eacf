"""Crash-safe file writes: a temporary file in the target's folder, flushed and fsync'ed, then
`os.replace`. A failure at any step leaves the previous file exactly as it was (never 0 bytes)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, text: bool = False, encoding: str = "utf-8") -> Iterator[IO]:
    """`with atomic_writer(p) as handle: handle.write(...)` — streamed, so a long analysis need not
    hold its output in memory. The target is replaced only after everything was written, flushed
    and fsync'ed; an error, an interrupt or a cancelled run leaves it untouched. The folder must exist."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"{target}: folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with (os.fdopen(fd, "w", encoding=encoding, newline="") if text else os.fdopen(fd, "wb")) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically; returns the path. The folder must exist."""
    with atomic_writer(path) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    with atomic_writer(path, text=True, encoding=encoding) as handle:
        handle.write(text)
    return Path(path)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open folders, and needs no such step."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
