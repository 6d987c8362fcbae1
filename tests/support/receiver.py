"""A real HTTP receiver on 127.0.0.1 for callback tests: records every request, answers as told.

It runs ``http.server`` on a background thread, so it serves tests that drive the code under test with
``asyncio.run``, anyio, a FastAPI ``TestClient`` or a worker thread alike::

    with WebhookReceiver() as receiver:
        receiver.respond(status=500)                       # every answer from now on
        receiver.enqueue(Reply(status=503), Reply())       # one-shot answers, used first, in order
        ...  # make the code under test call receiver.url("/cb")
        [request] = receiver.wait_for(1)
        assert request.json()["code"] == 200

``stop()`` (or leaving the ``with`` block) cuts any reply delay short and joins every handler thread.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the receiver saw it."""

    method: str
    path: str
    """Path plus query string, as sent on the request line."""
    headers: dict[str, str]
    """Header names lower-cased (the last value wins for a repeated header)."""
    body: bytes
    received_at: float
    """``time.time()`` when the request had been read completely."""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """How to answer one request."""

    status: int = 200
    delay_s: float = 0.0
    """Seconds to wait before answering (cut short by ``stop()``)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


class WebhookReceiver:
    """Loopback HTTP server on an ephemeral port; thread-safe."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._queued: deque[Reply] = deque()
        self._default = Reply()
        self._stopping = threading.Event()
        self._server = _Server((host, 0), _Handler, self)
        self._thread = threading.Thread(target=self._serve, name="webhook-receiver", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/callback", *, host: str = "127.0.0.1") -> str:
        """The URL of ``path`` here; pass ``host="localhost"`` to go through name resolution."""
        return f"http://{host}:{self.port}{path}"

    def respond(
        self, status: int = 200, *, delay_s: float = 0.0, headers: Mapping[str, str] | None = None
    ) -> None:
        """Set the answer to every request not served from the one-shot queue."""
        with self._lock:
            self._default = Reply(status=status, delay_s=delay_s, headers=dict(headers or {}))

    def enqueue(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order, before falling back to ``respond``."""
        with self._lock:
            self._queued.extend(replies)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests arrived; return them all. Fails the test on timeout."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= count, timeout):
                raise AssertionError(
                    f"expected {count} request(s) within {timeout} s, got {len(self._requests)}"
                )
            return list(self._requests)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads (block_on_close)
        self._thread.join()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    def _record(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()
            return self._queued.popleft() if self._queued else self._default


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], owner: WebhookReceiver
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up early are expected (timeouts, connect probes); stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10.0  # a silent client cannot keep a handler thread (and stop()) waiting forever

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            received_at=time.time(),
        )
        owner = self.server.owner
        reply = owner._record(recorded)
        if reply.delay_s > 0 and owner._stopping.wait(reply.delay_s):
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except _DISCONNECTS:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
