"""Style boost (§3.14): the exact synchronous shape, the request's language, validation codes, and the cost
debited through the ledger with an auditable finished task (or 429 and nothing stored)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tunesmith.config import Settings
from tunesmith.db.models import LedgerEntry, Task
from tunesmith.db.session import Database
from tunesmith.music.lyrics import detect_language
from tunesmith.tasks import accounts

DATA_KEYS = {"taskId", "param", "result", "creditsConsumed", "creditsRemaining", "successFlag", "errorCode",
             "errorMessage", "createTime"}


def boost(client: TestClient, auth: dict[str, str], body: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.post("/api/v1/style/generate", json=body, headers=auth).json()
    return result


def credits(client: TestClient, auth: dict[str, str]) -> int:
    value: int = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    return value


def test_boost_shape_and_ledger(client: TestClient, auth: dict[str, str], db: Database) -> None:
    before = credits(client, auth)
    body: dict[str, Any] = {"content": "Pop, Mysterious", "extra": True}
    r = boost(client, auth, body)
    assert r["code"] == 200 and r["msg"] == "success"
    data = r["data"]
    assert set(data) == DATA_KEYS
    assert re.fullmatch(r"[0-9a-f]{32}", data["taskId"])
    assert json.loads(data["param"]) == body
    assert data["successFlag"] == "1" and data["errorCode"] is None and data["errorMessage"] == ""
    assert data["creditsConsumed"] == 1 and data["creditsRemaining"] == before - 1 == credits(client, auth)
    assert not isinstance(data["creditsConsumed"], bool) and isinstance(data["creditsRemaining"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", data["createTime"])
    assert len(data["result"]) > len(body["content"]) and detect_language(data["result"]) == "en"
    with db.read() as s:
        task = s.get(Task, data["taskId"])
        assert task is not None and task.operation == "style" and task.status == "SUCCESS"
        assert task.cost == 1 and task.finished_at is not None and json.loads(task.param_json) == body
        assert json.loads(task.result_json or "{}") == {"data": {"result": data["result"]}}
        debit = s.scalars(select(LedgerEntry).where(LedgerEntry.task_id == data["taskId"])).one()
        assert debit.reason == "debit" and debit.delta == -1 and debit.balance_after == data["creditsRemaining"]


def test_chinese_style_gives_a_chinese_description(client: TestClient, auth: dict[str, str]) -> None:
    data = boost(client, auth, {"content": "欢快的国风"})["data"]
    assert detect_language(data["result"]) == "zh"


def test_same_content_same_description(client: TestClient, auth: dict[str, str]) -> None:
    first = boost(client, auth, {"content": "sad jazz, female vocals"})["data"]
    again = boost(client, auth, {"content": "sad jazz, female vocals"})["data"]
    assert first["result"] == again["result"] and first["taskId"] != again["taskId"]


def test_zero_cost_is_free(client: TestClient, auth: dict[str, str], settings: Settings) -> None:
    settings.credits.costs["style"] = 0
    before = credits(client, auth)
    data = boost(client, auth, {"content": "lo-fi hip hop"})["data"]
    assert data["creditsConsumed"] == 0 and data["creditsRemaining"] == before == credits(client, auth)


def test_short_balance_is_429_and_stores_nothing(client: TestClient, db: Database) -> None:
    raw, _ = accounts.create_key(db, credits=0)
    r = boost(client, {"Authorization": f"Bearer {raw}"}, {"content": "rock"})
    assert r == {"code": 429, "msg": r["msg"], "data": None} and "insufficient" in r["msg"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.operation == "style")) == 0


@pytest.mark.parametrize(("body", "code", "text"), [
    ({}, 400, "content is required"),
    ({"content": "  "}, 400, "content is required"),
    ({"content": 5}, 400, "content"),
    ({"content": ["pop"]}, 400, "content"),
    ({"content": None}, 400, "content"),
    ({"content": "x" * 1001}, 413, "1001 characters"),
    ([1, 2], 400, "JSON object"),
], ids=["missing", "blank", "number", "list", "null", "too-long", "not-an-object"])
def test_validation(client: TestClient, auth: dict[str, str], body: Any, code: int, text: str) -> None:
    before = credits(client, auth)
    r = boost(client, auth, body)
    assert r["code"] == code and text in r["msg"] and r["data"] is None, r
    assert credits(client, auth) == before


def test_needs_a_key(client: TestClient) -> None:
    assert client.post("/api/v1/style/generate", json={"content": "pop"}).json()["code"] == 401
