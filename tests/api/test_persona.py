"""Personas (§3.11, synchronous) and ``personaId`` in generate: the voice and style reach the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import submit, wait_terminal
from tests.api.test_vocal_removal import finished
from tests.conftest import new_key

from tunesmith.db.models import Task
from tunesmith.db.session import Database

URL = "/api/v1/generate/generate-persona"


@pytest.fixture
def engine_options() -> dict[str, object]:
    return {"seconds": 32.0}  # long enough for a 10–30 s persona segment


def persona(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.post(URL, headers=auth, json=fields).json()
    return result


def make(client: TestClient, auth: dict[str, str], **extra: Any) -> tuple[str, str, dict[str, Any]]:
    task_id, (audio_id, _) = finished(client, auth)
    body = {"taskId": task_id, "audioId": audio_id, "name": "Nova", "description": "bright pop voice", **extra}
    return task_id, audio_id, persona(client, auth, **body)


def test_persona_is_made_once_per_track(client: TestClient, auth: dict[str, str]) -> None:
    task_id, audio_id, r = make(client, auth, vocalStart=2.0, vocalEnd=27.5, style="pop")
    assert r["code"] == 200 and set(r["data"]) == {"personaId", "name", "description"}
    assert r["data"]["name"] == "Nova" and r["data"]["description"] == "bright pop voice"
    again = persona(client, auth, taskId=task_id, audioId=audio_id, name="Other", description="x")
    assert again["code"] == 409 and r["data"]["personaId"] in again["msg"]


def test_generate_with_persona_sends_its_voice_and_style(client: TestClient, auth: dict[str, str],
                                                         db: Database) -> None:
    _, _, r = make(client, auth)
    persona_id = r["data"]["personaId"]
    created = submit(client, auth, personaId=persona_id, personaModel="style_persona", style="rock")
    assert created["code"] == 200, created
    new_task = created["data"]["taskId"]
    assert wait_terminal(client, auth, new_task)["status"] == "SUCCESS"
    with db.read() as s:
        task = s.get(Task, new_task)
        assert task is not None
        request = json.loads(task.request_json)
    assert request["voice"] == "f-warm"  # the fake engine's score sings with f-warm
    assert request["persona_style"] == "pop, 120 bpm, in C major, 4/4"
    assert request["style"] == "rock"  # the request's own style still leads


def test_persona_in_generate_is_checked(client: TestClient, auth: dict[str, str], db: Database) -> None:
    _, _, r = make(client, auth)
    persona_id = r["data"]["personaId"]
    non_custom = submit(client, auth, customMode=False, prompt="a song", style=None, title=None,
                        personaId=persona_id)
    assert non_custom["code"] == 400 and "personaId" in non_custom["msg"]
    assert submit(client, auth, personaId="nope")["code"] == 404
    other = {"Authorization": f"Bearer {new_key(db)}"}
    assert submit(client, other, personaId=persona_id)["code"] == 404


@pytest.mark.parametrize(("fields", "words"), [
    ({"vocalStart": 0, "vocalEnd": 9.5}, "10-30"),
    ({"vocalStart": 0, "vocalEnd": 31}, "10-30"),
    ({"vocalStart": -1, "vocalEnd": 10}, "at least 0"),
    ({"vocalStart": 20, "vocalEnd": 45}, "past the end"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"description": "x" * 2001}, "description"),
    ({"vocalEnd": "20"}, "vocalEnd"),
])
def test_persona_validation_answers_422(client: TestClient, auth: dict[str, str], fields: dict[str, Any],
                                        words: str) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    body = {"taskId": task_id, "audioId": audio_id, "name": "Nova", "description": "d", **fields}
    r = persona(client, auth, **{k: v for k, v in body.items() if v is not None})
    assert r["code"] == 422 and words in r["msg"], r


def test_persona_needs_a_finished_track_of_a_newer_model(client: TestClient, auth: dict[str, str]) -> None:
    old_task, (old_audio, _) = finished(client, auth, model="V3_5")
    r = persona(client, auth, taskId=old_task, audioId=old_audio, name="n", description="d")
    assert r["code"] == 422 and "V3_5" in r["msg"]
    assert persona(client, auth, taskId=old_task, audioId="nope", name="n", description="d")["code"] == 404
    assert persona(client, auth, taskId="nope", audioId=old_audio, name="n", description="d")["code"] == 404
