"""Hashes of files: a fast content hash for large video files (a cache key), and the SHA-256 of a whole file
(checkpoints, CSVs and model files named in model cards and resume keys)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_SAMPLE_BYTES = 1 << 20  # 1 MiB from the start, the middle and the end


def content_hash(path: str | os.PathLike) -> str:
    """Hex digest identifying a file's content (or a frame folder's file list and sizes).

    For a file: SHA-256 over its size and three 1 MiB samples (start, middle, end); exact for
    files up to 3 MiB. Hashing every byte of a multi-gigabyte interview would take longer than
    the analysis; edits that keep the size and all three samples identical are not detected.
    For a folder: SHA-256 over the names, sizes and modification times of its files.
    """
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for child in sorted(p.iterdir()):
            if child.is_file():
                st = child.stat()
                h.update(f"{child.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return h.hexdigest()
    size = p.stat().st_size
    h.update(str(size).encode())
    with p.open("rb") as f:
        if size <= 3 * _SAMPLE_BYTES:
            h.update(f.read())
        else:
            for offset in (0, size // 2 - _SAMPLE_BYTES // 2, size - _SAMPLE_BYTES):
                f.seek(offset)
                h.update(f.read(_SAMPLE_BYTES))
    return h.hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of every byte of a file, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
