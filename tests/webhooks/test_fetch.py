"""The guarded download: size caps (declared and streamed), redirects refused, private targets refused,
timeouts, and no partial file left behind on any failure."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tunesmith.errors import SourceUnavailable
from tunesmith.webhooks.fetch import FetchError, FetchRefused, FetchTooLarge, fetch_to_file_sync
from tunesmith.webhooks.guard import EgressPolicy, parse_networks

LOOPBACK = EgressPolicy(allow_networks=parse_networks(["127.0.0.0/8"]))
PUBLIC_ONLY = EgressPolicy()


@dataclass(frozen=True)
class Answer:
    """What :class:`FileServer` sends for one path. ``declared``: a Content-Length to claim instead of the
    true one; ``endless``: stream zeros without a length until the client hangs up."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    declared: int | None = None
    endless: bool = False
    delay_s: float = 0.0


class FileServer:
    """A tiny HTTP/1.0 file server on 127.0.0.1 for fetch tests; ``answers`` maps paths to answers."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        self.answers = answers
        self.stopping = threading.Event()
        self.hits: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self._server.server_address[1]}{path}"

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler(owner: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:  # noqa: N802
            owner.hits.append(self.path)
            answer = owner.answers.get(self.path, Answer(b"not here", status=404))
            if answer.delay_s and owner.stopping.wait(answer.delay_s):
                return
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if not answer.endless:
                    self.send_header("Content-Length", str(answer.declared or len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                while answer.endless and not owner.stopping.is_set():
                    self.wfile.write(b"\0" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def server() -> Iterator[FileServer]:
    answers = {
        "/ok.bin": Answer(b"x" * 5000, headers={"Content-Type": "audio/wav"}),
        "/declared-huge": Answer(b"x" * 10, declared=10**9),
        "/endless": Answer(endless=True),
        "/redirect": Answer(status=302, headers={"Location": "/ok.bin"}),
        "/slow": Answer(b"late", delay_s=5.0),
        "/empty": Answer(b""),
    }
    with FileServer(answers) as running:
        yield running


def fetch(url: str, dest: Path, policy: EgressPolicy = LOOPBACK, max_bytes: int = 100_000,
          timeout_s: float = 5.0) -> int:
    return fetch_to_file_sync(url, dest, policy=policy, max_bytes=max_bytes, timeout_s=timeout_s).size


def test_fetches_into_the_file(server: FileServer, tmp_path: Path) -> None:
    dest = tmp_path / "f.part"
    got = fetch_to_file_sync(server.url("/ok.bin"), dest, policy=LOOPBACK, max_bytes=5000, timeout_s=5)
    assert got.size == 5000 and got.declared_type == "audio/wav" and dest.read_bytes() == b"x" * 5000


@pytest.mark.parametrize("path", ["/declared-huge", "/endless"])
def test_too_large_is_refused_and_nothing_is_left(server: FileServer, tmp_path: Path, path: str) -> None:
    dest = tmp_path / "f.part"
    with pytest.raises(FetchTooLarge, match="limit"):
        fetch(server.url(path), dest)
    assert not dest.exists()


def test_a_body_just_over_the_limit_is_cut_off(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(FetchTooLarge):
        fetch(server.url("/ok.bin"), tmp_path / "f.part", max_bytes=4999)
    assert not (tmp_path / "f.part").exists()


def test_redirects_are_refused_not_followed(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(FetchRefused, match="redirect"):
        fetch(server.url("/redirect"), tmp_path / "f.part")
    assert server.hits == ["/redirect"]


def test_error_status_timeout_and_empty_body_are_fetch_errors(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server.url("/missing"), tmp_path / "a")
    with pytest.raises(FetchError, match="0.3 s"):
        fetch(server.url("/slow"), tmp_path / "b", timeout_s=0.3)
    with pytest.raises(FetchError, match="empty"):
        fetch(server.url("/empty"), tmp_path / "c")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowlisted(server: FileServer, tmp_path: Path, host: str) -> None:
    with pytest.raises(FetchRefused, match="loopback"):
        fetch(server.url("/ok.bin", host=host), tmp_path / "f.part", policy=PUBLIC_ONLY)
    assert server.hits == [] and not (tmp_path / "f.part").exists()


@pytest.mark.parametrize("url", ["http://10.1.2.3/a.mp3", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/a.mp3", "http://2130706433/a.mp3", "ftp://example.com/a.mp3",
                                 "http://user:pw@example.com/a.mp3"])
def test_unsafe_urls_are_refused_before_connecting(tmp_path: Path, url: str) -> None:
    with pytest.raises(FetchRefused):
        fetch(url, tmp_path / "f.part", policy=PUBLIC_ONLY, timeout_s=1.0)
    assert not (tmp_path / "f.part").exists()


def test_fetch_errors_are_the_451_family() -> None:
    assert issubclass(FetchError, SourceUnavailable) and SourceUnavailable.code == 451
