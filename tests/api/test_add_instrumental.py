"""add-instrumental (§3.7, seed 000): every field and limit of every era, the engine request it makes
(``tags`` is the backing's style), the upload's checks, the seed-000 callback keys, record-info, and no
credit for a refused request or a task the engine refuses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.audio_in_support import (
    PNG,
    SEED_KEYS,
    accepted,
    post,
    refused,
    request_of,
    upload,
    wav,
    wrong_kind_app,
)
from tests.api.helpers import wait_terminal
from tests.api.test_vocal_removal import credits
from tests.conftest import new_key
from tests.support.receiver import WebhookReceiver
from tests.webhooks.test_fetch import Answer, FileServer

from tunesmith.api.schemas.audio_in import AUDIO_IN_MODELS
from tunesmith.config import Settings
from tunesmith.db.session import Database
from tunesmith.tasks.catalog import MODELS

URL = "/api/v1/generate/add-instrumental"


def body(upload_url: str, **fields: Any) -> dict[str, Any]:
    return {"uploadUrl": upload_url, "title": "Phone Take", "tags": "acoustic folk, warm", "negativeTags": "",
            "callBackUrl": "https://example.com/cb", **fields}


@pytest.fixture
def rich(db: Database) -> dict[str, str]:
    """A key with credits for a submit per model."""
    return {"Authorization": f"Bearer {new_key(db, credits=1000)}"}


@pytest.fixture
def vocal(client: TestClient, auth: dict[str, str]) -> str:
    return upload(client, auth)


def test_a_vocal_becomes_a_music_task(client: TestClient, auth: dict[str, str], db: Database, vocal: str,
                                      settings: Settings) -> None:
    sent = body(vocal, negativeTags="drums", vocalGender="f", styleWeight=0.6, weirdnessConstraint=0.3,
                audioWeight=0.8, variety=2, seed=7)
    task_id, tracks = accepted(client, auth, URL, sent, "add_instrumental")
    assert all(t["modelName"] == "chirp-bluejay" for t in tracks)  # V4_5PLUS, the documented default
    assert all(t["tags"] == "acoustic folk, warm" and t["title"] == "Phone Take" for t in tracks)
    request = request_of(db, task_id)
    assert request["operation"] == "add_instrumental" and request["model"] == "V4_5PLUS"
    assert (request["custom"], request["instrumental"], request["lyrics"], request["idea"]) == (True, False, "", "")
    assert request["style"] == "acoustic folk, warm" and request["title"] == "Phone Take"
    assert request["negative_tags"] == "drums" and request["vocal_gender"] == "f" and request["seed"] == 7
    assert (request["style_weight"], request["weirdness"], request["audio_weight"]) == (0.6, 0.3, 0.8)
    assert request["max_duration_s"] == MODELS["V4_5PLUS"].max_duration_s and request["source_paths"] == {}
    (role, blob), = request["source"].items()
    assert role == "upload" and blob.startswith("uploads/") and blob.endswith("/take.wav")
    assert (settings.files_dir / blob).read_bytes() == wav()


def test_the_style_is_tags_not_style(client: TestClient, auth: dict[str, str], db: Database, vocal: str) -> None:
    refused(client, auth, db, URL, {**body(vocal, style="jazz"), "tags": None})
    created = post(client, auth, URL, body(vocal, style="jazz"))
    assert request_of(db, created["data"]["taskId"])["style"] == "acoustic folk, warm"


def test_callbacks_have_the_seed_000_track_keys(client: TestClient, auth: dict[str, str], vocal: str) -> None:
    with WebhookReceiver() as rx:
        task_id = post(client, auth, URL, body(vocal, callBackUrl=rx.url("/cb"), model="V5"))["data"]["taskId"]
        assert wait_terminal(client, auth, task_id)["status"] == "SUCCESS"
        bodies = [r.json() for r in rx.wait_for(3, timeout=10)]
    assert [b["data"]["callbackType"] for b in bodies] == ["text", "first", "complete"]
    for sent in bodies:
        assert set(sent) == {"code", "msg", "data"} and sent["code"] == 200
        assert set(sent["data"]) == {"callbackType", "task_id", "data"} and sent["data"]["task_id"] == task_id
    assert bodies[0]["data"]["data"] == [] and len(bodies[1]["data"]["data"]) == 1
    tracks = bodies[2]["data"]["data"]
    assert len(tracks) == 2 and all(set(t) == SEED_KEYS for t in tracks)
    assert all(t["model_name"] == "chirp-crow" and t["duration"] == 2.0 and t["audio_url"] for t in tracks)
    assert bodies[2]["msg"] == "All generated successfully."


@pytest.mark.parametrize(("fields", "code", "words"), [
    ({"uploadUrl": None}, 400, "uploadUrl is required"),
    ({"uploadUrl": " "}, 400, "uploadUrl is required"),
    ({"title": None}, 400, "title is required"),
    ({"title": "  "}, 400, "title is required"),
    ({"tags": None}, 400, "tags is required"),
    ({"tags": ""}, 400, "tags is required"),
    ({"negativeTags": None}, 400, "negativeTags is required"),
    ({"negativeTags": 3}, 400, "negativeTags"),
    ({"callBackUrl": None}, 400, "callBackUrl is required"),
    ({"callBackUrl": "http://10.0.0.7/cb"}, 400, "callBackUrl"),
    ({"model": "V3_5"}, 400, "model must be one of"),
    ({"model": "v5"}, 400, "model must be one of"),
    ({"vocalGender": "x"}, 400, "vocalGender"),
    ({"styleWeight": 1.5}, 400, "styleWeight"),
    ({"weirdnessConstraint": -0.1}, 400, "weirdnessConstraint"),
    ({"audioWeight": 0.123}, 400, "audioWeight"),
    ({"audioWeight": "0.5"}, 400, "audioWeight"),
    ({"variety": 5}, 400, "variety"),
    ({"variety": 1.5}, 400, "variety"),
    ({"seed": "7"}, 400, "seed"),
    ({"title": "x" * 101}, 413, "title"),
    ({"tags": "x" * 1001}, 413, "tags"),
    ({"negativeTags": "x" * 1001}, 413, "negativeTags"),
])
def test_bad_fields_are_refused_free(client: TestClient, auth: dict[str, str], db: Database, vocal: str,
                                     fields: dict[str, Any], code: int, words: str) -> None:
    answer = refused(client, auth, db, URL, {**body(vocal), **fields})
    assert answer["code"] == code and words in answer["msg"], answer


@pytest.mark.parametrize("model", AUDIO_IN_MODELS)
def test_every_model_of_every_era_with_its_limits(client: TestClient, rich: dict[str, str], db: Database,
                                                  model: str) -> None:
    spec, vocal = MODELS[model], upload(client, rich)
    at_limit = body(vocal, model=model, title="t" * spec.title_max, tags="s" * spec.style_max,
                    negativeTags="n" * 1000)
    for name in ("title", "tags"):
        over = refused(client, rich, db, URL, {**at_limit, name: at_limit[name] + "x"})
        assert over["code"] == 413 and name in over["msg"] and model in over["msg"], over
    created = post(client, rich, URL, at_limit)
    assert created["code"] == 200, created
    data = wait_terminal(client, rich, created["data"]["taskId"])
    assert {t["modelName"] for t in data["response"]["sunoData"]} == {spec.label}
    assert request_of(db, data["taskId"])["max_duration_s"] == spec.max_duration_s


def test_title_limits_follow_the_model(client: TestClient, auth: dict[str, str], db: Database, vocal: str) -> None:
    """Era A/B document 100 characters (V4_5PLUS, V5); Era C 80 (V6 and the newer names)."""
    assert refused(client, auth, db, URL, body(vocal, model="V6", title="x" * 81))["code"] == 413
    assert refused(client, auth, db, URL, body(vocal, model="V4", tags="x" * 201))["code"] == 413
    assert post(client, auth, URL, body(vocal, model="V5", title="x" * 100))["code"] == 200


@pytest.fixture
def server() -> Iterator[FileServer]:
    answers = {"/vocal.wav": Answer(wav()), "/cover.png": Answer(PNG), "/broken": Answer(b"oops", status=500)}
    with FileServer(answers) as running:
        yield running


def test_upload_problems_are_refused_free(client: TestClient, auth: dict[str, str], db: Database,
                                          server: FileServer) -> None:
    cases = [
        (upload(client, auth, PNG, "cover.png"), 400, "not an audio file: detected image/png"),
        (upload(client, auth, b"RIFF\0\0\0\0WAVE" + b"\0" * 200, "bad.wav"), 400, "could not be decoded as audio"),
        (upload(client, auth, wav(amplitude=0.0), "silence.wav"), 400, "uploadUrl is silent"),
        (upload(client, {"Authorization": f"Bearer {new_key(db)}"}), 404, "uploadUrl not found"),
        ("http://10.0.0.7/vocal.wav", 400, "uploadUrl is not allowed"),
        ("http://169.254.169.254/latest/meta-data/", 400, "uploadUrl is not allowed"),
        ("not a url", 400, "uploadUrl is not allowed"),
        (server.url("/cover.png"), 400, "not an audio file"),
        (server.url("/broken"), 451, "could not fetch the source uploadUrl"),
        ("http://testserver/files/uploads/x/take.wav?exp=1&sig=forged", 400, "not a valid file link"),
    ]
    for url, code, words in cases:
        answer = refused(client, auth, db, URL, body(url))
        assert answer["code"] == code and words in answer["msg"], (url, answer)


def test_a_url_on_another_host_is_kept_as_one_upload(client: TestClient, auth: dict[str, str], db: Database,
                                                      server: FileServer, settings: Settings) -> None:
    blobs = set()
    for _ in range(2):
        created = post(client, auth, URL, body(server.url("/vocal.wav")))
        assert created["code"] == 200, created
        blobs.add(request_of(db, created["data"]["taskId"])["source"]["upload"])
    (blob,) = blobs
    assert blob.startswith("uploads/") and (settings.files_dir / blob).read_bytes() == wav()


def test_upload_length_limits(client: TestClient, auth: dict[str, str], db: Database, settings: Settings) -> None:
    """At most 1 minute with V4_5ALL, 8 minutes otherwise, and never more than ``uploads.max_audio_s``."""
    long_take = upload(client, auth, wav(61.0), "long.wav")
    for _ in range(2):  # the first refusal decodes the file, the second reads the recorded length
        answer = refused(client, auth, db, URL, body(long_take, model="V4_5ALL"))
        assert answer["code"] == 400 and "61.0 s long; the limit is 60 s" in answer["msg"], answer
    assert post(client, auth, URL, body(long_take, model="V5"))["code"] == 200
    settings.uploads.max_audio_s = 30.0
    answer = refused(client, auth, db, URL, body(long_take, model="V5"))
    assert answer["code"] == 400 and "the limit is 30 s" in answer["msg"], answer


def test_a_track_of_the_same_key_can_be_the_vocal(client: TestClient, auth: dict[str, str], db: Database,
                                                  vocal: str) -> None:
    first = wait_terminal(client, auth, post(client, auth, URL, body(vocal))["data"]["taskId"])
    track = first["response"]["sunoData"][0]
    created = post(client, auth, URL, body(track["audioUrl"]))
    assert created["code"] == 200, created
    assert request_of(db, created["data"]["taskId"])["source"] == {"upload": f"tracks/{track['id']}/audio.mp3"}


def test_not_enough_credits_leaves_nothing(db: Database, client: TestClient, vocal: str) -> None:
    poor = {"Authorization": f"Bearer {new_key(db, credits=11)}"}
    answer = refused(client, poor, db, URL, body(upload(client, poor)))
    assert answer["code"] == 429


def test_audio_with_no_voice_fails_the_task_with_400_and_refunds(tmp_path: Path) -> None:
    with wrong_kind_app(tmp_path) as (client, auth), WebhookReceiver() as rx:
        created = post(client, auth, URL, body(upload(client, auth), callBackUrl=rx.url("/cb")))
        assert created["code"] == 200, created
        data = wait_terminal(client, auth, created["data"]["taskId"])
        assert data["status"] == "GENERATE_AUDIO_FAILED" and data["errorCode"] == 400
        assert "wrong kind of audio for add_instrumental" in data["errorMessage"]
        assert data["response"]["sunoData"] == [] and credits(client, auth) == 100
        (error,) = [r.json() for r in rx.wait_for(1, timeout=10)]
    assert error == {"code": 400, "msg": data["errorMessage"],
                     "data": {"callbackType": "error", "task_id": data["taskId"], "data": None}}
