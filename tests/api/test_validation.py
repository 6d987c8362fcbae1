"""Validation table for POST /api/v1/generate: each era's rules, each model's limits, bad bodies.
A rejected request never takes credits."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.helpers import CUSTOM

from tunesmith.tasks.catalog import MODELS

NON_CUSTOM = {"customMode": False, "instrumental": False, "model": "V4", "prompt": "a song about rain",
              "callBackUrl": "https://example.com/cb"}
DROP = object()


def post(client: TestClient, auth: dict[str, str], base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {**base, **fields}
    body = {k: v for k, v in body.items() if v is not DROP}
    result: dict[str, Any] = client.post("/api/v1/generate", json=body, headers=auth).json()
    return result


CASES: list[tuple[str, dict[str, Any], dict[str, Any], int, str]] = [
    # name, base, changes, expected code, text the message must contain
    ("custom ok", CUSTOM, {}, 200, "success"),
    ("non-custom ok", NON_CUSTOM, {}, 200, "success"),
    ("instrumental custom needs no prompt", CUSTOM, {"instrumental": True, "prompt": DROP}, 200, "success"),
    ("missing customMode", CUSTOM, {"customMode": DROP}, 400, "customMode"),
    ("missing instrumental", CUSTOM, {"instrumental": DROP}, 400, "instrumental"),
    ("missing model", CUSTOM, {"model": DROP}, 400, "model"),
    ("missing callBackUrl", CUSTOM, {"callBackUrl": DROP}, 400, "callBackUrl"),
    ("customMode as string", CUSTOM, {"customMode": "true"}, 400, "customMode"),
    ("prompt as number", CUSTOM, {"prompt": 5}, 400, "prompt"),
    ("unknown model", CUSTOM, {"model": "V9"}, 400, "model"),
    ("custom without style (era A/B)", CUSTOM, {"style": DROP}, 400, "style"),
    ("custom without title (era A/B)", CUSTOM, {"title": DROP}, 400, "title"),
    ("custom vocal without prompt", CUSTOM, {"prompt": DROP}, 400, "prompt"),
    ("non-custom without prompt", NON_CUSTOM, {"prompt": DROP}, 400, "prompt"),
    ("non-custom idea over 500 (V4)", NON_CUSTOM, {"prompt": "x" * 501}, 413, "prompt"),
    ("non-custom idea 500 ok", NON_CUSTOM, {"prompt": "x" * 500}, 200, "success"),
    ("bad vocalGender", CUSTOM, {"vocalGender": "x"}, 400, "vocalGender"),
    ("styleWeight above 1", CUSTOM, {"styleWeight": 1.5}, 400, "styleWeight"),
    ("weirdness not in 0.01 steps", CUSTOM, {"weirdnessConstraint": 0.555}, 400, "weirdnessConstraint"),
    ("audioWeight ok", CUSTOM, {"audioWeight": 0.65}, 200, "success"),
    ("negativeTags too long", CUSTOM, {"negativeTags": "x" * 1001}, 413, "negativeTags"),
    ("unknown fields ignored", CUSTOM, {"whatever": 1, "nested": {"a": 1}}, 200, "success"),
    ("callBackUrl bad scheme", CUSTOM, {"callBackUrl": "ftp://example.com/x"}, 400, "callBackUrl"),
    ("callBackUrl metadata ip", CUSTOM, {"callBackUrl": "http://169.254.169.254/latest"}, 400, "callBackUrl"),
    ("era C custom with lyrics only", CUSTOM, {"model": "V6", "style": DROP, "title": DROP, "prompt": DROP,
                                              "lyrics": "[Verse]\nla la"}, 200, "success"),
    ("era C custom with nothing", CUSTOM, {"model": "V6", "style": DROP, "title": DROP, "prompt": DROP},
     400, "at least one"),
    ("era C non-custom custom-only field", NON_CUSTOM, {"model": "V6", "vocalGender": "f"}, 400, "vocalGender"),
    ("era C variety out of range", CUSTOM, {"model": "V6", "variety": 5}, 400, "variety"),
    ("era C duration out of range", CUSTOM, {"model": "V6", "duration": 400}, 400, "duration"),
    ("duration on a model without it", CUSTOM, {"model": "V4_5", "duration": 60}, 400, "duration"),
    ("era C non-custom idea 3000 ok", NON_CUSTOM, {"model": "V6", "prompt": "x" * 3000}, 200, "success"),
    ("era C non-custom idea 3001", NON_CUSTOM, {"model": "V6", "prompt": "x" * 3001}, 413, "prompt"),
    ("attachments refused", NON_CUSTOM, {"model": "V6", "imageUrls": ["https://example.com/a.png"]}, 400,
     "imageUrls"),
]


@pytest.mark.parametrize(("name", "base", "changes", "code", "text"), CASES, ids=[c[0] for c in CASES])
def test_validation_table(client: TestClient, auth: dict[str, str], name: str, base: dict[str, Any],
                          changes: dict[str, Any], code: int, text: str) -> None:
    before = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    result = post(client, auth, base, **changes)
    assert result["code"] == code, result
    assert text in result["msg"], result
    after = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    assert after == (before - 12 if code == 200 else before)
    if code != 200:
        assert result["data"] is None


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("field", ["prompt", "style", "title"])
def test_per_model_length_limits(client: TestClient, auth: dict[str, str], model: str, field: str) -> None:
    spec = MODELS[model]
    limit = {"prompt": spec.lyrics_max, "style": spec.style_max, "title": spec.title_max}[field]
    at_limit = post(client, auth, CUSTOM, model=model, **{field: "a" * limit})
    over = post(client, auth, CUSTOM, model=model, **{field: "a" * (limit + 1)})
    assert at_limit["code"] == 200, at_limit
    assert over["code"] == 413 and field in over["msg"], over


@pytest.mark.parametrize(("body", "code", "text"), [
    (b"{not json", 400, "not valid JSON"),
    (b"\xff\xfe{}", 400, "UTF-8"),
    (b"[1, 2]", 400, "JSON object"),
    (b"", 400, "not valid JSON"),
])
def test_bad_bodies(client: TestClient, auth: dict[str, str], body: bytes, code: int, text: str) -> None:
    r = client.post("/api/v1/generate", content=body, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.json()["code"] == code and text in r.json()["msg"]


def test_body_over_one_megabyte(client: TestClient, auth: dict[str, str]) -> None:
    big = b'{"prompt": "' + b"a" * 1_100_000 + b'"}'
    r = client.post("/api/v1/generate", content=big, headers={**auth, "Content-Type": "application/json"})
    assert r.json()["code"] == 413


def test_auth_and_unknown_paths(client: TestClient, auth: dict[str, str]) -> None:
    assert client.post("/api/v1/generate", json=CUSTOM).json()["code"] == 401
    bad = {"Authorization": "Bearer sk_nope"}
    assert client.get("/api/v1/generate/credit", headers=bad).json()["code"] == 401
    assert client.get("/api/v1/generate/credit", headers={"Authorization": "Basic abc"}).json()["code"] == 401
    r = client.get("/api/v1/nothing-here", headers=auth)
    assert r.json() == {"code": 404, "msg": "Not found: GET /api/v1/nothing-here", "data": None}
    assert client.delete("/api/v1/generate", headers=auth).json()["code"] == 404
