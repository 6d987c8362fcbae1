"""Wire shapes pinned against shared/reference/suno-api.md §1.2, §3.2, §3.13."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from tests.api.helpers import CUSTOM, local, record, submit, wait_terminal
from tests.conftest import new_key

from tunesmith.tasks import accounts

RECORD_KEYS = {"taskId", "parentMusicId", "param", "response", "status", "type", "operationType", "errorCode",
               "errorMessage"}
SUNO_KEYS = {"id", "audioUrl", "sourceAudioUrl", "streamAudioUrl", "sourceStreamAudioUrl", "imageUrl",
             "sourceImageUrl", "prompt", "modelName", "title", "tags", "createTime", "duration"}


def test_submit_envelope(client: TestClient, auth: dict[str, str]) -> None:
    result = submit(client, auth)
    assert set(result) == {"code", "msg", "data"}
    assert result["code"] == 200 and result["msg"] == "success"
    assert set(result["data"]) == {"taskId"} and re.fullmatch(r"[0-9a-f]{32}", result["data"]["taskId"])


def test_record_info_shape(client: TestClient, auth: dict[str, str]) -> None:
    sent = {**CUSTOM, "extraField": "kept in param"}
    task_id = client.post("/api/v1/generate", json=sent, headers=auth).json()["data"]["taskId"]
    data = wait_terminal(client, auth, task_id)
    assert set(data) == RECORD_KEYS
    assert data["status"] == "SUCCESS" and data["operationType"] == "generate" and data["type"] == "GENERATE"
    assert data["parentMusicId"] == "" and data["errorCode"] is None and data["errorMessage"] is None
    assert isinstance(data["param"], str) and json.loads(data["param"]) == sent
    assert set(data["response"]) == {"taskId", "sunoData"} and data["response"]["taskId"] == task_id
    for track in data["response"]["sunoData"]:
        assert set(track) == SUNO_KEYS
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", track["createTime"])
        assert track["modelName"] == "chirp-v4-5" and track["title"] == "Hi" and track["tags"] == "pop"
        assert track["prompt"] == CUSTOM["prompt"] and isinstance(track["duration"], float)
        assert track["audioUrl"].startswith("http://testserver/files/tracks/")
        assert re.fullmatch(r"[0-9a-f-]{36}", track["id"])


def test_links_are_reissued_on_each_read(client: TestClient, auth: dict[str, str]) -> None:
    task_id = submit(client, auth)["data"]["taskId"]
    wait_terminal(client, auth, task_id)
    first = record(client, auth, task_id)["response"]["sunoData"][0]["audioUrl"]
    client.app.state.container.signer.ttl_s += 5  # type: ignore[attr-defined]
    second = record(client, auth, task_id)["response"]["sunoData"][0]["audioUrl"]
    assert first != second
    assert client.get(local(first)).status_code == 200 and client.get(local(second)).status_code == 200


def test_credit_shape(client: TestClient, auth: dict[str, str]) -> None:
    assert client.get("/api/v1/generate/credit", headers=auth).json() == {"code": 200, "msg": "success", "data": 100}


def test_task_of_another_key_is_not_found(client: TestClient, auth: dict[str, str]) -> None:
    task_id = submit(client, auth)["data"]["taskId"]
    other = {"Authorization": f"Bearer {new_key(client.app.state.container.db)}"}  # type: ignore[attr-defined]
    r = client.get("/api/v1/generate/record-info", params={"taskId": task_id}, headers=other).json()
    assert r["code"] == 404 and r["data"] is None
    missing = client.get("/api/v1/generate/record-info", params={"taskId": "0" * 32}, headers=auth).json()
    assert missing["code"] == 404
    assert client.get("/api/v1/generate/record-info", headers=auth).json()["code"] == 400


def test_revoked_key_is_refused(client: TestClient, auth: dict[str, str], key: str) -> None:
    db = client.app.state.container.db  # type: ignore[attr-defined]
    accounts.revoke_key(db, key[:10])
    assert client.get("/api/v1/generate/credit", headers=auth).json()["code"] == 401


def test_twenty_concurrent_submits_against_ten_submits_worth(client: TestClient) -> None:
    db = client.app.state.container.db  # type: ignore[attr-defined]
    h = {"Authorization": f"Bearer {new_key(db, credits=120)}"}
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: submit(client, h)["code"], range(20)))
    assert codes.count(200) == 10 and codes.count(429) == 10
    assert client.get("/api/v1/generate/credit", headers=h).json()["data"] == 0
    for key_id, (balance, ledger_sum) in accounts.ledger_balances(db).items():
        assert balance == ledger_sum, key_id


def test_openapi_lists_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/generate", "/api/v1/generate/record-info", "/api/v1/generate/credit"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
