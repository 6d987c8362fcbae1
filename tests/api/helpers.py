"""Helpers shared by the API tests."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

CUSTOM = {"customMode": True, "instrumental": False, "model": "V4_5", "style": "pop", "title": "Hi",
          "prompt": "[Verse]\nhello world", "callBackUrl": "https://example.com/cb"}


def submit(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {**CUSTOM, **fields}
    body = {k: v for k, v in body.items() if v is not None}
    result: dict[str, Any] = client.post("/api/v1/generate", json=body, headers=auth).json()
    return result


def record(client: TestClient, auth: dict[str, str], task_id: str) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/api/v1/generate/record-info", params={"taskId": task_id},
                                      headers=auth).json()["data"]
    return data


def wait_terminal(client: TestClient, auth: dict[str, str], task_id: str, timeout: float = 30.0) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while True:
        data = record(client, auth, task_id)
        if data["status"] not in ("PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS"):
            return data
        if time.monotonic() > end:
            raise AssertionError(f"task {task_id} stuck in {data['status']}")
        time.sleep(0.05)


def local(url: str) -> str:
    return url.replace("http://testserver", "")
