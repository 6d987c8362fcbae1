"""The orphan sweep: stored files no row accounts for and stale work folders go, everything else stays."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tunesmith.db.models import Blob
from tunesmith.db.session import Database, utcnow
from tunesmith.storage.blobs import LocalBlobStore
from tunesmith.storage.retention import sweep_orphans

HOUR = 3600.0


def aged(path: Path, seconds: float) -> Path:
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def put(store: LocalBlobStore, key: str, age_s: float) -> Path:
    path = store.local_path(key)
    path.write_bytes(b"x")
    return aged(path, age_s)


def test_sweep_deletes_old_files_without_rows_and_old_work_folders(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    store = LocalBlobStore(tmp_path / "files")
    work = tmp_path / "work"
    registered = put(store, "tracks/a/audio.mp3", 2 * HOUR)
    orphan = put(store, "tracks/b/audio.mp3", 2 * HOUR)
    failed_stream = put(store, "tracks/c/stream.mp3", 2 * HOUR)
    fresh = put(store, "tracks/d/stream.mp3", 60)
    (tmp_path / "files" / "tracks" / "e").mkdir()
    empty = aged(tmp_path / "files" / "tracks" / "e", 2 * HOUR)
    (work / "old").mkdir(parents=True)
    (work / "old" / "part.wav").write_bytes(b"x")
    old_work = aged(work / "old", 2 * HOUR)
    (work / "running").mkdir()
    now = utcnow()
    with db.write() as s:
        s.add(Blob(key="tracks/a/audio.mp3", task_id=None, content_type="audio/mpeg", size=1, created_at=now,
                   expires_at=now))
    assert sweep_orphans(db, store, work, older_than_s=HOUR) == 3
    assert registered.exists() and fresh.exists() and (work / "running").exists()
    assert not orphan.exists() and not failed_stream.exists() and not old_work.exists() and not empty.exists()
    db.dispose()


def test_sweep_without_a_work_folder_or_files(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    assert sweep_orphans(db, LocalBlobStore(tmp_path / "files"), tmp_path / "work", older_than_s=HOUR) == 0
    db.dispose()
