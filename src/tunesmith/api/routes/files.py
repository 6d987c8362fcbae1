"""Signed file links: finished files, and the progressive MP3 stream of a track being produced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse

from tunesmith.api.deps import ContainerDep
from tunesmith.api.openapi import envelope_response
from tunesmith.db.models import Blob
from tunesmith.errors import LinkError
from tunesmith.tasks import service
from tunesmith.tasks.transitions import CONTENT_TYPES

router = APIRouter(tags=["files"])

CHUNK = 64 * 1024
STREAM_POLL_S = 0.2
STREAM_MAX_WAIT_S = 1800.0

EXPIRED = "This file has expired and was deleted after the retention period"

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_LINK_ERRORS: dict[int | str, dict[str, Any]] = {
    403: envelope_response("The signature does not match the link (tampered with, or not signed here)"),
    404: envelope_response("No such stream, or a key outside the file store"),
    410: envelope_response("The link or the file has expired"),
}
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {**_LINK_ERRORS, 200: {
    "description": "The file, with its stored type (audio, image, video, a score's JSON)",
    "content": {t: _BINARY for t in ("audio/*", "image/*", "video/*", "application/json", "application/octet-stream")}}}
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {**_LINK_ERRORS, 200: {
    "description": "The track's MP3, sent as it is produced (chunked; ends when the track is finished)",
    "content": {"audio/mpeg": _BINARY}}}


def _check_not_swept(c: ContainerDep, key: str) -> str:
    """Refuse a swept file; returns the stored content type ("" when the blob has none)."""
    with c.db.read() as s:
        blob = s.get(Blob, key)
    if blob is not None and blob.deleted_at is not None:
        raise LinkError(EXPIRED, expired=True)
    return blob.content_type if blob is not None else ""


@router.get("/files/{key:path}", summary="Download a generated file (signed link)", response_class=FileResponse,
            responses=DOWNLOAD_RESPONSES)
def download(key: str, c: ContainerDep, exp: str | None = None, sig: str | None = None) -> FileResponse:
    c.signer.verify("files", key, exp, sig)
    stored_type = _check_not_swept(c, key)  # uploads keep the type sniffed from their bytes
    if not c.store.exists(key):
        raise LinkError(EXPIRED, expired=True)
    suffix = "." + key.rsplit(".", 1)[-1]
    media_type = stored_type or CONTENT_TYPES.get(suffix, "application/octet-stream")
    return FileResponse(c.store.local_path(key), media_type=media_type)


async def _tail(c: ContainerDep, path: Path, track_id: str) -> AsyncIterator[bytes]:
    """Yield the stream file as it grows; stop once the track is finished (or failed) and fully sent."""
    sent = 0
    waited = 0.0
    while waited < STREAM_MAX_WAIT_S:
        found = await asyncio.to_thread(service.get_track, c.db, track_id)
        state = found[1].state if found else "failed"
        size = path.stat().st_size if path.exists() else 0
        if size > sent:
            with path.open("rb") as f:
                f.seek(sent)
                while sent < size:
                    chunk = f.read(min(CHUNK, size - sent))
                    if not chunk:
                        break
                    sent += len(chunk)
                    yield chunk
            continue
        if state in ("complete", "failed"):
            return
        await asyncio.sleep(STREAM_POLL_S)
        waited += STREAM_POLL_S


@router.get("/stream/{key:path}", summary="Stream a track's MP3 while it is produced (signed link)",
            response_class=StreamingResponse, responses=STREAM_RESPONSES)
def stream(key: str, c: ContainerDep, exp: str | None = None, sig: str | None = None) -> StreamingResponse:
    c.signer.verify("stream", key, exp, sig)
    _check_not_swept(c, key)
    parts = key.split("/")
    found = service.get_track(c.db, parts[1]) if len(parts) == 3 and parts[0] == "tracks" else None
    if found is None or found[1].stream_key != key:
        raise LinkError("No such stream")
    path = c.store.local_path(key)
    if found[1].state == "complete" and not path.exists():
        raise LinkError(EXPIRED, expired=True)
    return StreamingResponse(_tail(c, path, found[1].id), media_type="audio/mpeg",
                             headers={"Cache-Control": "no-store"})
