"""MIDI (§3.19): submit on a split_stem task, integer successFlag, top-level task_id callback, the .mid file."""

from __future__ import annotations

import io
from typing import Any

import mido
import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import local
from tests.api.test_vocal_removal import credits, finished, poll, separation
from tests.support.receiver import WebhookReceiver

DETAILS_KEYS = {"taskId", "recordTaskId", "audioId", "callbackUrl", "completeTime", "midiData", "successFlag",
                "createTime", "errorCode", "errorMessage", "midiUrl"}
KICKS = [{"pitch": 36, "start": t / 2, "end": t / 2 + 0.25, "velocity": round(100 / 127, 3)} for t in range(4)]
SUNG = [{"pitch": 64, "start": 0.5, "end": 1.0, "velocity": round(90 / 127, 3)}]


def split(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    task_id, (audio_id, _) = finished(client, auth)
    sep, details = separation(client, auth, task_id, audio_id, "split_stem")
    assert details["successFlag"] == "SUCCESS"
    return details


def midi(client: TestClient, auth: dict[str, str], body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    r = client.post("/api/v1/midi/generate", headers=auth, json=body).json()
    assert r["code"] == 200 and set(r["data"]) == {"taskId"}, r
    task = r["data"]["taskId"]
    return task, poll(client, auth, "/api/v1/midi/record-info", task, lambda d: d["successFlag"] == 0)


def test_midi_of_all_stems_end_to_end(client: TestClient, auth: dict[str, str]) -> None:
    details = split(client, auth)
    before = credits(client, auth)
    with WebhookReceiver() as rx:
        task, data = midi(client, auth, {"taskId": details["taskId"], "callBackUrl": rx.url("/midi")})
        [cb] = rx.wait_for(1, timeout=10)
    assert before - credits(client, auth) == 5
    assert set(data) == DETAILS_KEYS and data["successFlag"] == 1 and data["recordTaskId"] == -1
    assert data["audioId"] == "" and isinstance(data["completeTime"], int)
    assert set(data["midiData"]) == {"state", "instruments"} and data["midiData"]["state"] == "complete"
    by_name = {i["name"]: i["notes"] for i in data["midiData"]["instruments"]}
    assert by_name == {"Vocals": SUNG, "Drums": KICKS}
    body = cb.json()
    assert set(body) == {"task_id", "code", "msg", "data"} and body["task_id"] == task and body["code"] == 200
    assert set(body["data"]) == {"state", "instruments", "midiUrl"}
    assert body["data"]["instruments"] == data["midiData"]["instruments"]
    file = client.get(local(data["midiUrl"]))
    assert file.headers["content-type"] == "audio/midi"
    song = mido.MidiFile(file=io.BytesIO(file.content))
    assert song.ticks_per_beat == 480 and len(song.tracks) == 3
    seconds, ons = 0.0, []
    for message in song:  # iterating a MidiFile yields messages with times in seconds
        seconds += message.time
        if message.type == "note_on" and message.velocity > 0:
            ons.append((message.channel, message.note, round(seconds, 4)))
    assert sorted(ons) == sorted([(9, 36, t / 2) for t in range(4)] + [(0, 64, 0.5)])


def test_midi_of_one_stem(client: TestClient, auth: dict[str, str]) -> None:
    details = split(client, auth)
    drums = next(o["id"] for o in details["response"]["originData"] if o["stem_type_group_name"] == "Drums")
    _, data = midi(client, auth, {"taskId": details["taskId"], "audioId": drums,
                                  "callBackUrl": "https://example.com/cb"})
    assert data["audioId"] == drums and data["midiData"]["instruments"] == [{"name": "Drums", "notes": KICKS}]


@pytest.mark.parametrize("kind", ["separate_vocal", "music"])
def test_midi_needs_a_finished_split_stem_task(client: TestClient, auth: dict[str, str], kind: str) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    source = separation(client, auth, task_id, audio_id, kind)[0] if kind != "music" else task_id
    before = credits(client, auth)
    r = client.post("/api/v1/midi/generate", headers=auth,
                    json={"taskId": source, "callBackUrl": "https://example.com/cb"}).json()
    assert r["code"] == 400 and "split_stem" in r["msg"]
    assert credits(client, auth) == before


def test_midi_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    details = split(client, auth)
    url, cb = "/api/v1/midi/generate", "https://example.com/cb"
    assert client.post(url, headers=auth, json={"taskId": details["taskId"]}).json()["code"] == 400
    unknown = client.post(url, headers=auth, json={"taskId": details["taskId"], "audioId": "x", "callBackUrl": cb})
    assert unknown.json()["code"] == 404
    assert client.post(url, headers=auth, json={"taskId": "nope", "callBackUrl": cb}).json()["code"] == 404
    info = client.get("/api/v1/midi/record-info", params={"taskId": details["taskId"]}, headers=auth).json()
    assert info["code"] == 400
