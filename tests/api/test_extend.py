"""Extend (§3.3): validation, the engine request it makes, record-info and callback shapes, credits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import wait_terminal
from tests.api.test_contract import RECORD_KEYS, SUNO_KEYS
from tests.api.test_vocal_removal import credits, finished
from tests.conftest import new_key
from tests.support.receiver import WebhookReceiver

from tunesmith.config import Settings
from tunesmith.db.models import Task
from tunesmith.db.session import Database
from tunesmith.engines.base import SongRequest
from tunesmith.tasks import accounts, service

URL = "/api/v1/generate/extend"
TRACK_KEYS = {"id", "audio_url", "source_audio_url", "stream_audio_url", "source_stream_audio_url", "image_url",
              "source_image_url", "prompt", "model_name", "title", "tags", "createTime", "duration"}
NEW = {"defaultParamFlag": True, "continueAt": 1.5, "prompt": "[Verse]\nand on we go", "style": "pop, 100 bpm",
       "title": "Hi again", "model": "V4_5", "callBackUrl": "https://example.com/cb"}


def extend(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {k: v for k, v in fields.items() if v is not None}
    result: dict[str, Any] = client.post(URL, headers=auth, json=body).json()
    return result


def request_of(db: Database, task_id: str) -> dict[str, Any]:
    with db.read() as s:
        task = s.get(Task, task_id)
        assert task is not None
        data: dict[str, Any] = json.loads(task.request_json)
        return data


def test_extend_makes_a_music_task_with_its_parent(client: TestClient, auth: dict[str, str], db: Database) -> None:
    _, (audio_id, _) = finished(client, auth)
    before = credits(client, auth)
    created = extend(client, auth, audioId=audio_id, **NEW)
    assert created["code"] == 200 and set(created["data"]) == {"taskId"}, created
    task_id = created["data"]["taskId"]
    assert before - credits(client, auth) == 12
    data = wait_terminal(client, auth, task_id)
    assert set(data) == RECORD_KEYS and data["status"] == "SUCCESS"
    assert data["operationType"] == "extend" and data["type"] == "EXTEND" and data["parentMusicId"] == audio_id
    assert json.loads(data["param"])["continueAt"] == 1.5
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2 and all(set(t) == SUNO_KEYS for t in tracks)
    assert all(t["title"] == "Hi again" and t["tags"] == "pop, 100 bpm" for t in tracks)
    request = request_of(db, task_id)
    assert request["operation"] == "extend" and request["continue_at"] == 1.5 and request["custom"] is True
    assert request["lyrics"] == NEW["prompt"] and request["source_paths"] == {}
    assert set(request["source"]) == {"master", "score", "stem:vocals", "stem:drums"}
    assert request["source"]["master"] == f"tracks/{audio_id}/master.flac"
    assert json.loads(request["source_words"])[0]["word"] == "fake"


def test_default_params_reuse_the_source(client: TestClient, auth: dict[str, str], db: Database) -> None:
    _, (audio_id, _) = finished(client, auth, style="lo-fi, chill", title="Night Bus",
                                prompt="[Verse]\nthe night bus hums along")
    created = extend(client, auth, audioId=audio_id, defaultParamFlag=False, model="V4_5",
                     callBackUrl="https://example.com/cb", prompt="ignored", style="ignored")
    assert created["code"] == 200, created
    data = wait_terminal(client, auth, created["data"]["taskId"])
    assert data["status"] == "SUCCESS" and data["parentMusicId"] == audio_id
    request = request_of(db, data["taskId"])
    assert request["custom"] is False and request["style"] == "lo-fi, chill" and request["title"] == "Night Bus"
    assert request["continue_at"] == 2.0  # the end of the source: the continuation follows the song
    assert "Night Bus" in request["idea"] and "the night bus hums along" in request["idea"]


def test_extend_callbacks_have_the_music_shape(client: TestClient, auth: dict[str, str]) -> None:
    _, (audio_id, _) = finished(client, auth)
    with WebhookReceiver() as rx:
        task_id = extend(client, auth, audioId=audio_id, **{**NEW, "callBackUrl": rx.url("/ext")})["data"]["taskId"]
        assert wait_terminal(client, auth, task_id)["status"] == "SUCCESS"
        bodies = [r.json() for r in rx.wait_for(3, timeout=10)]
    assert [b["data"]["callbackType"] for b in bodies] == ["text", "first", "complete"]
    for body in bodies:
        assert set(body) == {"code", "msg", "data"} and body["code"] == 200
        assert set(body["data"]) == {"callbackType", "task_id", "data"} and body["data"]["task_id"] == task_id
    assert bodies[0]["data"]["data"] == [] and len(bodies[2]["data"]["data"]) == 2
    assert all(set(t) == TRACK_KEYS for t in bodies[2]["data"]["data"])


@pytest.mark.parametrize(("fields", "code", "words"), [
    ({"defaultParamFlag": None}, 400, "defaultParamFlag"),
    ({"defaultParamFlag": "true"}, 400, "defaultParamFlag"),
    ({"model": None}, 400, "model"),
    ({"model": "V9"}, 400, "model must be one of"),
    ({"model": "V5"}, 400, "must match the source"),
    ({"callBackUrl": None}, 400, "callBackUrl"),
    ({"continueAt": None}, 400, "continueAt is required"),
    ({"continueAt": 0}, 400, "continueAt"),
    ({"continueAt": -1.0}, 400, "continueAt"),
    ({"continueAt": 2.0}, 400, "continueAt"),
    ({"continueAt": 9.5}, 400, "continueAt"),
    ({"continueAt": "5"}, 400, "continueAt"),
    ({"prompt": None}, 400, "prompt is required"),
    ({"prompt": "  "}, 400, "prompt is required"),
    ({"style": None}, 400, "style is required"),
    ({"title": ""}, 400, "title is required"),
    ({"prompt": "x" * 5001}, 413, "prompt"),
    ({"style": "x" * 1001}, 413, "style"),
    ({"title": "x" * 101}, 413, "title"),
    ({"negativeTags": "x" * 1001}, 413, "negativeTags"),
    ({"vocalGender": "x"}, 400, "vocalGender"),
    ({"styleWeight": 1.5}, 400, "styleWeight"),
    ({"audioWeight": 0.123}, 400, "audioWeight"),
    ({"personaModel": "robot"}, 400, "personaModel"),
    ({"personaId": "nope"}, 404, "Persona"),
])
def test_extend_validation(client: TestClient, auth: dict[str, str], fields: dict[str, Any], code: int,
                           words: str) -> None:
    _, (audio_id, _) = finished(client, auth)
    before = credits(client, auth)
    r = extend(client, auth, **{**NEW, "audioId": audio_id, **fields})
    assert r["code"] == code and words in r["msg"], r
    assert credits(client, auth) == before


def test_the_source_must_be_a_finished_track_of_this_key(client: TestClient, auth: dict[str, str],
                                                         db: Database) -> None:
    _, (audio_id, _) = finished(client, auth)
    assert extend(client, auth, audioId="nope", **NEW)["code"] == 404
    assert extend(client, auth, **NEW)["code"] == 400  # audioId is required
    other = {"Authorization": f"Bearer {new_key(db)}"}
    assert extend(client, other, audioId=audio_id, **NEW)["code"] == 404


def test_expired_source_files(client: TestClient, auth: dict[str, str], settings: Settings) -> None:
    _, (audio_id, _) = finished(client, auth)
    master = Path(settings.files_dir) / "tracks" / audio_id / "master.flac"
    master.unlink()
    r = extend(client, auth, audioId=audio_id, **NEW)
    assert r["code"] == 404 and "expired" in r["msg"]


def test_source_files_gone_after_submit_fail_the_task_and_refund(client: TestClient, auth: dict[str, str],
                                                                 db: Database) -> None:
    key = accounts.authenticate(db, auth["Authorization"].split()[1])
    request = SongRequest(custom=True, instrumental=False, model="V4_5", lyrics="la", operation="extend",
                          source={"master": "tracks/gone/master.flac"}, continue_at=1.0)
    sub = service.Submission.music(key_id=key.id, operation="extend", model="V4_5", param={}, request=request,
                                   callback_url=None, cost=12)
    before = credits(client, auth)
    task_id = service.submit(db, sub, max_attempts=1)
    client.app.state.container.workers.wake()  # type: ignore[attr-defined]
    data = wait_terminal(client, auth, task_id)
    assert data["status"] == "GENERATE_AUDIO_FAILED" and "expired" in data["errorMessage"]
    assert data["response"]["sunoData"] == [] and credits(client, auth) == before  # debited, then refunded
