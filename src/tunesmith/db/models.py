"""Storage records. These are not wire shapes: routes translate explicitly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("credits >= 0", name="credits_nonnegative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    credits: Mapped[int] = mapped_column(Integer, default=0)
    webhook_secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LedgerEntry(Base):
    """Every change of a balance. ``UNIQUE(task_id, reason)`` makes a debit or refund happen once."""

    __tablename__ = "ledger"
    __table_args__ = (UniqueConstraint("task_id", "reason", name="uq_ledger_task_reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # grant | adjust | debit | refund
    balance_after: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_claim", "status", "lease_expires_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    operation: Mapped[str] = mapped_column(String(30))  # generate, extend, …
    status: Mapped[str] = mapped_column(String(30))
    param_json: Mapped[str] = mapped_column(Text)  # the request as received (wire JSON)
    request_json: Mapped[str] = mapped_column(Text)  # the engine request
    plan_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # job tasks: their outputs
    # the audioId or taskId a job works on
    source_id: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    model: Mapped[str] = mapped_column(String(20))
    callback_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    parent_music_id: Mapped[str] = mapped_column(String(64), default="")
    cost: Mapped[int] = mapped_column(Integer, default=0)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=2)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Track(Base):
    """One of the (two) songs of a task, with the files the engine left."""

    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("task_id", "idx", name="uq_tracks_task_idx"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the audioId (UUID)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="planned")  # planned | complete | failed
    title: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    model_name: Mapped[str] = mapped_column(String(40), default="")
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    audio_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    stream_key: Mapped[str] = mapped_column(String(200))
    image_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    score_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    stems_json: Mapped[str] = mapped_column(Text, default="{}")  # family -> blob key
    words_json: Mapped[str] = mapped_column(Text, default="[]")
    stages_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Persona(Base):
    """A persona (hosted API §3.11): the voice and style fingerprint of one track, one per track."""

    __tablename__ = "personas"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the personaId
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    track_id: Mapped[str] = mapped_column(String(36), unique=True)  # the source audioId
    task_id: Mapped[str] = mapped_column(String(32))  # the source music task
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    style_label: Mapped[str] = mapped_column(Text, default="")  # the request's optional ``style``
    voice: Mapped[str | None] = mapped_column(String(40), nullable=True)  # singer voice id; None: no vocals
    fingerprint: Mapped[str] = mapped_column(Text, default="")  # style text: tags, genre, tempo, key
    vocal_start: Mapped[float] = mapped_column(Float, default=0.0)  # seconds
    vocal_end: Mapped[float] = mapped_column(Float, default=30.0)  # seconds
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Blob(Base):
    """A stored file, so the retention sweeper can find and delete it."""

    __tablename__ = "blobs"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Upload(Base):
    """A user's file from the File Upload API (hosted API §3.23), or an ``uploadUrl`` fetched from another
    host. One per (API key, ``path``): the same path uploaded again replaces it. Deleted with its files when
    ``expires_at`` passes (``uploads.retention_days``)."""

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("key_id", "path", name="uq_uploads_key_path"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    path: Mapped[str] = mapped_column(String(512))  # the wire ``filePath``: ``<uploadPath>/<fileName>``
    file_name: Mapped[str] = mapped_column(String(200))
    blob_key: Mapped[str] = mapped_column(String(200), unique=True)  # ``uploads/<id>/<fileName>``
    mime_type: Mapped[str] = mapped_column(String(50))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)  # bytes
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)  # fetched uploads
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)  # set once validated as audio
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class OutboxMessage(Base):
    """A callback to deliver, written in the same transaction as the state change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("task_id", "stage", name="uq_outbox_task_stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(32), index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    stage: Mapped[str] = mapped_column(String(20))  # text | first | complete | error
    url: Mapped[str] = mapped_column(String(2048))
    body: Mapped[str] = mapped_column(Text)  # rendered at the first attempt, resent unchanged
    track_ids: Mapped[str] = mapped_column(Text, default="[]")  # tracks finished at this stage
    msg_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
