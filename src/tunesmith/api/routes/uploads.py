"""File Upload API (hosted API §3.23): ``POST /api/file-base64-upload``, ``/api/file-stream-upload`` and
``/api/file-url-upload``. Free (no credits). Files are kept ``uploads.retention_days`` per API key.

These answers carry ``success`` next to ``code``/``msg``/``data``, errors included: :class:`UploadRoute`
adds it to whatever the one error mapping (:mod:`tunesmith.api.errors`) rendered. A missing or bad key is
the hosted "Authentication failed: Invalid API Key". Each route has its own body limit instead of
``server.max_body_bytes``: the base64 JSON may be 4/3 of ``uploads.max_base64_bytes`` plus a little;
the multipart stream is written to disk part by part and cut off (the partial file deleted) once the
file passes ``uploads.max_stream_bytes``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from tunesmith.api.deps import Container, ContainerDep, get_container, get_key, read_json
from tunesmith.api.schemas.uploads import (
    base64_body_limit,
    client_file_name,
    decode_base64_data,
    required_text,
    upload_answer,
    upload_target,
)
from tunesmith.errors import BadRequest, Unauthorized
from tunesmith.storage.uploads import UploadRecord
from tunesmith.tasks.accounts import KeyInfo
from tunesmith.tasks.sources import SourceContext, fetch_upload, staging_path, store_upload

AUTH_FAILED = "Authentication failed: Invalid API Key"
FIELD_MAX = 4096
"""Largest non-file multipart field (``uploadPath``, ``fileName``, unknown ones) in bytes."""
HEADER_MAX = 16 * 1024
"""Largest header block of one multipart part, and largest preamble, in bytes."""
MULTIPART_SLACK = 64 * 1024
"""Bytes a multipart body may exceed ``max_stream_bytes`` by (boundaries, headers, the small fields)."""

_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))', re.IGNORECASE)
_PARAM = re.compile(r';\s*([\w*-]+)="?((?<=")(?:[^"\\]|\\.)*|[^";]*)"?')


class UploadRoute(APIRoute):
    """Adds the §3.23 ``success`` flag to every answer; errors are rendered by the app's handlers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                response = await _render_error(request, exc)
            return _with_success(response)

        return route


async def _render_error(request: Request, exc: Exception) -> Response:
    """The response the app's exception handler for ``exc`` gives (the one mapping in ``api.errors``)."""
    handlers = request.app.exception_handlers
    handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)
    if handler is None:
        raise exc
    response = handler(request, exc)
    rendered: Response = await response if inspect.isawaitable(response) else response
    return rendered


def _with_success(response: Response) -> Response:
    if not isinstance(response, JSONResponse):
        return response
    body = json.loads(bytes(response.body))
    if not isinstance(body, dict) or "code" not in body or "success" in body:
        return response
    retry_after = response.headers.get("retry-after")
    headers = None if retry_after is None else {"Retry-After": retry_after}
    return JSONResponse({"success": body["code"] == 200, **body}, status_code=response.status_code, headers=headers)


def upload_key(request: Request, c: Annotated[Container, Depends(get_container)]) -> KeyInfo:
    """The caller's key; any failure is the hosted API's single 401 message."""
    try:
        return get_key(request, c)
    except Unauthorized:
        raise Unauthorized(AUTH_FAILED) from None


UploadKeyDep = Annotated[KeyInfo, Depends(upload_key)]
router = APIRouter(prefix="/api", tags=["uploads"], route_class=UploadRoute)

_TEXT = {"type": "string"}
_TARGET = {"uploadPath": {**_TEXT, "example": "audio/user-uploads"}, "fileName": _TEXT}


def _body_doc(content_type: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """The request body for the OpenAPI page (the routes read their bodies themselves, size-capped)."""
    schema = {"type": "object", "properties": {**properties, **_TARGET}, "required": [*required, "uploadPath"]}
    return {"requestBody": {"required": True, "content": {content_type: {"schema": schema}}}}


def _sources(c: Container) -> SourceContext:
    return SourceContext(c.db, c.store, c.signer, c.egress, c.settings.uploads)


def _answer(upload: UploadRecord, c: Container) -> JSONResponse:
    return JSONResponse(upload_answer(upload, c.signer))


@router.post("/file-base64-upload", summary="Upload a file as base64 or a data URI (small files)",
             openapi_extra=_body_doc("application/json", {"base64Data": _TEXT}, ["base64Data"]))
async def base64_upload(request: Request, key: UploadKeyDep, c: ContainerDep) -> JSONResponse:
    limit = c.settings.uploads.max_base64_bytes
    body = await _json_body(request, base64_body_limit(limit))
    data = required_text(body, "base64Data")
    target = upload_target(body.get("uploadPath"), body.get("fileName"))
    upload = await run_in_threadpool(_store_base64, c, key.id, data, target.upload_path, target.file_name)
    return _answer(upload, c)


def _store_base64(c: Container, key_id: int, data: str, upload_path: str, file_name: str | None) -> UploadRecord:
    content = decode_base64_data(data, c.settings.uploads.max_base64_bytes)
    ctx = _sources(c)
    staged = staging_path(ctx)
    try:
        staged.write_bytes(content)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return store_upload(ctx, staged, key_id=key_id, upload_path=upload_path, file_name=file_name)


@router.post("/file-url-upload", summary="Upload a file from a public http(s) URL",
             openapi_extra=_body_doc("application/json", {"fileUrl": {**_TEXT, "format": "uri"}}, ["fileUrl"]))
async def url_upload(request: Request, key: UploadKeyDep, c: ContainerDep) -> JSONResponse:
    body = await _json_body(request, c.settings.server.max_body_bytes)
    url = required_text(body, "fileUrl")
    target = upload_target(body.get("uploadPath"), body.get("fileName"))
    upload = await run_in_threadpool(lambda: fetch_upload(
        _sources(c), url, key_id=key.id, upload_path=target.upload_path, file_name=target.file_name))
    return _answer(upload, c)


@router.post("/file-stream-upload", summary="Upload a file as multipart/form-data (large files)",
             openapi_extra=_body_doc("multipart/form-data", {"file": {**_TEXT, "format": "binary"}}, ["file"]))
async def stream_upload(request: Request, key: UploadKeyDep, c: ContainerDep) -> JSONResponse:
    limit = c.settings.uploads.max_stream_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise BadRequest(f"file is larger than {limit} bytes, the limit for this route")
    ctx = _sources(c)
    form = _Form(staging_path(ctx), limit)
    try:
        await _receive(request, MultipartParser(_boundary(request)), form)
        if form.file_name is None:
            raise BadRequest("Missing required parameter: file")
        target = upload_target(form.fields.get("uploadPath"), form.fields.get("fileName"))
        name = target.file_name or client_file_name(form.file_name)
    except BaseException:
        form.discard()
        raise
    upload = await run_in_threadpool(lambda: store_upload(
        ctx, form.staged, key_id=key.id, upload_path=target.upload_path, file_name=name))
    return _answer(upload, c)


async def _receive(request: Request, parser: MultipartParser, form: _Form) -> None:
    async for chunk in request.stream():
        for event, value in parser.feed(chunk):
            form.feed(event, value)
        if parser.done:
            return
    raise BadRequest("the multipart body ended before its closing boundary")


async def _json_body(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object (the API's one JSON reader), at most ``limit`` bytes (400, as §3.23 has no 413)."""
    return await read_json(request, limit, BadRequest, ", the limit for this route")


def _boundary(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "")
    found = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/form-data") or found is None:
        raise BadRequest("Content-Type must be multipart/form-data with a boundary")
    return (found.group(1) or found.group(2)).encode("latin-1")


@dataclass
class _Form:
    """Collects the parts: the ``file`` part goes to ``staged`` on disk, small fields into ``fields``."""

    staged: Path
    limit: int
    fields: dict[str, str] = field(default_factory=dict)
    file_name: str | None = None
    _name: str = ""
    _text: bytearray = field(default_factory=bytearray)
    _size: int = 0
    _handle: Any = None

    def feed(self, event: str, value: Any) -> None:
        if event == "headers":
            self._start(value)
        elif event == "data":
            self._data(value)
        else:
            self._end()

    def _start(self, headers: dict[str, str]) -> None:
        params = dict(_PARAM.findall(";" + headers.get("content-disposition", "").partition(";")[2]))
        self._name = params.get("name", "")
        if self._name == "file" and ("filename" in params or "filename*" in params):
            if self.file_name is not None:
                raise BadRequest("only one file per request")
            extended = params.get("filename*", "").partition("''")[2]  # RFC 5987: UTF-8''caf%C3%A9.mp3
            self.file_name = unquote(extended) if extended else params.get("filename", "")
            self._handle = self.staged.open("wb")

    def _data(self, chunk: bytes) -> None:
        if self._handle is not None:
            self._size += len(chunk)
            if self._size > self.limit:
                raise BadRequest(f"file is larger than {self.limit} bytes, the limit for this route")
            self._handle.write(chunk)
            return
        self._text += chunk
        if len(self._text) > FIELD_MAX:
            raise BadRequest(f"form field {self._name!r} is longer than {FIELD_MAX} bytes")

    def _end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            if self._size == 0:
                raise BadRequest("file is empty")
        elif self._name:
            try:
                self.fields.setdefault(self._name, self._text.decode("utf-8"))
            except UnicodeDecodeError:
                raise BadRequest(f"form field {self._name!r} is not valid UTF-8") from None
        self._text = bytearray()

    def discard(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self.staged.unlink(missing_ok=True)


class MultipartParser:
    """A streaming ``multipart/form-data`` parser: :meth:`feed` takes the body chunk by chunk and returns
    the events it completes — ``("headers", {name: value})``, ``("data", bytes)``…, ``("end", None)`` per
    part. It holds at most one chunk plus a boundary's length (and one part's headers) in memory."""

    def __init__(self, boundary: bytes) -> None:
        self._delimiter = b"\r\n--" + boundary
        self._buffer = bytearray(b"\r\n")  # the first boundary has no CRLF before it
        self._state = "preamble"

    @property
    def done(self) -> bool:
        """True once the closing boundary was read (anything after it is ignored)."""
        return self._state == "done"

    def feed(self, chunk: bytes) -> list[tuple[str, Any]]:
        self._buffer += chunk
        events: list[tuple[str, Any]] = []
        while self._state != "done" and self._step(events):
            pass
        return events

    def _step(self, events: list[tuple[str, Any]]) -> bool:
        """Make one transition; ``False`` when more input is needed."""
        if self._state == "preamble":
            return self._find_first_boundary()
        if self._state == "delimiter":
            return self._after_delimiter()
        if self._state == "headers":
            headers = _part_headers(self._buffer)
            if headers is None:
                return False
            events.append(("headers", headers))
            self._state = "body"
            return True
        return self._body(events)

    def _find_first_boundary(self) -> bool:
        at = self._buffer.find(self._delimiter)
        if at < 0:
            if len(self._buffer) > HEADER_MAX:
                raise BadRequest("the multipart body does not start with its boundary")
            return False
        del self._buffer[:at + len(self._delimiter)]
        self._state = "delimiter"
        return True

    def _after_delimiter(self) -> bool:
        """After a boundary: ``--`` closes the body, CRLF starts a part (transport padding tolerated)."""
        buffer = self._buffer
        if buffer.startswith(b"--"):
            self._state = "done"
            return False
        end = buffer.find(b"\r\n")
        if end < 0:
            if len(buffer) > HEADER_MAX:
                raise BadRequest("malformed multipart boundary line")
            return False
        if buffer[:end].strip(b" \t"):
            raise BadRequest("malformed multipart boundary line")
        del buffer[:end + 2]
        self._state = "headers"
        return True

    def _body(self, events: list[tuple[str, Any]]) -> bool:
        """Pass on the part's bytes up to the next boundary (or up to a possible partial boundary)."""
        at = self._buffer.find(self._delimiter)
        keep = at if at >= 0 else len(self._buffer) - len(self._delimiter) + 1
        if keep > 0:
            events.append(("data", bytes(self._buffer[:keep])))
            del self._buffer[:keep]
        if at < 0:
            return False
        del self._buffer[:len(self._delimiter)]
        events.append(("end", None))
        self._state = "delimiter"
        return True


def _part_headers(buffer: bytearray) -> dict[str, str] | None:
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > HEADER_MAX:
            raise BadRequest("a multipart part's headers are too long")
        return None
    lines = bytes(buffer[:end]).decode("utf-8", "replace").split("\r\n")
    del buffer[:end + 4]
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers
