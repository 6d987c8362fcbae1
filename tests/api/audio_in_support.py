"""What the add-instrumental and add-vocals contract tests share: uploads of made-up audio, the submit call,
the "nothing was charged, no task was left" check, and an app whose engine hears the wrong kind of upload."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.test_vocal_removal import credits
from tests.conftest import make_settings, new_key
from tests.support.fake_engine import FakeEngine

from tunesmith.api.app import create_app
from tunesmith.db.models import Task
from tunesmith.db.session import Database
from tunesmith.engines.base import SongPlan, SongRequest
from tunesmith.errors import EngineError
from tunesmith.tasks import accounts

SEED_KEYS = {"id", "audio_url", "stream_audio_url", "image_url", "prompt", "model_name", "title", "tags", "createTime",
             "duration"}
"""The track keys of the hosted add-instrumental callback document (``shared/seeds/000``), exactly."""
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def wav(seconds: float = 1.0, amplitude: float = 0.3, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a 220 Hz tone (``amplitude`` 0: digital silence)."""
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    sf.write(buffer, (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, format="WAV",
             subtype="PCM_16")
    return buffer.getvalue()


def upload(client: TestClient, auth: dict[str, str], content: bytes | None = None, name: str = "take.wav") -> str:
    """Upload ``content`` (default: one second of tone) with the File Upload API; returns its ``downloadUrl``."""
    answer = client.post("/api/file-stream-upload", headers=auth, data={"uploadPath": "audio/takes"},
                         files={"file": (name, wav() if content is None else content, "application/octet-stream")})
    body = answer.json()
    assert body["code"] == 200, body
    url: str = body["data"]["downloadUrl"]
    return url


def post(client: TestClient, auth: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` without its ``None`` fields (a ``None`` leaves the field out)."""
    sent = {k: v for k, v in body.items() if v is not None}
    result: dict[str, Any] = client.post(path, headers=auth, json=sent).json()
    return result


def accepted(client: TestClient, auth: dict[str, str], path: str, sent: dict[str, Any],
             operation: str) -> tuple[str, list[dict[str, Any]]]:
    """Submit ``sent``, check it is charged 12 credits and succeeds as an ``operation`` music task whose record
    keeps the request as its ``param``; returns the task id and the record's two tracks."""
    from tests.api.helpers import wait_terminal
    from tests.api.test_contract import RECORD_KEYS, SUNO_KEYS

    before = credits(client, auth)
    created = post(client, auth, path, sent)
    assert created == {"code": 200, "msg": "success", "data": {"taskId": created["data"]["taskId"]}}
    assert before - credits(client, auth) == 12
    data = wait_terminal(client, auth, created["data"]["taskId"])
    assert set(data) == RECORD_KEYS and data["status"] == "SUCCESS" and data["parentMusicId"] == ""
    assert data["operationType"] == operation and data["type"] == operation.upper()
    assert json.loads(data["param"]) == sent
    tracks: list[dict[str, Any]] = data["response"]["sunoData"]
    assert len(tracks) == 2 and all(set(t) == SUNO_KEYS for t in tracks)
    return str(data["taskId"]), tracks


def task_count(db: Database, auth: dict[str, str]) -> int:
    key = accounts.authenticate(db, auth["Authorization"].split()[1])
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Task).where(Task.key_id == key.id)) or 0)


def request_of(db: Database, task_id: str) -> dict[str, Any]:
    """The engine request stored with the task (``SongRequest`` as JSON)."""
    with db.read() as s:
        task = s.get(Task, task_id)
        assert task is not None
        data: dict[str, Any] = json.loads(task.request_json)
        return data


def refused(client: TestClient, auth: dict[str, str], db: Database, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Send a request that must be refused; checks that no credit was taken and no task was created."""
    before, tasks = credits(client, auth), task_count(db, auth)
    answer = post(client, auth, path, body)
    assert answer["code"] != 200 and answer["data"] is None, answer
    assert credits(client, auth) == before and task_count(db, auth) == tasks
    return answer


class WrongKindEngine(FakeEngine):
    """An engine that listens to the upload and finds it is not what the operation needs."""

    def plan(self, request: SongRequest) -> SongPlan:
        raise EngineError(f"the upload is the wrong kind of audio for {request.operation}", code=400)


@contextmanager
def wrong_kind_app(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of an app whose engine refuses every upload, and a key with 100 credits."""
    app = create_app(make_settings(tmp_path), engine=WrongKindEngine, engine_options={})
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {new_key(app.state.container.db)}"}
