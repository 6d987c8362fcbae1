"""The retention sweeper: deletes files whose retention period has passed and marks them deleted,
so their links answer "expired" instead of "not found". Uploads (``uploads.retention_days``) go with
their rows.

The orphan sweep deletes what no row accounts for: stored files without a blob row (a track whose database
write failed, an upload cut off mid-way) and work folders, once older than a grace period longer than any
task may run (so nothing in progress is touched)."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

from sqlalchemy import select

from tunesmith.db.models import Blob
from tunesmith.db.session import Database, utcnow
from tunesmith.storage.blobs import BlobStore
from tunesmith.storage.uploads import sweep_expired


def sweep(db: Database, store: BlobStore, *, limit: int = 1000) -> int:
    """Delete up to ``limit`` expired uploads and up to ``limit`` expired blobs; returns how many were deleted."""
    uploads = sweep_expired(db, store, limit=limit)
    now = utcnow()
    with db.read() as s:
        keys = list(s.scalars(select(Blob.key).where(Blob.expires_at <= now, Blob.deleted_at.is_(None))
                              .limit(limit)))
    for key in keys:
        store.delete(key)
    if keys:
        with db.write() as s:
            for blob in s.scalars(select(Blob).where(Blob.key.in_(keys))):
                blob.deleted_at = now
    return uploads + len(keys)


def sweep_orphans(db: Database, store: BlobStore, work_dir: Path, *, older_than_s: float, batch: int = 500) -> int:
    """Delete stored files without a blob row and work folders, both untouched for ``older_than_s`` seconds;
    returns how many were deleted."""
    cutoff = time.time() - older_than_s
    deleted = 0
    keys = list(store.stale_keys(cutoff))
    for start in range(0, len(keys), batch):
        chunk = keys[start:start + batch]
        with db.read() as s:
            known = set(s.scalars(select(Blob.key).where(Blob.key.in_(chunk))))
        for key in chunk:
            if key not in known:
                store.delete(key)
                deleted += 1
    for folder in work_dir.iterdir() if work_dir.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):  # gone meanwhile: its task finished
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                deleted += 1
    return deleted
