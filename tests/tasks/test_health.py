"""Resource probes, storage-fault classification and the back-off of supervised loops."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tunesmith.db.session import Database
from tunesmith.tasks import health
from tunesmith.tasks.health import Backoff, Resources, is_storage_fault, readiness


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    database.migrate()
    yield database
    database.dispose()


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(0.1, 1.0)
    assert [round(backoff.failed(), 3) for _ in range(6)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    backoff.reset()
    assert backoff.failed() == 0.1


def _wrapped(inner: BaseException) -> RuntimeError:
    try:
        raise inner
    except BaseException as exc:
        try:
            raise RuntimeError("while storing") from exc
        except RuntimeError as outer:
            return outer


@pytest.mark.parametrize(("exc", "expected"), [
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (OSError(errno.EROFS, "Read-only file system"), True),
    (OSError(errno.ENOENT, "No such file"), False),
    (OperationalError("COMMIT", {}, sqlite3.OperationalError("database or disk is full")), True),
    (_wrapped(OSError(errno.EDQUOT, "Disk quota exceeded")), True),
    (ValueError("bad"), False),
])
def test_storage_faults_are_recognised_anywhere_in_the_chain(exc: BaseException, expected: bool) -> None:
    assert is_storage_fault(exc) is expected


def test_probes_report_free_space_and_database_writes(tmp_path: Path, db: Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    resources = Resources(db, tmp_path, min_free_bytes=1, interval_s=60)
    assert resources.ready()
    assert not (tmp_path / ".write-probe").exists()
    monkeypatch.setattr(health, "disk_free", lambda path: 0)
    assert resources.ready(), "the result is reused for interval_s"
    resources.invalidate()
    disk, database = resources.checks()
    assert (disk.name, disk.ok, database.ok) == ("disk", False, True)
    assert "0 bytes free" in disk.detail


def test_a_refused_database_write_makes_the_server_not_ready(tmp_path: Path, db: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def refused() -> Iterator[Session]:
        raise OperationalError("BEGIN", {}, sqlite3.OperationalError("attempt to write a readonly database"))
        yield  # pragma: no cover

    monkeypatch.setattr(db, "write", refused)
    report = readiness(Resources(db, tmp_path, min_free_bytes=0, interval_s=0), {"workers": True})
    assert not report.ready
    assert report.as_dict()["database"] == {"ok": False, "detail": "a write transaction failed (OperationalError)"}
    assert report.as_dict()["thread:workers"] == {"ok": True, "detail": "alive"}


def test_a_dead_thread_makes_the_server_not_ready(tmp_path: Path, db: Database) -> None:
    report = readiness(Resources(db, tmp_path, min_free_bytes=0, interval_s=0), {"callbacks": False})
    assert not report.ready and report.as_dict()["thread:callbacks"]["ok"] is False
