"""Uploaded files: their records, their blob keys and their retention.

An upload is one row of ``uploads`` plus one blob ``uploads/<id>/<fileName>`` (and a ``blobs`` row, so
its signed link answers "expired" once it is gone). Each key sees only its own uploads: ``path`` (the
wire ``filePath``) is unique per API key, and saving the same path again replaces the old file — unless
the bytes are identical, when the old upload (and its validated ``duration_s``) is kept and only its
retention is renewed.

Files are staged under ``staging/`` in the same store first, so the final move is a rename.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tunesmith.db.models import Blob, Upload
from tunesmith.db.session import Database, utcnow
from tunesmith.digest import file_digest
from tunesmith.errors import NotFound
from tunesmith.storage.blobs import BlobStore

UPLOAD_PREFIX = "uploads/"
STAGING_PREFIX = "staging/"
FETCHED_DIR = ".fetched"
"""``uploadPath`` of ``uploadUrl`` sources fetched from other hosts; users cannot name it (a path segment
may not start with a dot), so a fetched source never replaces a user's upload."""


@dataclass(frozen=True, slots=True)
class NewUpload:
    """An upload to save: whose, where (``upload_path``/``file_name``), its sniffed type, where it came from."""

    key_id: int
    upload_path: str
    file_name: str
    mime_type: str
    source_url: str | None = None

    @property
    def path(self) -> str:
        return f"{self.upload_path}/{self.file_name}"


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """A stored upload, detached from the session. ``size`` in bytes; ``duration_s`` is set once the file
    passed validation as audio."""

    id: str
    key_id: int
    path: str
    file_name: str
    blob_key: str
    mime_type: str
    size: int
    sha256: str
    source_url: str | None
    duration_s: float | None
    created_at: datetime
    expires_at: datetime


def staging_key() -> str:
    """A fresh store key for a file being received (deleted or moved when the upload ends)."""
    return f"{STAGING_PREFIX}{uuid.uuid4().hex}.part"


def upload_blob_key(upload_id: str, file_name: str) -> str:
    return f"{UPLOAD_PREFIX}{upload_id}/{file_name}"


def is_upload_key(key: str) -> bool:
    return key.startswith(UPLOAD_PREFIX)


def save_upload(db: Database, store: BlobStore, staged: Path, new: NewUpload, *,
                retention: timedelta) -> UploadRecord:
    """Store the file at ``staged`` (moved into place) as ``new``, replacing this key's upload at the same
    path; returns the record. On any error the staged file and the new blob are deleted."""
    try:
        size, sha256 = file_digest(staged)
        upload_id = uuid.uuid4().hex
        blob_key = upload_blob_key(upload_id, new.file_name)
        store.put_file(blob_key, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    now = utcnow()
    try:
        with db.write() as s:
            old = s.scalars(select(Upload).where(Upload.key_id == new.key_id, Upload.path == new.path)).first()
            if old is not None and old.sha256 == sha256 and store.exists(old.blob_key):
                _renew(s, old, now, retention)
                kept, stale = _record(old), [blob_key]
            else:
                stale = _drop(s, old, now) if old is not None else []
                row = Upload(id=upload_id, key_id=new.key_id, path=new.path, file_name=new.file_name,
                             blob_key=blob_key, mime_type=new.mime_type, size=size, sha256=sha256,
                             source_url=new.source_url, created_at=now, expires_at=now + retention)
                s.add(row)
                s.add(Blob(key=blob_key, task_id=None, content_type=new.mime_type, size=size, created_at=now,
                           expires_at=now + retention))
                kept = _record(row)
    except BaseException:
        store.delete(blob_key)
        raise
    for key in stale:
        store.delete(key)
    return kept


def find_by_blob_key(db: Database, blob_key: str) -> UploadRecord | None:
    with db.read() as s:
        row = s.scalars(select(Upload).where(Upload.blob_key == blob_key)).first()
        return _record(row) if row is not None else None


def owned_upload(db: Database, key_id: int, blob_key: str) -> UploadRecord:
    """This key's upload stored under ``blob_key``; another key's (or a deleted) upload is not found."""
    found = find_by_blob_key(db, blob_key)
    if found is None or found.key_id != key_id:
        raise NotFound("Upload not found: the file does not exist, has expired, or belongs to another API key")
    return found


def record_duration(db: Database, upload_id: str, duration_s: float) -> None:
    """Remember that the upload is valid audio of ``duration_s`` seconds (validation is not repeated)."""
    with db.write() as s:
        s.execute(update(Upload).where(Upload.id == upload_id).values(duration_s=duration_s))


def sweep_expired(db: Database, store: BlobStore, *, limit: int = 1000) -> int:
    """Delete up to ``limit`` uploads past their retention (files and rows); returns how many."""
    now = utcnow()
    stale: list[str] = []
    with db.write() as s:
        expired = list(s.scalars(select(Upload).where(Upload.expires_at <= now).limit(limit)))
        for row in expired:
            stale += _drop(s, row, now)
    for key in stale:
        store.delete(key)
    return len(expired)


def _renew(s: Session, row: Upload, now: datetime, retention: timedelta) -> None:
    row.created_at, row.expires_at = now, now + retention
    s.execute(update(Blob).where(Blob.key == row.blob_key).values(expires_at=now + retention))


def _drop(s: Session, row: Upload, now: datetime) -> list[str]:
    """Delete the upload's row and mark its blob deleted (its link answers "expired"); returns the keys
    whose files the caller deletes after the commit."""
    s.execute(update(Blob).where(Blob.key == row.blob_key).values(deleted_at=now))
    s.execute(delete(Upload).where(Upload.id == row.id))
    return [row.blob_key]


def _record(row: Upload) -> UploadRecord:
    return UploadRecord(row.id, row.key_id, row.path, row.file_name, row.blob_key, row.mime_type, row.size,
                        row.sha256, row.source_url, row.duration_s, row.created_at, row.expires_at)
