"""Request dependencies: the app container, the caller's API key (counted against its rate limits), and a
size-capped JSON body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from tunesmith.api.json_body import parse_object, require_json_type
from tunesmith.api.limits import KeyLimiter
from tunesmith.config import Settings
from tunesmith.db.session import Database
from tunesmith.errors import BadRequest, TooLong, TunesmithError
from tunesmith.storage.blobs import BlobStore
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks import accounts
from tunesmith.tasks.accounts import KeyInfo
from tunesmith.tasks.callbacks import CallbackDispatcher
from tunesmith.tasks.worker import WorkerPool
from tunesmith.webhooks.guard import EgressPolicy

MAX_REQUEST_LINE_BYTES = 8192
"""Longest path plus query string the app answers (``tunesmith serve``'s HTTP parser already refuses a
request head over :data:`tunesmith.api.protocol.MAX_HEAD_BYTES` that it had to buffer)."""
MAX_HEADER_BYTES = 16 * 1024
"""Largest header block the app answers (names, values and their ``: `` and line ends)."""


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
    limiter: KeyLimiter = field(init=False)
    """Per-key rate limits and task cap from ``settings.limits``, counted in this process."""

    def __post_init__(self) -> None:
        self.limiter = KeyLimiter(self.settings.limits)


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_key(request: Request, container: Annotated[Container, Depends(get_container)]) -> KeyInfo:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    raw = token.strip() if scheme.lower() == "bearer" else ""
    key = accounts.authenticate(container.db, raw or None)
    container.limiter.check(key.id, request.method)
    return key


async def json_body(request: Request, container: Annotated[Container, Depends(get_container)]) -> dict[str, Any]:
    """The request body as a JSON object (:func:`~tunesmith.api.json_body.parse_object`); a body that is not
    JSON by its ``Content-Type`` (415) or larger than ``server.max_body_bytes`` (413) is refused unread."""
    return await read_json(request, container.settings.server.max_body_bytes, TooLong, "")


async def read_json(request: Request, limit: int, too_large: type[TunesmithError], where: str) -> dict[str, Any]:
    """The body as a JSON object, refused unread when not JSON by its ``Content-Type`` (415) or when it is
    (or declares to be) over ``limit`` bytes (``too_large``; ``where`` ends its message)."""
    require_json_type(request.headers.get("content-type"))
    message = f"request body is larger than {limit} bytes{where}"
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(message)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise too_large(message)
    return parse_object(bytes(raw))


def request_line(request: Request) -> None:
    """Refuse a path plus query string over :data:`MAX_REQUEST_LINE_BYTES`, or headers over
    :data:`MAX_HEADER_BYTES` (a head that reached the server in one read, or a server in front, lets them in)."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    size = len(raw_path) + len(request.scope.get("query_string", b""))
    if size > MAX_REQUEST_LINE_BYTES:
        raise BadRequest(f"request line is longer than {MAX_REQUEST_LINE_BYTES} bytes ({size})")
    headers = sum(len(name) + len(value) + 4 for name, value in request.scope.get("headers", ()))
    if headers > MAX_HEADER_BYTES:
        raise BadRequest(f"request headers are larger than {MAX_HEADER_BYTES} bytes ({headers})")


ContainerDep = Annotated[Container, Depends(get_container)]
KeyDep = Annotated[KeyInfo, Depends(get_key)]
BodyDep = Annotated[dict[str, Any], Depends(json_body)]
