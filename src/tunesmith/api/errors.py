"""The one place where exceptions become the ``{code, msg, data}`` envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tunesmith.errors import TunesmithError

log = logging.getLogger(__name__)


def envelope(code: int, msg: str, data: Any = None) -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data}


def ok(data: Any) -> dict[str, Any]:
    return envelope(200, "success", data)


def _response(request: Request, code: int, msg: str, http_status: int, data: Any = None,
              retry_after_s: int | None = None) -> JSONResponse:
    mirror = request.app.state.container.settings.server.mirror_http_status
    path = request.url.path
    is_file = path.startswith("/files/") or path.startswith("/stream/")
    status = http_status if (mirror or is_file) else 200
    headers = None if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    return JSONResponse(envelope(code, msg, data), status_code=status, headers=headers)


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """Name the field of the first pydantic error: ``customMode: Input should be a valid boolean``."""
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    if first.get("type") == "missing":
        return f"{loc} is required"
    return f"{loc}: {first.get('msg', 'invalid value')}"


def install(app: FastAPI) -> None:
    @app.exception_handler(TunesmithError)
    async def _tunesmith(request: Request, exc: TunesmithError) -> JSONResponse:
        return _response(request, exc.code, exc.message, exc.http_status, exc.data, exc.retry_after_s)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _response(request, 400, validation_message(exc.errors()), 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code in (404, 405):
            return _response(request, 404, f"Not found: {request.method} {request.url.path}", 404)
        return _response(request, exc.status_code, str(exc.detail), exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return _response(request, 500, "Server error, please retry later", 500)

