"""Blob storage behind one small interface: local disk now, S3-compatible stores later.

Keys are relative POSIX paths such as ``tracks/<uuid>/audio.mp3``. The server makes them; the one way a key
comes back from outside is a signed file link, and a key that leaves the store (``..``, an absolute path, a
NUL) is :class:`~tunesmith.errors.NotFound` there, whatever the signature says.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
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

    def stale_keys(self, older_than: float) -> Iterator[str]:
        """Keys of the files last written before ``older_than`` (a POSIX time), for the orphan sweep."""


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

    def stale_keys(self, older_than: float) -> Iterator[str]:
        """Also removes the empty folders last changed before ``older_than`` that it passes (those of tracks
        swept earlier); a folder in use has a newer time, since writing a file into it changes its own."""
        for folder, dirs, files in os.walk(self.root, topdown=False):
            here = Path(folder)
            for name in files:
                if _mtime(here / name) < older_than:
                    yield (here / name).relative_to(self.root).as_posix()
            if here != self.root and not dirs and not files and _mtime(here) < older_than:
                with contextlib.suppress(OSError):  # something was written into it meanwhile
                    here.rmdir()


def _mtime(path: Path) -> float:
    """``path``'s modification time; infinitely new when it is gone already."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")
