"""Hostile and malformed input (issue 27, part 2): every refusal is the envelope with a documented code, never
a 500, and a refused request debits nothing and creates no task."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.helpers import CUSTOM

from tunesmith.api.deps import MAX_HEADER_BYTES, MAX_REQUEST_LINE_BYTES
from tunesmith.api.json_body import MAX_DEPTH
from tunesmith.api.protocol import MAX_HEAD_BYTES, EnvelopeH11Protocol
from tunesmith.api.schemas.generate import MAX_HAN_PER_LINE
from tunesmith.db.models import Task
from tunesmith.db.session import Database
from tunesmith.storage.links import LinkSigner

JSON = {"Content-Type": "application/json"}
JSON_ROUTES = [
    "/api/v1/generate", "/api/v1/generate/extend", "/api/v1/generate/replace-section", "/api/v1/wav/generate",
    "/api/v1/mp4/generate", "/api/v1/suno/cover/generate", "/api/v1/suno/recovery", "/api/v1/generate/sounds",
    "/api/v1/vocal-removal/generate", "/api/v1/midi/generate", "/api/v1/generate/get-timestamped-lyrics",
    "/api/v1/generate/generate-persona", "/api/v1/lyrics", "/api/v1/style/generate", "/api/file-base64-upload",
    "/api/file-url-upload", "/api/v1/generate/add-instrumental", "/api/v1/generate/add-vocals",
]  # fmt: skip
REPLACE = {"prompt": "[Verse]\nnew words", "tags": "pop", "title": "T", "infillStartS": 5.0, "infillEndS": 11.0,
           "taskId": "0" * 32, "audioId": "0" * 32}


def tasks(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Task)) or 0)


def balance(client: TestClient, auth: dict[str, str]) -> int:
    value: int = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    return value


@pytest.fixture
def refused(client: TestClient, auth: dict[str, str], db: Database) -> Iterator[None]:
    """Whatever the test sends is refused: after it, the balance and the task count are unchanged."""
    before = balance(client, auth), tasks(db)
    yield
    assert (balance(client, auth), tasks(db)) == before


def post_raw(client: TestClient, auth: dict[str, str], path: str, content: bytes | str,
             headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = client.post(path, content=content, headers={**auth, **(JSON if headers is None else headers)})
    assert r.status_code == 200, r.text  # business errors are HTTP 200 unless mirroring is on
    answer: dict[str, Any] = r.json()
    return answer


def assert_error(answer: dict[str, Any], code: int, text: str) -> None:
    assert answer["code"] == code and text in answer["msg"] and answer["data"] is None, answer


def nested(depth: int) -> str:
    """A JSON object whose deepest value sits ``depth`` containers down (the object itself counts)."""
    inner = depth - 1
    return '{"customMode": true, "nested": ' + "[" * inner + "1" + "]" * inner + "}"


# -- nesting depth -------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize("path", JSON_ROUTES)
def test_deep_nesting_is_refused_on_every_json_route(client: TestClient, auth: dict[str, str], path: str) -> None:
    answer = post_raw(client, auth, path, '{"a": ' + "[" * 950 + "]" * 950 + "}")
    assert_error(answer, 400, f"nested more than {MAX_DEPTH} levels")


def test_nesting_at_the_limit_is_read(client: TestClient, auth: dict[str, str]) -> None:
    body = json.loads(nested(MAX_DEPTH))
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "nested": body["nested"]}))
    assert answer["code"] == 200, answer


@pytest.mark.usefixtures("refused")
def test_nesting_one_past_the_limit_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    body = json.loads(nested(MAX_DEPTH + 1))
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "nested": body["nested"]}))
    assert_error(answer, 400, "nested more than")


def test_brackets_inside_strings_do_not_count(client: TestClient, auth: dict[str, str]) -> None:
    text = '[{"\\"[' * 150
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "title": "x", "negativeTags": text}))
    assert answer["code"] == 200, answer


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize("body", [
    '{"a": "' + '\\"' * 300_000,  # an unterminated string full of escaped quotes (a quadratic scan would hang)
    '{"a": ' + "[" * 300_000,  # an unterminated array, far deeper than Python's recursion limit
    '{"a": "[[[[" ' + "]" * 1000,  # more closers than openers: invalid JSON, not a crash
])
def test_hostile_bodies_answer_quickly(client: TestClient, auth: dict[str, str], body: str) -> None:
    start = time.monotonic()
    answer = post_raw(client, auth, "/api/v1/generate", body)
    assert answer["code"] == 400, answer
    assert time.monotonic() - start < 5.0


# -- invalid Unicode and non-finite numbers ------------------------------------------------------------------


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize(("path", "field", "body"), [
    ("/api/v1/generate", "title", {**CUSTOM, "title": "\ud800"}),
    ("/api/v1/generate", "prompt", {**CUSTOM, "prompt": "[Verse]\nla \udfff la"}),
    ("/api/v1/generate", "style", {**CUSTOM, "style": "pop\ud83c"}),
    ("/api/v1/lyrics", "prompt", {"prompt": "rain \ud800", "callBackUrl": "https://example.com/cb"}),
    ("/api/v1/style/generate", "content", {"content": "\ud800 pop"}),
    ("/api/v1/generate/sounds", "prompt", {"prompt": "\ud800", "callBackUrl": "https://example.com/cb"}),
    ("/api/v1/generate", "nested.1.k", {**CUSTOM, "nested": [1, {"k": "\ud800"}]}),
    ("/api/file-url-upload", "fileName", {"fileUrl": "https://example.com/a.wav", "uploadPath": "a",
                                          "fileName": "\ud800.wav"}),
])  # fmt: skip
def test_lone_surrogates_are_refused(client: TestClient, auth: dict[str, str], path: str, field: str,
                                     body: dict[str, Any]) -> None:
    answer = post_raw(client, auth, path, json.dumps(body))  # ensure_ascii writes the lone surrogate as \ud800
    assert_error(answer, 400, f"{field}: invalid Unicode")


@pytest.mark.usefixtures("refused")
def test_a_lone_surrogate_in_a_key_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "\udc00": 1}))
    assert_error(answer, 400, "invalid Unicode")


def test_surrogate_pairs_are_fine(client: TestClient, auth: dict[str, str]) -> None:
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "title": "\U0001f3b5 song"}))
    assert answer["code"] == 200, answer


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/generate/replace-section", '"infillStartS": NaN, "infillEndS": 11.0'),
    ("/api/v1/generate/replace-section", '"infillStartS": 5.0, "infillEndS": Infinity'),
    ("/api/v1/generate/replace-section", '"infillStartS": -Infinity, "infillEndS": 11.0'),
    ("/api/v1/generate/replace-section", '"infillStartS": 5.0, "infillEndS": 1e400'),
    ("/api/v1/generate", '"styleWeight": NaN'),
    ("/api/v1/generate", '"seed": 1' + "0" * 5000),
])  # fmt: skip
def test_non_finite_and_huge_numbers_are_refused(client: TestClient, auth: dict[str, str], path: str,
                                                 body: str) -> None:
    base = REPLACE if "replace" in path else CUSTOM
    fields = json.dumps(base)[1:-1]
    answer = post_raw(client, auth, path, "{" + fields + ", " + body + "}")
    assert answer["code"] == 400 and "number" in answer["msg"], answer


# -- content type --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_json_routes_need_a_json_content_type(client: TestClient, auth: dict[str, str], path: str,
                                              content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = post_raw(client, auth, path, json.dumps(CUSTOM), headers=headers)
    assert answer["code"] == 415 and "Content-Type" in answer["msg"], answer
    assert answer.get("success", False) is False


@pytest.mark.usefixtures("refused")
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/jsonx", "json",
                                          "multipart/form-data; boundary=x", "text/json+xml"])
def test_other_content_types_are_refused(client: TestClient, auth: dict[str, str], content_type: str) -> None:
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps(CUSTOM), headers={"Content-Type": content_type})
    assert_error(answer, 415, "Content-Type")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON",
                                          "application/vnd.suno+json", "application/json;charset=UTF-8"])
def test_json_content_types_are_accepted(client: TestClient, auth: dict[str, str], content_type: str) -> None:
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps(CUSTOM), headers={"Content-Type": content_type})
    assert answer["code"] == 200, answer


def test_every_post_route_is_covered(client: TestClient) -> None:
    posts = {p for p, ops in client.app.openapi()["paths"].items() if "post" in ops}  # type: ignore[attr-defined]
    assert posts == {*JSON_ROUTES, "/api/file-stream-upload"}


# -- lyric lines ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("refused")
def test_one_line_of_5000_chinese_characters_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "prompt": "[Verse]\n" + "我" * 4990}))
    assert_error(answer, 400, f"at most {MAX_HAN_PER_LINE} Chinese characters")
    assert "prompt" in answer["msg"] and "line 2" in answer["msg"]


def test_line_limit_boundary(client: TestClient, auth: dict[str, str]) -> None:
    at = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "prompt": "爱" * MAX_HAN_PER_LINE}))
    over = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "prompt": "爱" * (MAX_HAN_PER_LINE + 1)}))
    assert at["code"] == 200, at
    assert_error(over, 400, "Chinese characters")


def test_era_c_lyrics_field_is_checked(client: TestClient, auth: dict[str, str]) -> None:
    body = {**CUSTOM, "model": "V6", "prompt": None, "lyrics": "雨" * 200}
    answer = post_raw(client, auth, "/api/v1/generate", json.dumps({k: v for k, v in body.items() if v is not None}))
    assert_error(answer, 400, "lyrics")


def test_a_long_song_of_many_lines_is_accepted(client: TestClient, auth: dict[str, str]) -> None:
    zh = "\n".join(["[Verse]", *["我们一起唱歌吧天空很蓝风也很轻" * 3] * 40, "[Chorus]", *["啦" * 50] * 20])
    en = "\n".join(["[Verse]", *["we sing along under the silver moon tonight and every night"] * 60])
    for prompt in (zh, en, "a" * 3000):
        answer = post_raw(client, auth, "/api/v1/generate", json.dumps({**CUSTOM, "prompt": prompt}))
        assert answer["code"] == 200, answer


@pytest.mark.usefixtures("refused")
def test_extend_refuses_an_over_long_line(client: TestClient, auth: dict[str, str]) -> None:
    body = {**CUSTOM, "defaultParamFlag": True, "audioId": "0" * 32, "continueAt": 10.0, "prompt": "走" * 300}
    answer = post_raw(client, auth, "/api/v1/generate/extend", json.dumps(body))
    assert_error(answer, 400, "Chinese characters")


@pytest.mark.usefixtures("refused")
def test_replace_section_refuses_an_over_long_line(client: TestClient, auth: dict[str, str]) -> None:
    answer = post_raw(client, auth, "/api/v1/generate/replace-section", json.dumps({**REPLACE, "prompt": "走" * 300}))
    assert_error(answer, 422, "Chinese characters")


# -- signed links --------------------------------------------------------------------------------------------


def signer(client: TestClient) -> LinkSigner:
    value: LinkSigner = client.app.state.container.signer  # type: ignore[attr-defined]
    return value


def signed_query(client: TestClient, route: str, key: str) -> str:
    """``exp=…&sig=…`` of a genuine link for ``key`` (signed with the server's own secret)."""
    query = parse_qs(urlsplit(signer(client).url(route, key)).query)
    return f"exp={query['exp'][0]}&sig={query['sig'][0]}"


@pytest.mark.parametrize("route", ["files", "stream"])
@pytest.mark.parametrize("query", ["exp=9999999999&sig=%C3%A9t%C3%A9", "exp=9999999999&sig=%E2%82%AC" * 1,
                                   "exp=%C2%B2&sig=abc", "exp=" + "9" * 5000 + "&sig=abc", "exp=-1&sig=abc",
                                   "exp=9999999999&sig=%00"])
def test_malformed_signatures_are_invalid_signatures(client: TestClient, route: str, query: str) -> None:
    r = client.get(f"/{route}/tracks/{'0' * 32}/audio.mp3?{query}")
    assert r.status_code == 403, r.text
    assert r.json()["code"] == 403 and r.json()["data"] is None


@pytest.mark.parametrize("key", ["../outside.txt", "../../etc/passwd", "tracks/../../x", "/etc/passwd", "a\x00b"])
def test_signed_keys_outside_the_store_are_not_found(client: TestClient, key: str) -> None:
    r = client.get(f"/files/{quote(key, safe='').replace('.', '%2E')}?{signed_query(client, 'files', key)}")
    assert r.status_code == 404, r.text
    assert r.json() == {"code": 404, "msg": r.json()["msg"], "data": None}


# -- request line and headers --------------------------------------------------------------------------------


def test_an_over_long_query_string_gets_the_envelope(client: TestClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/v1/generate/record-info?taskId=" + "a" * 60_000, headers=auth)
    assert answer.status_code == 200
    assert_error(answer.json(), 400, f"request line is longer than {MAX_REQUEST_LINE_BYTES} bytes")
    files = client.get("/files/x?sig=" + "a" * 60_000)
    assert files.status_code == 400 and files.json()["code"] == 400
    under = client.get("/api/v1/generate/record-info?taskId=" + "a" * 8000, headers=auth).json()
    assert under["code"] == 404, under  # an unknown task, read normally


def test_over_large_headers_get_the_envelope(client: TestClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/v1/generate/credit", headers={**auth, "X-Big": "b" * 20_000})
    assert_error(answer.json(), 400, f"request headers are larger than {MAX_HEADER_BYTES} bytes")
    assert client.get("/api/v1/generate/credit", headers={**auth, "X-Big": "b" * 10_000}).json()["code"] == 200


@pytest.fixture
def server() -> Iterator[int]:
    """A real uvicorn server speaking through :class:`EnvelopeH11Protocol`, as ``tunesmith serve`` runs it."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=EnvelopeH11Protocol, log_level="critical",
                            lifespan="off", h11_max_incomplete_event_size=MAX_HEAD_BYTES)
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    while not runner.started:
        time.sleep(0.01)
    yield port
    runner.should_exit = True
    thread.join(timeout=5)


def raw_exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` and read the whole reply. Of a head longer than the parser buffers only the first
    part is sent (a slow network's first packets): the parser refuses it once its buffer passes the limit
    (a head that arrives in one read is complete and reaches the app, whose own check answers it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request[: MAX_HEAD_BYTES + 1000])
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    return reply


@pytest.mark.parametrize("request_bytes", [
    b"GET /x?" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 40_000 + b"\r\n\r\n",
    b"NOT HTTP AT ALL\r\n\r\n",
])  # fmt: skip
def test_the_http_parser_answers_with_the_envelope(server: int, request_bytes: bytes) -> None:
    reply = raw_exchange(server, request_bytes)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), reply[:200]
    assert b"content-type: application/json" in head.lower()
    answer = json.loads(body)
    assert answer["code"] == 400 and answer["data"] is None and answer["msg"]


def test_the_server_still_answers_normal_requests(server: int) -> None:
    assert raw_exchange(server, b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").endswith(b"ok")
