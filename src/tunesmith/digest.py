"""SHA-256 of files, read in 1 MiB blocks: the one helper for pinned model weights, uploads and caches."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1 << 20


def file_digest(path: Path) -> tuple[int, str]:
    """Size in bytes and hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(BLOCK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``."""
    return file_digest(path)[1]
