"""The one resolver of ``uploadUrl`` (hosted API §3.4–3.9): every audio-in endpoint turns the URL it was
given into a local, validated audio file here.

* A file link this server signed (``/files/…`` or ``/stream/…``, any host name, as long as the HMAC is
  ours; expired links too, since ownership is checked anyway) is read from storage **without HTTP**:
  an upload of the same API key (its ``downloadUrl``) or a file of a track of a task of the same key
  (``audioUrl``, ``sourceAudioUrl``, ``streamAudioUrl``, stems). Another key's file is "not found".
  A link on this server's own host whose signature does not verify is refused (400).
* Any other URL is fetched through :mod:`tunesmith.webhooks.fetch` (egress guard, no redirects,
  ``uploads.max_url_bytes``, ``uploads.fetch_timeout_s``) into the upload store under the reserved path
  ``.fetched/<hash of the URL>/``, so it is analysed once and reused while it is kept.

Validation, with the body codes the audio-in endpoints document:

==========================================  ====  ==================================================
problem                                     code  message starts with
==========================================  ====  ==================================================
not a URL / not allowed (private address,   400   ``uploadUrl is not allowed: …``
redirect)
file larger than ``uploads.max_url_bytes``  400   ``uploadUrl is too large: …``
download failed (network, timeout, 4xx/5xx) 451   ``could not fetch the source uploadUrl: …``
own link of another key, expired or gone    404   ``uploadUrl not found: …``
not audio                                   400   ``uploadUrl is not an audio file: detected image/png``
undecodable                                 400   ``uploadUrl could not be decoded as audio: …``
longer than the model's limit               400   ``uploadUrl is 130.2 s long; the limit is 120 s``
silent (peak below -60 dBFS)                400   ``uploadUrl is silent: …``
==========================================  ====  ==================================================

The API calls :func:`resolve_upload_url` at submit (probe plus one low-rate decode; cached for uploads),
stores :meth:`ResolvedAudio.to_payload` with the task, and the worker rebuilds it with
:meth:`ResolvedAudio.from_payload` and decodes in its own process with :meth:`ResolvedAudio.decode`.
It blocks (ffmpeg, a download): async callers run it in a thread.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal, cast
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
from sqlalchemy import select

from tunesmith.config import UploadSettings
from tunesmith.db.models import Blob, Task, Track
from tunesmith.db.session import Database
from tunesmith.dsp.types import Audio, db_to_gain
from tunesmith.errors import BadRequest, LinkError, NotFound, SourceUnavailable, TunesmithError
from tunesmith.media.decode import LENGTH_TOLERANCE_S, AudioDecodeError, AudioTooLongError, decode_audio, probe
from tunesmith.media.sniff import EXTENSIONS, is_audio, sniff_file
from tunesmith.storage.blobs import BlobStore
from tunesmith.storage.links import LinkSigner
from tunesmith.storage.uploads import (
    FETCHED_DIR,
    NewUpload,
    UploadRecord,
    is_upload_key,
    owned_upload,
    record_duration,
    save_upload,
    staging_key,
)
from tunesmith.webhooks.fetch import FetchError, FetchRefused, FetchTooLarge, fetch_to_file_sync
from tunesmith.webhooks.guard import EgressPolicy

SILENCE_PEAK_DBFS = -60.0
"""Audio whose loudest sample is below this level (dB full scale) counts as silence."""
CHECK_RATE_HZ = 8000
"""Sample rate of the validation decode (mono): enough to see level and length, cheap for 8 minutes."""

Origin = Literal["upload", "track", "fetched"]
ORIGINS: tuple[Origin, ...] = ("upload", "track", "fetched")


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What the resolver reads and writes; the API and the worker build it from their own objects."""

    db: Database
    store: BlobStore
    signer: LinkSigner
    policy: EgressPolicy
    uploads: UploadSettings


@dataclass(frozen=True, slots=True)
class ResolvedAudio:
    """A validated audio source: the blob ``key`` and its local ``path``, the sniffed ``mime_type``, the
    length in seconds, the size in bytes, where it came from, and the upload or track it belongs to."""

    key: str
    path: Path
    mime_type: str
    duration_s: float
    size: int
    origin: Origin
    upload_id: str | None = None
    track_id: str | None = None

    def decode(self, *, sample_rate: int = 44100, channels: int | None = None) -> tuple[Audio, int]:
        """The audio as float32 ``(channels, samples)`` at ``sample_rate`` Hz (mono stays mono unless
        ``channels`` says otherwise). Raises :class:`~tunesmith.media.decode.AudioDecodeError` if the file
        is gone (retention) or broken."""
        return decode_audio(self.path, max_seconds=self.duration_s + 1.0, sample_rate=sample_rate,
                            channels=channels)

    def to_payload(self) -> dict[str, object]:
        """A JSON-safe description for the task's stored request (no local path: stores may move)."""
        return {"key": self.key, "mimeType": self.mime_type, "durationS": self.duration_s, "size": self.size,
                "origin": self.origin, "uploadId": self.upload_id, "trackId": self.track_id}

    @classmethod
    def from_payload(cls, payload: dict[str, object], store: BlobStore) -> ResolvedAudio:
        """The inverse of :meth:`to_payload`, with the path in ``store``."""
        key, origin = str(payload["key"]), str(payload["origin"])
        if origin not in ORIGINS:
            raise ValueError(f"unknown audio origin {origin!r}")
        upload_id, track_id = payload.get("uploadId"), payload.get("trackId")
        return cls(key, store.local_path(key), str(payload["mimeType"]), float(cast(float, payload["durationS"])),
                   int(cast(int, payload["size"])), origin,
                   str(upload_id) if upload_id else None, str(track_id) if track_id else None)


def resolve_upload_url(url: str, *, key_id: int, ctx: SourceContext, max_seconds: float,
                       field: str = "uploadUrl") -> ResolvedAudio:
    """Resolve and validate ``url`` for API key ``key_id``; ``max_seconds`` is the model's length limit
    (further capped by ``uploads.max_audio_s``); ``field`` names the request field in messages."""
    url = url.strip()
    if not url:
        raise BadRequest(f"{field} is required")
    limit = min(max_seconds, ctx.uploads.max_audio_s)
    own = own_link_key(url, ctx.signer, field=field)
    if own is None:
        return _fetched(url, key_id, ctx, limit, field)
    route, key = own
    if is_upload_key(key):
        return _own_upload(owned_or_404(ctx, key_id, key, field), ctx, limit, field)
    return _own_track_file(route, key, key_id, ctx, limit, field)


def own_link_key(url: str, signer: LinkSigner, *, field: str = "uploadUrl") -> tuple[str, str] | None:
    """``(route, blob key)`` when ``url`` is a file link this server signed, else ``None`` (fetch it).

    The signature decides, not the host name (one server has many names); an expired but authentic link
    still counts. A ``/files/`` or ``/stream/`` link on this server's own host that does not verify is
    refused, since fetching ourselves over HTTP would fail the same way.
    """
    parts = urlsplit(url)
    base = urlsplit(signer.base_url)
    path = unquote(parts.path)
    prefix = base.path.rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    route, _, key = path.lstrip("/").partition("/")
    if route not in ("files", "stream") or not key:
        return None
    query = parse_qs(parts.query)
    exp, sig = (query.get(name, [None])[0] for name in ("exp", "sig"))
    try:
        signer.verify(route, key, exp, sig)
    except LinkError as exc:
        if exc.code == 410:  # authentic, only expired: ownership is checked next
            return route, key
        if (parts.scheme.lower(), parts.netloc.lower()) == (base.scheme.lower(), base.netloc.lower()):
            raise BadRequest(f"{field} is not a valid file link of this server: {exc.message}") from None
        return None
    return route, key


def owned_or_404(ctx: SourceContext, key_id: int, key: str, field: str) -> UploadRecord:
    try:
        return owned_upload(ctx.db, key_id, key)
    except NotFound:
        raise NotFound(f"{field} not found: the upload does not exist, has expired, or belongs to another "
                       "API key") from None


def _own_upload(upload: UploadRecord, ctx: SourceContext, limit: float, field: str) -> ResolvedAudio:
    path = ctx.store.local_path(upload.blob_key)
    if not path.is_file():
        raise NotFound(f"{field} not found: the uploaded file has expired")
    if upload.duration_s is None:
        duration = validate_audio(path, limit, field)
        record_duration(ctx.db, upload.id, duration)
    else:
        duration = upload.duration_s
        _check_length(duration, limit, field)
    return ResolvedAudio(upload.blob_key, path, upload.mime_type, duration, upload.size, "upload",
                         upload_id=upload.id)


def _own_track_file(route: str, key: str, key_id: int, ctx: SourceContext, limit: float,
                    field: str) -> ResolvedAudio:
    """A file of one of this key's tasks: a track's audio, stream or stems, or a job's output."""
    track_id = _owner_track(ctx.db, key, key_id) if key.startswith("tracks/") else None
    if track_id is None and not _owned_job_file(ctx.db, key, key_id):
        raise NotFound(f"{field} not found: the file does not exist or belongs to another API key")
    path = ctx.store.local_path(key)
    if not path.is_file():
        raise NotFound(f"{field} not found: the file has expired")
    mime = _require_audio(path, field)
    try:
        info = probe(path)
    except AudioDecodeError as exc:
        raise BadRequest(f"{field} could not be decoded as audio: {exc.message}") from None
    duration = info.duration_s if info.duration_s is not None else validate_audio(path, limit, field)
    _check_length(duration, limit, field)
    return ResolvedAudio(key, path, mime, duration, path.stat().st_size, "track", track_id=track_id)


def _owner_track(db: Database, key: str, key_id: int) -> str | None:
    """The id of the finished track of this key that ``tracks/<id>/…`` belongs to, or ``None``."""
    track_id = key.split("/")[1]
    with db.read() as s:
        row = s.execute(select(Track.state, Task.key_id).join(Task, Task.id == Track.task_id)
                        .where(Track.id == track_id)).first()
    if row is None or row.key_id != key_id:
        return None
    if row.state != "complete":
        raise BadRequest(f"the track {track_id} has not finished yet; use its audioUrl once it has")
    return track_id


def _owned_job_file(db: Database, key: str, key_id: int) -> bool:
    with db.read() as s:
        owner = s.execute(select(Task.key_id).join(Blob, Blob.task_id == Task.id).where(Blob.key == key)).first()
    return owner is not None and owner.key_id == key_id


def _fetched(url: str, key_id: int, ctx: SourceContext, limit: float, field: str) -> ResolvedAudio:
    """Download ``url`` through the guard, validate it, and keep it in the upload store."""
    staged = ctx.store.local_path(staging_key())
    try:
        _download(url, staged, ctx, field)
        mime = _require_audio(staged, field)
        duration = validate_audio(staged, limit, field)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    new = NewUpload(key_id, f"{FETCHED_DIR}/{name}", "source" + EXTENSIONS[mime], mime, source_url=url)
    upload = save_upload(ctx.db, ctx.store, staged, new, retention=timedelta(days=ctx.uploads.retention_days))
    record_duration(ctx.db, upload.id, duration)
    return ResolvedAudio(upload.blob_key, ctx.store.local_path(upload.blob_key), mime, duration, upload.size,
                         "fetched", upload_id=upload.id)


def _download(url: str, dest: Path, ctx: SourceContext, field: str,
              unavailable: type[TunesmithError] = SourceUnavailable) -> None:
    """Fetch ``url`` into ``dest``; refusals and size are 400, other failures ``unavailable`` (451 here)."""
    try:
        fetch_to_file_sync(url, dest, policy=ctx.policy, max_bytes=ctx.uploads.max_url_bytes,
                           timeout_s=ctx.uploads.fetch_timeout_s)
    except FetchRefused as exc:
        raise BadRequest(f"{field} is not allowed: {exc.message}") from None
    except FetchTooLarge as exc:
        raise BadRequest(f"{field} is too large: {exc.message}") from None
    except FetchError as exc:
        raise unavailable(f"could not fetch the source {field}: {exc.message}") from None


def _require_audio(path: Path, field: str) -> str:
    mime = sniff_file(path)
    if not is_audio(mime):
        raise BadRequest(f"{field} is not an audio file: detected {mime or 'an unknown file type'}")
    assert mime is not None
    return mime


def validate_audio(path: Path, limit: float, field: str = "uploadUrl") -> float:
    """Check that ``path`` is decodable, not silent audio of at most ``limit`` seconds; returns its length
    in seconds (one mono decode at :data:`CHECK_RATE_HZ`)."""
    _require_audio(path, field)
    try:
        audio, rate = decode_audio(path, max_seconds=limit, sample_rate=CHECK_RATE_HZ, channels=1)
    except AudioTooLongError as exc:
        raise BadRequest(f"{field} is {exc.duration_s:.1f} s long; the limit is {limit:g} s") from None
    except AudioDecodeError as exc:
        raise BadRequest(f"{field} could not be decoded as audio: {exc.message}") from None
    if float(np.max(np.abs(audio))) < db_to_gain(SILENCE_PEAK_DBFS):
        raise BadRequest(f"{field} is silent: its loudest sample is below {SILENCE_PEAK_DBFS:g} dBFS")
    return round(float(audio.shape[1]) / rate, 3)


def _check_length(duration_s: float, limit: float, field: str) -> None:
    if duration_s > limit + LENGTH_TOLERANCE_S:
        raise BadRequest(f"{field} is {duration_s:.1f} s long; the limit is {limit:g} s")


# The File Upload API's intake (hosted API §3.23): any accepted type, stored for the key, no validation as audio.

ACCEPTED_TYPES = tuple(EXTENSIONS)
"""Sniffed types the File Upload API stores: audio, MP4/WebM (containers that often hold only audio) and
PNG/JPEG/GIF/WebP images (the hosted API takes cover images too). Anything else is refused, naming what
was detected."""


def staging_path(ctx: SourceContext) -> Path:
    """A fresh local path in the store for a file being received; delete it or pass it to :func:`store_upload`."""
    return ctx.store.local_path(staging_key())


def store_upload(ctx: SourceContext, staged: Path, *, key_id: int, upload_path: str, file_name: str | None,
                 source_url: str | None = None) -> UploadRecord:
    """Sniff the received file at ``staged`` and keep it as ``<upload_path>/<file_name>`` of ``key_id``
    (a random name with the sniffed type's extension when ``file_name`` is ``None``). The staged file is
    moved or deleted, whatever happens."""
    try:
        mime = sniff_file(staged)
        if mime not in ACCEPTED_TYPES:
            raise BadRequest(f"unsupported file type: detected {mime or 'an unknown file type'}; audio (MP3, WAV, "
                             "FLAC, OGG, Opus, M4A, AAC, AIFF), MP4/WebM and images (PNG, JPEG, GIF, WebP) are "
                             "accepted")
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    name = file_name or uuid.uuid4().hex[:16] + EXTENSIONS[mime]
    new = NewUpload(key_id, upload_path, name, mime, source_url=source_url)
    return save_upload(ctx.db, ctx.store, staged, new, retention=timedelta(days=ctx.uploads.retention_days))


def fetch_upload(ctx: SourceContext, url: str, *, key_id: int, upload_path: str,
                 file_name: str | None) -> UploadRecord:
    """``/api/file-url-upload``: fetch ``url`` through the guard and store it like any upload. Every
    failure is a 400 naming ``fileUrl`` (the upload API documents no 451)."""
    staged = staging_path(ctx)
    _download(url, staged, ctx, "fileUrl", unavailable=BadRequest)
    return store_upload(ctx, staged, key_id=key_id, upload_path=upload_path, file_name=file_name, source_url=url)
