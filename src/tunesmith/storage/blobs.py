"""Blob storage behind one small interface: local disk now, S3-compatible stores later.

Keys are relative POSIX paths such as ``tracks/<uuid>/audio.mp3``. The server makes them; the one way a key
comes back from outside is a signed file link, and a key that leaves the store (``..``, an absolute path, a
NUL) is :class:`~tunesmith.errors.NotFound` there, whatever the signature says.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from tunesmith.errors import NotFound


class BlobStore(Protocol):
    def local_path(self, key: str) -> Path:
        """A local path where the file for ``key`` lives (or will be written while it is produced)."""

    def put_file(self, key: str, source: Path) -> int:
        """Store ``source`` under ``key`` (moving it when possible); returns the size in bytes."""

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def local_path(self, key: str) -> Path:
        path = self._inside(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _inside(self, key: str) -> Path:
        """The path of ``key`` under the root; :class:`NotFound` for a key that cannot name a file there."""
        if "\0" in key:
            raise NotFound("No such file")
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise NotFound("No such file")
        return path

    def put_file(self, key: str, source: Path) -> int:
        target = self.local_path(key)
        if source.resolve() != target:
            shutil.move(str(source), target)
        return target.stat().st_size

    def open(self, key: str) -> BinaryIO:
        return self.local_path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.local_path(key).is_file()

    def delete(self, key: str) -> None:
        self.local_path(key).unlink(missing_ok=True)
