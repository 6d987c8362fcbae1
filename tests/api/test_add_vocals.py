"""add-vocals (§3.6): every field and limit of every era, the words to sing (Era C ``lyrics`` before
``prompt``, or none: the engine writes them from the title), the engine request, the upload's checks, the
seed-000 callback keys, record-info, and no credit for a refused request or a task the engine refuses."""

from __future__ import annotations

from collections.abc import Callable
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

from tunesmith.api.schemas.audio_in import AUDIO_IN_MODELS
from tunesmith.db.session import Database
from tunesmith.tasks.catalog import MODELS

URL = "/api/v1/generate/add-vocals"
LYRICS = "[Verse]\nneon on the water\n[Chorus]\nsing it back to me"


def body(upload_url: str, **fields: Any) -> dict[str, Any]:
    return {"uploadUrl": upload_url, "title": "Harbour Lights", "style": "synth pop, dreamy", "negativeTags": "",
            "prompt": LYRICS, "callBackUrl": "https://example.com/cb", **fields}


@pytest.fixture
def rich(db: Database) -> dict[str, str]:
    """A key with credits for a submit per model."""
    return {"Authorization": f"Bearer {new_key(db, credits=1000)}"}


@pytest.fixture
def backing(client: TestClient, auth: dict[str, str]) -> str:
    return upload(client, auth, name="beat.wav")


def test_an_instrumental_becomes_a_music_task(client: TestClient, auth: dict[str, str], db: Database,
                                              backing: str) -> None:
    sent = body(backing, negativeTags="screamo", vocalGender="m", styleWeight=0.5, weirdnessConstraint=0.25,
                audioWeight=0.75, variety=0, seed=3)
    task_id, tracks = accepted(client, auth, URL, sent, "add_vocals")
    assert all(t["modelName"] == "chirp-v6" for t in tracks)  # V6, Era C's default
    assert all(t["tags"] == "synth pop, dreamy" and t["prompt"] == LYRICS for t in tracks)
    request = request_of(db, task_id)
    assert request["operation"] == "add_vocals" and request["model"] == "V6"
    assert (request["custom"], request["instrumental"], request["lyrics"], request["idea"]) == (True, False, LYRICS, "")
    assert request["style"] == "synth pop, dreamy" and request["title"] == "Harbour Lights"
    assert request["negative_tags"] == "screamo" and request["vocal_gender"] == "m" and request["seed"] == 3
    assert (request["style_weight"], request["weirdness"], request["audio_weight"]) == (0.5, 0.25, 0.75)
    assert request["max_duration_s"] == MODELS["V6"].max_duration_s
    (role, blob), = request["source"].items()
    assert role == "upload" and blob.startswith("uploads/") and blob.endswith("/beat.wav")


@pytest.mark.parametrize(("fields", "custom", "lyrics", "idea"), [
    ({"lyrics": "[Chorus]\nEra C wins"}, True, "[Chorus]\nEra C wins", ""),
    ({"lyrics": "  "}, True, LYRICS, ""),  # a blank lyrics field leaves the prompt
    ({"lyrics": "[Verse]\n只有歌词", "prompt": None}, True, "[Verse]\n只有歌词", ""),
    ({"prompt": None}, False, "", "Harbour Lights"),  # no words: the engine writes them about the title
    ({"prompt": "", "lyrics": ""}, False, "", "Harbour Lights"),
])
def test_the_words_to_sing(client: TestClient, auth: dict[str, str], db: Database, backing: str,
                           fields: dict[str, Any], custom: bool, lyrics: str, idea: str) -> None:
    created = post(client, auth, URL, {**body(backing), **fields})
    assert created["code"] == 200, created
    request = request_of(db, created["data"]["taskId"])
    assert (request["custom"], request["lyrics"], request["idea"], request["title"]) == (
        custom, lyrics, idea, "Harbour Lights")


def test_callbacks_have_the_seed_000_track_keys(client: TestClient, auth: dict[str, str], backing: str) -> None:
    with WebhookReceiver() as rx:
        task_id = post(client, auth, URL, body(backing, callBackUrl=rx.url("/cb"), model="V4_5PLUS"))["data"]["taskId"]
        assert wait_terminal(client, auth, task_id)["status"] == "SUCCESS"
        bodies = [r.json() for r in rx.wait_for(3, timeout=10)]
    assert [b["data"]["callbackType"] for b in bodies] == ["text", "first", "complete"]
    for sent in bodies:
        assert set(sent) == {"code", "msg", "data"} and sent["code"] == 200
        assert set(sent["data"]) == {"callbackType", "task_id", "data"} and sent["data"]["task_id"] == task_id
    assert bodies[0]["data"]["data"] == [] and len(bodies[1]["data"]["data"]) == 1
    tracks = bodies[2]["data"]["data"]
    assert len(tracks) == 2 and all(set(t) == SEED_KEYS for t in tracks)
    assert all(t["model_name"] == "chirp-bluejay" and t["prompt"] == LYRICS for t in tracks)


@pytest.mark.parametrize(("fields", "code", "words"), [
    ({"uploadUrl": None}, 400, "uploadUrl is required"),
    ({"title": None}, 400, "title is required"),
    ({"title": ""}, 400, "title is required"),
    ({"style": None}, 400, "style is required"),
    ({"style": " "}, 400, "style is required"),
    ({"tags": "rock", "style": None}, 400, "style is required"),  # add-instrumental's field is not this one's
    ({"negativeTags": None}, 400, "negativeTags is required"),
    ({"callBackUrl": None}, 400, "callBackUrl is required"),
    ({"callBackUrl": "http://169.254.169.254/cb"}, 400, "callBackUrl"),
    ({"prompt": 5}, 400, "prompt"),
    ({"lyrics": ["la"]}, 400, "lyrics"),
    ({"model": "V3_5"}, 400, "model must be one of"),
    ({"model": ""}, 400, "model must be one of"),
    ({"vocalGender": "female"}, 400, "vocalGender"),
    ({"styleWeight": 2}, 400, "styleWeight"),
    ({"weirdnessConstraint": 0.555}, 400, "weirdnessConstraint"),
    ({"audioWeight": -1}, 400, "audioWeight"),
    ({"variety": -1}, 400, "variety"),
    ({"variety": True}, 400, "variety"),
    ({"title": "x" * 81}, 413, "title"),  # V6: 80
    ({"style": "x" * 1001}, 413, "style"),
    ({"negativeTags": "x" * 1001}, 413, "negativeTags"),
    ({"prompt": "x" * 5001}, 413, "prompt"),
    ({"lyrics": "x" * 5001}, 413, "lyrics"),
    ({"model": "V4", "prompt": "x" * 3001}, 413, "prompt"),
    ({"model": "V4", "style": "x" * 201}, 413, "style"),
    ({"lyrics": "[Verse]\n" + "爱" * 61}, 400, "lyrics: line 2 has 61 Chinese characters"),
    ({"prompt": "爱" * 61}, 400, "prompt: line 1 has 61 Chinese characters"),
])
def test_bad_fields_are_refused_free(client: TestClient, auth: dict[str, str], db: Database, backing: str,
                                     fields: dict[str, Any], code: int, words: str) -> None:
    answer = refused(client, auth, db, URL, {**body(backing), **fields})
    assert answer["code"] == code and words in answer["msg"], answer


@pytest.mark.parametrize("model", AUDIO_IN_MODELS)
def test_every_model_of_every_era_with_its_limits(client: TestClient, rich: dict[str, str], db: Database,
                                                  model: str) -> None:
    spec, backing = MODELS[model], upload(client, rich)
    at_limit = body(backing, model=model, title="t" * spec.title_max, style="s" * spec.style_max,
                    prompt="p" * spec.lyrics_max, lyrics="l" * spec.lyrics_max, negativeTags="n" * 1000)
    for name in ("title", "style", "prompt", "lyrics"):
        over = refused(client, rich, db, URL, {**at_limit, name: at_limit[name] + "x"})
        assert over["code"] == 413 and name in over["msg"] and model in over["msg"], over
    created = post(client, rich, URL, at_limit)
    assert created["code"] == 200, created
    data = wait_terminal(client, rich, created["data"]["taskId"])
    assert {t["modelName"] for t in data["response"]["sunoData"]} == {spec.label}
    assert request_of(db, data["taskId"])["lyrics"] == at_limit["lyrics"]


def test_era_a_b_titles_may_hold_100_characters(client: TestClient, auth: dict[str, str], backing: str) -> None:
    for model in ("V4_5PLUS", "V5"):
        assert post(client, auth, URL, body(backing, model=model, title="x" * 100))["code"] == 200


def test_upload_problems_are_refused_free(client: TestClient, auth: dict[str, str], db: Database) -> None:
    other = {"Authorization": f"Bearer {new_key(db)}"}
    cases: list[tuple[str, Callable[[str], dict[str, Any]], int, str]] = [
        (upload(client, auth, PNG, "cover.png"), body, 400, "not an audio file: detected image/png"),
        (upload(client, auth, wav(amplitude=0.0), "silence.wav"), body, 400, "uploadUrl is silent"),
        (upload(client, auth, wav(61.0), "long.wav"), lambda u: body(u, model="V4_5ALL"), 400, "the limit is 60 s"),
        (upload(client, other), body, 404, "uploadUrl not found"),
        ("http://10.0.0.7/beat.wav", body, 400, "uploadUrl is not allowed"),
    ]
    for url, make, code, words in cases:
        answer = refused(client, auth, db, URL, make(url))
        assert answer["code"] == code and words in answer["msg"], (url, answer)


def test_not_enough_credits_leaves_nothing(db: Database, client: TestClient) -> None:
    poor = {"Authorization": f"Bearer {new_key(db, credits=11)}"}
    assert refused(client, poor, db, URL, body(upload(client, poor)))["code"] == 429


def test_a_song_that_already_has_a_voice_fails_the_task_with_400_and_refunds(tmp_path: Path) -> None:
    with wrong_kind_app(tmp_path) as (client, auth), WebhookReceiver() as rx:
        created = post(client, auth, URL, body(upload(client, auth), callBackUrl=rx.url("/cb")))
        assert created["code"] == 200, created
        data = wait_terminal(client, auth, created["data"]["taskId"])
        assert data["status"] == "GENERATE_AUDIO_FAILED" and data["errorCode"] == 400
        assert "wrong kind of audio for add_vocals" in data["errorMessage"]
        assert data["response"]["sunoData"] == [] and credits(client, auth) == 100
        (error,) = [r.json() for r in rx.wait_for(1, timeout=10)]
    assert error == {"code": 400, "msg": data["errorMessage"],
                     "data": {"callbackType": "error", "task_id": data["taskId"], "data": None}}
