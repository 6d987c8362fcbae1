"""Resource faults: a full disk or a database that refuses writes, while songs are queued and rendering.

Each scenario shows, once the fault is gone: no long-lived thread died, no task is stuck, every debit was
either delivered (SUCCESS) or refunded, every task's last callback went out, and no internal exception text
reached a user. While the fault lasts, ``/readyz`` reports it and a submit is refused with 455 before any
debit. Two scenarios inject the fault (no privileges needed); one fills a real loop-mounted filesystem under
the data dir (root and a loop device needed; skipped otherwise). A last one kills an engine process.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.api.helpers import CUSTOM, record, submit
from tests.conftest import make_settings
from tests.support.fake_engine import FakeEngine
from tests.support.receiver import WebhookReceiver
from tunesmith.api.app import create_app
from tunesmith.config import Settings
from tunesmith.db.models import Task, Track
from tunesmith.db.session import Database
from tunesmith.engines.base import ProgressSink, SongPlan, TrackResult
from tunesmith.tasks import accounts, health
from tunesmith.tasks.states import ACTIVE
from tunesmith.tasks.worker import STORAGE_FAILURE

INTERNAL = ("sqlalche", "OperationalError", "Errno", "Traceback", "disk is full")


def fault_settings(data_dir: Path, **health_overrides: float) -> Settings:
    settings = make_settings(data_dir.parent, data_dir=data_dir)
    settings.workers.concurrency = 1
    settings.workers.lease_s = 1.0
    settings.workers.heartbeat_s = 0.2
    settings.health.probe_interval_s = 0.05
    settings.health.backoff_max_s = 0.2
    for name, value in health_overrides.items():
        setattr(settings.health, name, value)
    return settings


def poll(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"timed out waiting until {what}"
        time.sleep(0.05)


def readiness(client: TestClient) -> tuple[int, dict[str, Any]]:
    r = client.get("/readyz")
    return r.status_code, r.json()


def failing(client: TestClient, check: str) -> bool:
    status, body = readiness(client)
    return status == 503 and body["code"] == 455 and not body["data"]["checks"][check]["ok"]


def status_of(client: TestClient, auth: dict[str, str], task_id: str) -> str:
    status: str = record(client, auth, task_id)["status"]
    return status


class Run:
    """One server on ``settings`` with a funded key and a callback receiver, and the checks every scenario
    ends with."""

    def __init__(self, client: TestClient, rx: WebhookReceiver) -> None:
        self.client, self.rx = client, rx
        self.db: Database = client.app.state.container.db  # type: ignore[attr-defined]
        raw, info = accounts.create_key(self.db, credits=200)
        self.key_id, self.start_balance = info.id, 200
        self.auth = {"Authorization": f"Bearer {raw}"}
        self.ids: list[str] = []

    def submit(self) -> str:
        body = submit(self.client, self.auth, callBackUrl=self.rx.url("/cb"))
        assert body["code"] == 200, body
        self.ids.append(body["data"]["taskId"])
        return self.ids[-1]

    def refused_without_debit(self) -> None:
        before = accounts.balance(self.db, self.key_id)
        r = self.client.post("/api/v1/generate", json={**CUSTOM, "callBackUrl": self.rx.url("/cb")},
                             headers=self.auth)
        body = r.json()
        assert body["code"] == 455 and "nothing was charged" in body["msg"], body
        assert r.headers["retry-after"] == "1"  # HEALTH__BACKOFF_MAX_S (0.2 here), at least a second
        assert accounts.balance(self.db, self.key_id) == before

    def recovered(self) -> None:
        poll(lambda: readiness(self.client)[0] == 200, "the server is ready again")
        poll(lambda: all(status_of(self.client, self.auth, t) not in {s.value for s in ACTIVE} for t in self.ids),
             "every task is finished", timeout=30)
        poll(lambda: set(self.final_callbacks()) == set(self.ids), "every task's last callback arrived")
        live = self.client.get("/healthz")
        assert live.status_code == 200 and live.json()["data"]["status"] == "ok"
        assert live.json()["data"]["threads"] == {"workers": True, "callbacks": True, "maintenance": True}
        with self.db.read() as s:
            tasks = list(s.scalars(select(Task).where(Task.id.in_(self.ids))))
        delivered = sum(t.cost for t in tasks if t.status == "SUCCESS")
        assert accounts.balance(self.db, self.key_id) == self.start_balance - delivered
        for task in tasks:
            assert not any(word in (task.error_message or "") for word in INTERNAL), task.error_message
        sent = [request.headers["webhook-id"] for request in self.rx.requests]
        assert len(sent) == len(set(sent)), "a callback was sent twice"
        for body in self.final_callbacks().values():
            assert not any(word in body["msg"] for word in INTERNAL), body

    def final_callbacks(self) -> dict[str, dict[str, Any]]:
        last = {}
        for request in self.rx.requests:
            body = request.json()
            if body["data"]["callbackType"] in ("complete", "error"):
                last[body["data"]["task_id"]] = body
        return last


@contextmanager
def running(settings: Settings, **engine_options: object) -> Iterator[Run]:
    app = create_app(settings, engine=FakeEngine, engine_options=engine_options)
    with TestClient(app) as client, WebhookReceiver() as rx:
        yield Run(client, rx)


def test_database_refusing_writes_then_recovering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refusing = threading.Event()
    with running(fault_settings(tmp_path / "data"), render_s=0.4) as run:
        real_write = run.db.write

        @contextmanager
        def write() -> Iterator[Session]:
            if refusing.is_set():
                raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database or disk is full"))
            with real_write() as s:
                yield s

        monkeypatch.setattr(run.db, "write", write)
        running_id, queued_id = run.submit(), run.submit()
        poll(lambda: status_of(run.client, run.auth, running_id) == "TEXT_SUCCESS", "the first song renders")
        refusing.set()
        poll(lambda: failing(run.client, "database"), "readiness reports the database")
        run.refused_without_debit()
        time.sleep(1.5)  # past the running task's lease: its heartbeat and its failure could not be written
        assert status_of(run.client, run.auth, queued_id) == "PENDING"
        refusing.clear()
        run.recovered()
        run.submit()
        run.recovered()
        assert status_of(run.client, run.auth, queued_id) == "SUCCESS"


def test_full_disk_fails_the_running_song_with_a_refund_and_runs_the_queue_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full = threading.Event()
    real_free = health.disk_free
    monkeypatch.setattr(health, "disk_free", lambda path: 0 if full.is_set() else real_free(path))
    with running(fault_settings(tmp_path / "data"), render_s=0.4) as run:
        store = run.client.app.state.container.store  # type: ignore[attr-defined]
        real_put = store.put_file

        def put_file(key: str, source: Path) -> int:
            if full.is_set():
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source))
            return int(real_put(key, source))

        monkeypatch.setattr(store, "put_file", put_file)
        running_id, queued_id = run.submit(), run.submit()
        poll(lambda: status_of(run.client, run.auth, running_id) == "TEXT_SUCCESS", "the first song renders")
        full.set()
        poll(lambda: failing(run.client, "disk"), "readiness reports the disk")
        live = run.client.get("/healthz")  # alive, and saying why it is not ready
        assert live.status_code == 200 and live.json()["data"]["checks"]["disk"]["ok"] is False
        run.refused_without_debit()
        poll(lambda: status_of(run.client, run.auth, running_id) == "GENERATE_AUDIO_FAILED", "the song fails")
        assert status_of(run.client, run.auth, queued_id) == "PENDING"
        full.clear()
        run.recovered()
        data = record(run.client, run.auth, running_id)
        assert data["errorMessage"] == STORAGE_FAILURE and data["errorCode"] == 500
        assert run.final_callbacks()[running_id]["msg"] == STORAGE_FAILURE
        assert status_of(run.client, run.auth, queued_id) == "SUCCESS"
        assert not (tmp_path / "data" / "work").exists() or not any((tmp_path / "data" / "work").iterdir())
        with run.db.read() as s:
            failed_streams = list(s.scalars(select(Track.stream_key).where(Track.task_id == running_id,
                                                                           Track.state != "complete")))
        assert failed_streams and not any((tmp_path / "data" / "files" / k).exists() for k in failed_streams)


class DyingEngine(FakeEngine):
    """Its first render kills its own process (as the kernel's OOM killer would); a marker file remembers."""

    def __init__(self, marker: str = "", **options: Any) -> None:
        super().__init__(**options)
        self.marker = Path(marker)

    def render(self, plan: SongPlan, index: int, workdir: Path, stream: ProgressSink) -> TrackResult:
        if not self.marker.exists():
            self.marker.write_text("died once")
            os._exit(1)
        return super().render(plan, index, workdir, stream)


def test_a_dead_engine_process_is_replaced_and_its_task_retried(tmp_path: Path) -> None:
    settings = fault_settings(tmp_path / "data")
    settings.workers.isolation = "process"
    app = create_app(settings, engine=DyingEngine, engine_options={"marker": str(tmp_path / "died")})
    with TestClient(app) as client, WebhookReceiver() as rx:
        run = Run(client, rx)
        task_id = run.submit()
        run.recovered()
        assert (tmp_path / "died").exists()
        assert status_of(client, run.auth, task_id) == "SUCCESS"
        with run.db.read() as s:
            assert s.get_one(Task, task_id).attempt == 2


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 48 MB ext4 filesystem (no blocks reserved for root) loop-mounted at ``tmp_path / "mnt"``."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (the fault-injection tests cover the same ground)")
    image, mnt = tmp_path / "fs.img", tmp_path / "mnt"
    mnt.mkdir()
    with image.open("wb") as f:
        f.truncate(48 * 2**20)
    for cmd in (["mkfs.ext4", "-q", "-m", "0", str(image)], ["mount", "-o", "loop", str(image), str(mnt)]):
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot make a loop-mounted filesystem: {exc}")
        if done.returncode:
            pytest.skip(f"cannot make a loop-mounted filesystem ({' '.join(cmd[:1])}): {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True, timeout=60).returncode:
            subprocess.run(["umount", "-l", str(mnt)], check=True, timeout=60)  # a file still open: detach it


def fill(path: Path) -> None:
    """Write ``path`` until the filesystem has no byte left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (2**20, 2**12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_real_full_filesystem_under_the_data_dir(small_fs: Path) -> None:
    with running(fault_settings(small_fs / "data", min_free_mb=2.0), render_s=1.0) as run:
        first = run.submit()
        poll(lambda: status_of(run.client, run.auth, first) == "SUCCESS", "a song is made before the fault")
        running_id, queued_id = run.submit(), run.submit()
        poll(lambda: status_of(run.client, run.auth, running_id) == "TEXT_SUCCESS", "the second song renders")
        filler = small_fs / "filler"
        fill(filler)
        poll(lambda: failing(run.client, "disk"), "readiness reports the disk")
        run.refused_without_debit()
        time.sleep(1.5)  # the running song meets the full disk; the queued one must wait
        assert status_of(run.client, run.auth, queued_id) == "PENDING"
        filler.unlink()
        run.recovered()
        assert status_of(run.client, run.auth, queued_id) == "SUCCESS"
