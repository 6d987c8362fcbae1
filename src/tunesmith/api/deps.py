"""Request dependencies: the app container, the caller's API key, and a size-capped JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from tunesmith.config import Settings
from tunesmith.db.session import Database
from tunesmith.errors import BadRequest, TooLong
from tunesmith.storage.blobs import BlobStore
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks import accounts
from tunesmith.tasks.accounts import KeyInfo
from tunesmith.tasks.callbacks import CallbackDispatcher
from tunesmith.tasks.worker import WorkerPool
from tunesmith.webhooks.guard import EgressPolicy


@dataclass
class Container:
    """Everything a request may need, built once by the app factory."""

    settings: Settings
    db: Database
    store: BlobStore
    signer: LinkSigner
    egress: EgressPolicy
    workers: WorkerPool
    callbacks: CallbackDispatcher


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_key(request: Request, container: Annotated[Container, Depends(get_container)]) -> KeyInfo:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    raw = token.strip() if scheme.lower() == "bearer" else ""
    return accounts.authenticate(container.db, raw or None)


async def json_body(request: Request, container: Annotated[Container, Depends(get_container)]) -> dict[str, Any]:
    """The request body as a JSON object; oversize, bad UTF-8 and non-objects are refused."""
    limit = container.settings.server.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLong(f"request body is larger than {limit} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise TooLong(f"request body is larger than {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"request body is not valid UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    return data


ContainerDep = Annotated[Container, Depends(get_container)]
KeyDep = Annotated[KeyInfo, Depends(get_key)]
BodyDep = Annotated[dict[str, Any], Depends(json_body)]
