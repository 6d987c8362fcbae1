"""A real ``tunesmith serve`` on a free loopback port with a temporary data directory.

The server runs with its embedded default configuration; the only settings changed are the ones a
benchmark needs: public base URL, loopback callbacks, and no per-key limits (the load suite submits and
polls hundreds of times a second with one key). It also starts a loopback receiver for the
``callBackUrl`` every generate request must carry, and samples the memory of the server's whole
process tree (the engine pool runs in child processes).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

HEALTH_TIMEOUT_S = 90.0
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tunesmith_exe() -> str:
    """The ``tunesmith`` console script of the running interpreter's environment."""
    beside = Path(sys.executable).with_name("tunesmith")
    found = str(beside) if beside.exists() else shutil.which("tunesmith")
    if not found:
        raise RuntimeError("the `tunesmith` command is not installed in this environment")
    return found


@dataclass
class CallbackLog:
    """Callbacks received: (monotonic time, parsed JSON body), in arrival order."""

    received: list[tuple[float, dict[str, object]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first(self, task_id: str, callback_type: str) -> float | None:
        """Arrival time of the first callback of ``callback_type`` for ``task_id``."""
        with self.lock:
            for at, body in self.received:
                data = body.get("data")
                if (
                    isinstance(data, dict)
                    and data.get("task_id") == task_id
                    and data.get("callbackType") == callback_type
                ):
                    return at
        return None


def _receiver(log: CallbackLog) -> ThreadingHTTPServer:
    import json

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {}
            with log.lock:
                log.received.append((time.monotonic(), parsed if isinstance(parsed, dict) else {}))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)


class MemorySampler(threading.Thread):
    """Peak resident memory (bytes) of a process and all its descendants, sampled every ``period_s``."""

    def __init__(self, pid: int, period_s: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.period_s = pid, period_s
        self.peak_bytes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.period_s):
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.pid))

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_bytes


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_bytes(pid: int) -> int:
    """Current resident set size of ``pid`` plus all its descendants (Linux /proc)."""
    tree, total, stack = _children(), 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(tree.get(p, []))
    return total


@dataclass
class Server:
    """A running server: where it listens, a key with credits, the callback URL and its log."""

    base_url: str
    api_key: str
    data_dir: Path
    callback_url: str
    callbacks: CallbackLog
    process: subprocess.Popen[bytes]
    memory: MemorySampler
    log_path: Path

    def client(self, timeout_s: float = 30.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, timeout=timeout_s, headers={"Authorization": f"Bearer {self.api_key}"}
        )


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {HEALTH_TIMEOUT_S:.0f} s:\n{log_path.read_text()[-4000:]}")


def _create_key(exe: str, data_dir: Path, env: Mapping[str, str], credits: int) -> str:
    out = subprocess.run(
        [exe, "keys", "create", "--credits", str(credits), "--data-dir", str(data_dir), "--quiet"],
        env=dict(env),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


@contextmanager
def running_server(
    *, credits: int = 10_000_000, extra_env: Mapping[str, str] | None = None, keep_dir: Path | None = None
) -> Iterator[Server]:
    """Start the server (and callback receiver); stop both and remove the temp dir on exit."""
    exe, port = tunesmith_exe(), free_port()
    base_url = f"http://127.0.0.1:{port}"
    root = Path(tempfile.mkdtemp(prefix="tunesmith-bench-"))
    data_dir, log_path = root / "data", (keep_dir or root) / "server.log"
    env = {
        **os.environ,
        "TUNESMITH_DATA_DIR": str(data_dir),
        "TUNESMITH_PUBLIC_BASE_URL": base_url,
        "TUNESMITH_EGRESS__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "TUNESMITH_LIMITS__CALLS_PER_WINDOW": "0",
        "TUNESMITH_LIMITS__READS_PER_WINDOW": "0",
        "TUNESMITH_LIMITS__MAX_ACTIVE_TASKS": "0",
        **(extra_env or {}),
    }
    api_key = _create_key(exe, data_dir, env, credits)
    log = CallbackLog()
    receiver = _receiver(log)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        memory = MemorySampler(process.pid)
        try:
            _wait_healthy(base_url, process, log_path)
            memory.start()
            callback_url = f"http://127.0.0.1:{receiver.server_address[1]}/callback"
            yield Server(base_url, api_key, data_dir, callback_url, log, process, memory, log_path)
        finally:
            if memory.is_alive():
                memory.stop()
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            receiver.shutdown()
            shutil.rmtree(root, ignore_errors=True)
