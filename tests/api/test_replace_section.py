"""Replace section (§3.9, taskId + audioId mode): validation and codes, engine request, details, callbacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import wait_terminal
from tests.api.test_contract import RECORD_KEYS, SUNO_KEYS
from tests.api.test_extend import TRACK_KEYS, request_of
from tests.api.test_vocal_removal import credits, finished
from tests.conftest import new_key
from tests.support.receiver import WebhookReceiver

from tunesmith.config import Settings
from tunesmith.db.session import Database

URL = "/api/v1/generate/replace-section"
SONG_S = 24.0
ERA_B = {"prompt": "[Verse]\nbrand new words", "tags": "pop", "title": "Fixed", "infillStartS": 5.0,
         "infillEndS": 11.5}


@pytest.fixture
def engine_options() -> dict[str, object]:
    return {"seconds": SONG_S}


def replace_section(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {k: v for k, v in fields.items() if v is not None}
    result: dict[str, Any] = client.post(URL, headers=auth, json=body).json()
    return result


def test_replace_section_makes_a_music_task(client: TestClient, auth: dict[str, str], db: Database) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    before = credits(client, auth)
    created = replace_section(client, auth, taskId=task_id, audioId=audio_id, **ERA_B)
    assert created["code"] == 200 and set(created["data"]) == {"taskId"}, created
    assert before - credits(client, auth) == 12
    data = wait_terminal(client, auth, created["data"]["taskId"])
    assert set(data) == RECORD_KEYS and data["status"] == "SUCCESS"
    assert data["operationType"] == "replace_section" and data["type"] == "REPLACE_SECTION"
    assert data["parentMusicId"] == audio_id and json.loads(data["param"]) == {"taskId": task_id, "audioId": audio_id,
                                                                               **ERA_B}
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2 and all(set(t) == SUNO_KEYS and t["modelName"] == "chirp-v4-5" for t in tracks)
    request = request_of(db, data["taskId"])
    assert request["operation"] == "replace_section" and request["model"] == "V4_5"
    assert (request["infill_start_s"], request["infill_end_s"]) == (5.0, 11.5)
    assert request["lyrics"] == ERA_B["prompt"] and request["style"] == "pop" and request["full_lyrics"] == ""


def test_era_c_full_lyrics_are_the_new_prompt(client: TestClient, auth: dict[str, str], db: Database) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    full = "[Verse]\nhello world\n[Chorus]\nbrand new words"
    created = replace_section(client, auth, taskId=task_id, audioId=audio_id, **{**ERA_B, "infillEndS": 15.0},
                              fullLyrics=full, lyrics="[Chorus]\nthe segment's own words")
    assert created["code"] == 200, created
    data = wait_terminal(client, auth, created["data"]["taskId"])
    request = request_of(db, data["taskId"])
    assert request["lyrics"] == "[Chorus]\nthe segment's own words" and request["full_lyrics"] == full


def test_callbacks_have_the_music_shape(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    with WebhookReceiver() as rx:
        created = replace_section(client, auth, taskId=task_id, audioId=audio_id, callBackUrl=rx.url("/rs"), **ERA_B)
        new_task = created["data"]["taskId"]
        assert wait_terminal(client, auth, new_task)["status"] == "SUCCESS"
        bodies = [r.json() for r in rx.wait_for(3, timeout=10)]
    assert [b["data"]["callbackType"] for b in bodies] == ["text", "first", "complete"]
    assert all(set(b["data"]) == {"callbackType", "task_id", "data"} and b["data"]["task_id"] == new_task
               for b in bodies)
    assert all(set(t) == TRACK_KEYS for t in bodies[2]["data"]["data"])


def test_callback_url_is_optional(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    created = replace_section(client, auth, taskId=task_id, audioId=audio_id, **ERA_B)
    assert wait_terminal(client, auth, created["data"]["taskId"])["status"] == "SUCCESS"


@pytest.mark.parametrize(("fields", "code", "words"), [
    ({"prompt": None}, 422, "prompt is required"),
    ({"prompt": " "}, 422, "prompt"),
    ({"tags": None}, 422, "tags is required"),
    ({"title": ""}, 422, "title"),
    ({"infillStartS": None}, 422, "infillStartS is required"),
    ({"infillEndS": "20"}, 422, "infillEndS"),
    ({"taskId": None}, 422, "taskId and audioId"),
    ({"audioId": None}, 422, "taskId and audioId"),
    ({"uploadUrl": "https://example.com/a.mp3"}, 422, "not both"),
    ({"model": "V4_5"}, 422, "model must not be sent"),
    ({"infillStartS": -1.0}, 422, "infillStartS"),
    ({"infillStartS": 5.005}, 422, "two decimals"),
    ({"infillEndS": 5.0}, 422, "greater than"),
    ({"infillEndS": 10.99}, 422, "6-60"),
    ({"infillStartS": 0.0, "infillEndS": 60.5}, 422, "6-60"),
    ({"infillStartS": 20.0, "infillEndS": 26.5}, 422, "past the end"),
    ({"infillStartS": 0.0, "infillEndS": 12.5}, 422, "at most half"),
    ({"fullLyrics": "x", "infillEndS": 14.99}, 422, "at least 10"),
    ({"vocalGender": "f"}, 422, "fullLyrics is required"),
    ({"fullLyrics": "x", "vocalGender": "x"}, 422, "vocalGender"),
    ({"fullLyrics": "x", "styleWeight": 2.0}, 422, "styleWeight"),
    ({"fullLyrics": "x", "variety": 5}, 422, "variety"),
    ({"fullLyrics": "x" * 5001}, 422, "fullLyrics is too long"),
    ({"prompt": "x" * 5001}, 422, "prompt is too long"),
    ({"title": "x" * 101}, 422, "title is too long"),
    ({"fullLyrics": "x", "infillEndS": 15.0, "title": "x" * 81}, 422, "title is too long"),
    ({"fullLyrics": "x", "infillEndS": 15.0, "personaId": "nope"}, 404, "Persona"),
])
def test_replace_section_validation(client: TestClient, auth: dict[str, str], fields: dict[str, Any], code: int,
                                    words: str) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    before = credits(client, auth)
    r = replace_section(client, auth, **{"taskId": task_id, "audioId": audio_id, **ERA_B, **fields})
    assert r["code"] == code and words in r["msg"], r
    assert credits(client, auth) == before


def test_upload_mode_is_refused_clearly(client: TestClient, auth: dict[str, str]) -> None:
    r = replace_section(client, auth, uploadUrl="https://example.com/a.mp3", model="V6", fullLyrics="x", **ERA_B)
    assert r["code"] == 400 and "uploadUrl" in r["msg"] and "not supported" in r["msg"]


def test_the_source_must_be_this_keys_finished_track(client: TestClient, auth: dict[str, str], db: Database,
                                                     settings: Settings) -> None:
    task_id, (audio_id, other_audio) = finished(client, auth)
    assert replace_section(client, auth, taskId=task_id, audioId="nope", **ERA_B)["code"] == 404
    assert replace_section(client, auth, taskId="nope", audioId=audio_id, **ERA_B)["code"] == 404
    other = {"Authorization": f"Bearer {new_key(db)}"}
    assert replace_section(client, other, taskId=task_id, audioId=audio_id, **ERA_B)["code"] == 404
    (Path(settings.files_dir) / "tracks" / other_audio / "stems" / "drums.flac").unlink()
    r = replace_section(client, auth, taskId=task_id, audioId=other_audio, **ERA_B)
    assert r["code"] == 404 and "expired" in r["msg"]
