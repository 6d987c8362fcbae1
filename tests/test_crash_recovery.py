"""SIGKILL the server mid-generation, restart it: every task ends in SUCCESS or in a refunded failure,
and the ledger balances."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tunesmith.db.session import Database
from tunesmith.tasks import accounts
from tunesmith.tasks.states import ACTIVE

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, port: int, max_attempts: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.serve_fake", "--data-dir", str(data_dir), "--port", str(port),
         "--render-s", "2", "--max-attempts", str(max_attempts)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def statuses(base: str, h: dict[str, str], ids: list[str]) -> dict[str, str]:
    return {t: httpx.get(f"{base}/api/v1/generate/record-info", params={"taskId": t}, headers=h,
                         timeout=5).json()["data"]["status"] for t in ids}


@pytest.mark.parametrize("max_attempts", [2, 1])
def test_sigkill_mid_task_then_restart(tmp_path: Path, max_attempts: int) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db = Database(f"sqlite:///{data_dir / 'tunesmith.db'}")
    db.migrate()
    raw, info = accounts.create_key(db, credits=120)
    h = {"Authorization": f"Bearer {raw}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(data_dir, port, max_attempts)
    body = {"customMode": True, "instrumental": False, "model": "V4", "style": "rock", "title": "t",
            "prompt": "[Verse]\nla", "callBackUrl": "https://example.com/cb"}
    try:
        ids = [httpx.post(f"{base}/api/v1/generate", json=body, headers=h, timeout=10).json()["data"]["taskId"]
               for _ in range(4)]
        deadline = time.monotonic() + 120
        while not any(s == "TEXT_SUCCESS" for s in statuses(base, h, ids).values()):
            assert time.monotonic() < deadline, "no task started"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        killed_states = statuses_from_db(db, ids)
        assert any(s in {a.value for a in ACTIVE} for s in killed_states.values())
        proc = start(data_dir, port, max_attempts)
        deadline = time.monotonic() + 240
        while True:
            now = statuses(base, h, ids)
            if all(s not in {a.value for a in ACTIVE} for s in now.values()):
                break
            assert time.monotonic() < deadline, now
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait(10)
    succeeded = sum(s == "SUCCESS" for s in now.values())
    assert set(now.values()) <= {"SUCCESS", "GENERATE_AUDIO_FAILED"}
    if max_attempts == 1:
        assert succeeded < 4  # the interrupted task(s) could not be retried
    balance, ledger = accounts.ledger_balances(db)[info.id]
    assert balance == ledger == 120 - 12 * succeeded


def statuses_from_db(db: Database, ids: list[str]) -> dict[str, str]:
    from tunesmith.db.models import Task

    with db.read() as s:
        return {i: s.get(Task, i).status for i in ids}  # type: ignore[union-attr]
