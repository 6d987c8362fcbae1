"""Lyrics (§3.15): submit, the exact details and callback shapes, two different alternatives in the prompt's
language, validation codes, credits debited and refunded, and the optional LLM wired through settings."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import submit
from tests.conftest import make_settings
from tests.support.fake_engine import FakeEngine
from tests.support.receiver import Reply, WebhookReceiver

from tunesmith.api.app import create_app
from tunesmith.config import LyricsSettings
from tunesmith.db.models import Task
from tunesmith.engines.jobs import lyrics as lyrics_job
from tunesmith.music.lyrics import detect_language, section_kind
from tunesmith.tasks import accounts

DETAILS_KEYS = {"taskId", "param", "response", "status", "type", "errorCode", "errorMessage"}
ITEM_KEYS = {"text", "title", "status", "errorMessage"}
BODY = {"prompt": "a song about a lighthouse keeper and the winter sea", "callBackUrl": "https://example.com/cb"}


def credits(client: TestClient, auth: dict[str, str]) -> int:
    value: int = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    return value


def post(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.post("/api/v1/lyrics", json={**BODY, **fields}, headers=auth).json()
    return result


def details(client: TestClient, auth: dict[str, str], task_id: str, timeout: float = 20.0) -> dict[str, Any]:
    """The details once the task left PENDING."""
    end = time.monotonic() + timeout
    while True:
        r = client.get("/api/v1/lyrics/record-info", params={"taskId": task_id}, headers=auth).json()
        assert r["code"] == 200, r
        if r["data"]["status"] != "PENDING" or time.monotonic() > end:
            return r["data"]  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_lyrics_end_to_end_details_and_callback(client: TestClient, auth: dict[str, str]) -> None:
    before = credits(client, auth)
    with WebhookReceiver() as rx:
        body = {**BODY, "callBackUrl": rx.url("/lyrics")}
        r = client.post("/api/v1/lyrics", json=body, headers=auth).json()
        assert r["code"] == 200 and set(r["data"]) == {"taskId"}
        task_id = r["data"]["taskId"]
        data = details(client, auth, task_id)
        [cb] = rx.wait_for(1, timeout=10)
    assert set(data) == DETAILS_KEYS
    assert data["taskId"] == task_id and data["type"] == "LYRICS" and data["status"] == "SUCCESS"
    assert data["errorCode"] is None and data["errorMessage"] is None
    assert isinstance(data["param"], str) and json.loads(data["param"]) == body
    assert set(data["response"]) == {"taskId", "data"} and data["response"]["taskId"] == task_id
    items = data["response"]["data"]
    assert len(items) == 2
    for item in items:
        assert set(item) == ITEM_KEYS and item["status"] == "complete" and item["errorMessage"] == ""
        assert item["title"] and "[Verse]" in item["text"] and "[Chorus]" in item["text"]
    assert items[0]["text"] != items[1]["text"]
    assert cb.json() == {"code": 200, "msg": "All generated successfully.",
                         "data": {"callbackType": "complete", "taskId": task_id, "data": items}}
    assert credits(client, auth) == before - 1


def test_chinese_prompt_gives_chinese_lyrics(client: TestClient, auth: dict[str, str]) -> None:
    task_id = post(client, auth, prompt="写一首关于夏天海边和初恋的歌")["data"]["taskId"]
    items = details(client, auth, task_id)["response"]["data"]
    assert len(items) == 2 and items[0]["text"] != items[1]["text"]
    for item in items:
        assert detect_language(item["text"]) == "zh" and detect_language(item["title"]) == "zh"
        tags = re.findall(r"\[([^\]]+)\]|【([^】]+)】", item["text"])
        assert sum(section_kind(a or b) is not None for a, b in tags) >= 2


def test_same_seed_gives_the_same_lyrics(client: TestClient, auth: dict[str, str]) -> None:
    first = details(client, auth, post(client, auth, seed=7)["data"]["taskId"])["response"]["data"]
    again = details(client, auth, post(client, auth, seed=7)["data"]["taskId"])["response"]["data"]
    other = details(client, auth, post(client, auth, seed=8)["data"]["taskId"])["response"]["data"]
    assert first == again
    assert [i["text"] for i in first] != [i["text"] for i in other]


DROP = object()
VALIDATION: list[tuple[str, dict[str, Any], int, str]] = [
    ("missing prompt", {"prompt": DROP}, 400, "prompt"),
    ("blank prompt", {"prompt": "   "}, 400, "prompt"),
    ("prompt as number", {"prompt": 5}, 400, "prompt"),
    ("prompt as list", {"prompt": ["a"]}, 400, "prompt"),
    ("missing callBackUrl", {"callBackUrl": DROP}, 400, "callBackUrl"),
    ("blank callBackUrl", {"callBackUrl": " "}, 400, "callBackUrl"),
    ("callBackUrl as number", {"callBackUrl": 1}, 400, "callBackUrl"),
    ("callBackUrl bad scheme", {"callBackUrl": "ftp://example.com/x"}, 400, "callBackUrl"),
    ("callBackUrl metadata ip", {"callBackUrl": "http://169.254.169.254/latest"}, 400, "callBackUrl"),
    ("seed as string", {"seed": "7"}, 400, "seed"),
    ("201 words", {"prompt": " ".join(["rain"] * 201)}, 413, "201 words"),
    ("201 Han characters", {"prompt": "雨" * 201}, 413, "201 words"),
    ("one endless word", {"prompt": "x" * 3001}, 413, "characters"),
    ("200 words ok", {"prompt": " ".join(["rain"] * 200)}, 200, "success"),
    ("200 Han characters and punctuation ok", {"prompt": "雨，" * 200}, 200, "success"),
    ("unknown fields ignored", {"whatever": {"a": 1}}, 200, "success"),
]


@pytest.mark.parametrize(("name", "changes", "code", "text"), VALIDATION, ids=[c[0] for c in VALIDATION])
def test_validation(client: TestClient, auth: dict[str, str], name: str, changes: dict[str, Any], code: int,
                    text: str) -> None:
    before = credits(client, auth)
    body = {k: v for k, v in {**BODY, **changes}.items() if v is not DROP}
    r = client.post("/api/v1/lyrics", json=body, headers=auth).json()
    assert r["code"] == code and text in r["msg"], r
    assert credits(client, auth) == before - (1 if code == 200 else 0)


def test_not_a_json_object_and_no_key(client: TestClient, auth: dict[str, str]) -> None:
    json_type = {**auth, "Content-Type": "application/json"}
    assert client.post("/api/v1/lyrics", content=b"[1]", headers=json_type).json()["code"] == 400
    assert client.post("/api/v1/lyrics", json=BODY).json()["code"] == 401


def test_record_info_errors(client: TestClient, auth: dict[str, str]) -> None:
    get = client.get
    assert get("/api/v1/lyrics/record-info", headers=auth).json()["code"] == 400
    assert get("/api/v1/lyrics/record-info", params={"taskId": "nope"}, headers=auth).json()["code"] == 404
    music = submit(client, auth)["data"]["taskId"]
    r = get("/api/v1/lyrics/record-info", params={"taskId": music}, headers=auth).json()
    assert r["code"] == 400 and "not a lyrics task" in r["msg"]


def test_short_of_credits_is_429(client: TestClient) -> None:
    db = client.app.state.container.db  # type: ignore[attr-defined]
    raw, _ = accounts.create_key(db, credits=0)
    r = client.post("/api/v1/lyrics", json=BODY, headers={"Authorization": f"Bearer {raw}"}).json()
    assert r["code"] == 429 and r["data"] is None


def test_failed_job_reports_lyrics_status_error_callback_and_refunds(
        client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(idea: str, seed: int, language: str | None = None) -> None:
        raise RuntimeError("the word bank is empty")

    monkeypatch.setattr(lyrics_job, "write_lyrics", broken)
    before = credits(client, auth)
    with WebhookReceiver() as rx:
        task_id = post(client, auth, callBackUrl=rx.url("/lyrics"))["data"]["taskId"]
        data = details(client, auth, task_id)
        [cb] = rx.wait_for(1, timeout=10)
    assert set(data) == DETAILS_KEYS
    assert data["status"] == "GENERATE_LYRICS_FAILED" and data["type"] == "LYRICS"
    assert data["errorCode"] == 501 and "word bank is empty" in data["errorMessage"]
    assert data["response"] == {"taskId": task_id, "data": []}
    assert cb.json() == {"code": 501, "msg": data["errorMessage"],
                         "data": {"callbackType": "error", "taskId": task_id, "data": None}}
    assert credits(client, auth) == before


LLM_ANSWER = (
    "Title: Keeper of the Light\n[Verse]\nThe lamp turns slow above the foam\nThe keeper counts the ships back home\n"
    "[Chorus]\nShine on, shine on through the winter sea\nShine on for the ones still lost at sea\n===\n"
    "Title: Winter Beacon\n[Verse]\nIce upon the iron stair\nSalt and silence in the air\n"
    "[Chorus]\nBurn, little beacon, burn all night\nGuide them home with your white light\n"
)


def test_configured_llm_writes_the_lyrics(tmp_path: Path) -> None:
    with WebhookReceiver() as llm:
        completion = {"choices": [{"index": 0, "message": {"role": "assistant", "content": LLM_ANSWER}}]}
        llm.enqueue(Reply(200, headers={"Content-Type": "application/json"}, body=json.dumps(completion).encode()))
        settings = make_settings(tmp_path)
        settings.lyrics = LyricsSettings(llm_url=llm.url("/v1"), llm_model="tiny", llm_api_key="sk-test")
        with TestClient(create_app(settings, engine=FakeEngine, engine_options={})) as client:
            raw, _ = accounts.create_key(client.app.state.container.db, credits=5)  # type: ignore[attr-defined]
            auth = {"Authorization": f"Bearer {raw}"}
            task_id = post(client, auth)["data"]["taskId"]
            data = details(client, auth, task_id)
            stored = client.get("/api/v1/lyrics/record-info", params={"taskId": task_id}, headers=auth).json()
            with client.app.state.container.db.read() as s:  # type: ignore[attr-defined]
                row = s.get(Task, task_id)
                assert row is not None and "sk-test" not in row.request_json + (row.result_json or "")
        [request] = llm.requests
    assert data["status"] == "SUCCESS", data
    assert [i["title"] for i in data["response"]["data"]] == ["Keeper of the Light", "Winter Beacon"]
    assert "sk-test" not in json.dumps(stored)
    assert request.path == "/v1/chat/completions" and request.headers["authorization"] == "Bearer sk-test"
    sent = request.json()
    assert sent["model"] == "tiny" and sent["messages"][-1]["role"] == "user"
    assert "lighthouse keeper" in sent["messages"][-1]["content"]


def test_lyrics_task_polled_on_the_music_endpoint_gets_the_lyrics_shape(client: TestClient,
                                                                        auth: dict[str, str]) -> None:
    task_id = post(client, auth)["data"]["taskId"]
    details(client, auth, task_id)
    data = client.get("/api/v1/generate/record-info", params={"taskId": task_id}, headers=auth).json()["data"]
    assert data["type"] == "LYRICS" and len(data["response"]["data"]) == 2
