"""Resource probes and the back-off of supervised loops.

The server can do paid work only while it can write its results: enough free space on the data dir's
filesystem and a database that accepts a write. :class:`Resources` probes both, at most once per
``interval_s`` (callers on the request path and every idle worker ask it), and a worker that meets a storage
fault asks for a fresh probe at once (:meth:`Resources.invalidate`). The probes are real: ``statvfs`` free
bytes, a small file written in the data dir, and a write transaction on the database.

Readiness is the resources plus the liveness of the server's long-lived threads (:func:`readiness`), as the
``/readyz`` route reports it. Every supervised loop (workers, callback dispatcher) waits between failed rounds
with :class:`Backoff`, so a fault is logged, never spun on, and the loop goes on when it clears.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tunesmith.db.session import Database

STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})
"""``OSError`` numbers that mean "the storage cannot take this write" (full, over quota, read-only)."""

_PROBE_BYTES = 4096


def disk_free(path: Path) -> int:
    """Bytes an unprivileged writer may still use on ``path``'s filesystem (``statvfs``'s ``f_bavail``)."""
    return shutil.disk_usage(path).free


def is_storage_fault(exc: BaseException) -> bool:
    """True for the failures of a full or unwritable disk or database, wherever in the chain they sit."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SQLAlchemyError):
            return True
        if isinstance(seen, OSError) and seen.errno in STORAGE_ERRNOS:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class Check:
    """One probe's outcome; ``detail`` is for operators (free bytes, the failing step), never a user."""

    name: str
    ok: bool
    detail: str


class Resources:
    """Disk space and database writability of one data dir, probed at most every ``interval_s`` seconds."""

    def __init__(self, db: Database, data_dir: Path, *, min_free_bytes: int, interval_s: float) -> None:
        self.db, self.data_dir = db, data_dir
        self.min_free_bytes, self.interval_s = min_free_bytes, interval_s
        self._lock = threading.Lock()
        self._checks: tuple[Check, ...] = ()
        self._at = -float("inf")

    def checks(self) -> tuple[Check, ...]:
        with self._lock:
            if time.monotonic() - self._at >= self.interval_s:
                self._checks = (self._disk(), self._database())
                self._at = time.monotonic()
            return self._checks

    def ready(self) -> bool:
        return all(c.ok for c in self.checks())

    def invalidate(self) -> None:
        """Probe again at the next question (a caller just met a storage fault)."""
        with self._lock:
            self._at = -float("inf")

    def _disk(self) -> Check:
        try:
            free = disk_free(self.data_dir)
            if free < self.min_free_bytes:
                return Check("disk", False, f"{free} bytes free, below the minimum of {self.min_free_bytes}")
            probe = self.data_dir / ".write-probe"
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, b"\0" * _PROBE_BYTES)  # a full disk refuses it here (blocks are reserved on write)
            finally:
                os.close(fd)
                probe.unlink(missing_ok=True)
        except OSError as exc:
            return Check("disk", False, f"cannot write to the data dir: {os.strerror(exc.errno or 0)}")
        return Check("disk", True, f"{free} bytes free")

    def _database(self) -> Check:
        try:
            with self.db.write() as s:
                if self.db.is_sqlite:  # rewriting the header's user_version is a real page write
                    version = int(s.execute(text("PRAGMA user_version")).scalar_one())
                    s.execute(text(f"PRAGMA user_version = {version}"))
                else:
                    s.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return Check("database", False, f"a write transaction failed ({type(exc).__name__})")
        return Check("database", True, "writable")


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, dict[str, object]]:
        return {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks}


def readiness(resources: Resources, threads: Mapping[str, bool]) -> Readiness:
    """The resources' checks and one check per long-lived thread (name → alive)."""
    alive = tuple(Check(f"thread:{name}", ok, "alive" if ok else "dead") for name, ok in threads.items())
    return Readiness(resources.checks() + alive)


class Backoff:
    """Delays after consecutive failures: ``base_s``, doubled each time, at most ``cap_s``; reset on success."""

    def __init__(self, base_s: float, cap_s: float) -> None:
        self.base_s, self.cap_s = base_s, cap_s
        self._failures = 0

    def failed(self) -> float:
        """Count a failure and return the seconds to wait before the next round."""
        self._failures += 1
        return min(self.cap_s, self.base_s * 2.0 ** min(self._failures - 1, 16))

    def reset(self) -> None:
        self._failures = 0

