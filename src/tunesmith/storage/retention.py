"""The retention sweeper: deletes files whose retention period has passed and marks them deleted,
so their links answer "expired" instead of "not found". Uploads (``uploads.retention_days``) go with
their rows."""

from __future__ import annotations

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
