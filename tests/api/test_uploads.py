"""File Upload API (§3.23): the exact envelopes (with ``success``), path rules, size caps, sniffed types,
overwrites, per-key storage, links without auth, retention, and nothing left behind after a refusal."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from tests.api.helpers import local
from tests.conftest import make_settings, new_key
from tests.webhooks.test_fetch import Answer, FileServer

from tunesmith.api.routes.uploads import MultipartParser
from tunesmith.config import Settings
from tunesmith.db.models import Blob, Upload
from tunesmith.db.session import Database, utcnow
from tunesmith.storage.retention import sweep

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
UPLOADED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def wav_bytes(seconds: float = 0.25, freq: float = 440.0) -> bytes:
    t = np.arange(int(seconds * 8000)) / 8000
    buffer = io.BytesIO()
    sf.write(buffer, (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), 8000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


WAV = wav_bytes()


@pytest.fixture
def egress_allow() -> list[str]:
    return ["127.0.0.0/8"]


@pytest.fixture
def settings(tmp_path: Path, egress_allow: list[str]) -> Settings:
    s = make_settings(tmp_path)
    s.egress.allow_networks = egress_allow
    s.uploads.max_base64_bytes = 50_000
    s.uploads.max_stream_bytes = 100_000
    s.uploads.max_url_bytes = 100_000
    s.uploads.fetch_timeout_s = 5.0
    return s


@pytest.fixture
def server() -> Iterator[FileServer]:
    answers = {"/song.wav": Answer(WAV), "/cover.png": Answer(PNG), "/page.html": Answer(b"<html>hi</html>"),
               "/huge": Answer(b"x", declared=10**9), "/endless": Answer(endless=True),
               "/moved": Answer(status=301, headers={"Location": "/song.wav"})}
    with FileServer(answers) as running:
        yield running


def b64(client: TestClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"base64Data": base64.b64encode(WAV).decode(), "uploadPath": "audio/user-uploads", **fields}
    body = {k: v for k, v in body.items() if v is not None}
    answer: dict[str, Any] = client.post("/api/file-base64-upload", json=body, headers=auth).json()
    return answer


def stream(client: TestClient, auth: dict[str, str], content: bytes = WAV, name: str = "take 1.wav",
           **fields: str) -> dict[str, Any]:
    data = {"uploadPath": "audio/user-uploads", **fields}
    answer: dict[str, Any] = client.post("/api/file-stream-upload", headers=auth, data=data,
                                         files={"file": (name, content, "application/octet-stream")}).json()
    return answer


def leftovers(client: TestClient) -> tuple[int, list[str]]:
    """Upload rows and files under ``uploads/`` and ``staging/`` of the store."""
    c = client.app.state.container  # type: ignore[attr-defined]
    with c.db.read() as s:
        rows = s.scalar(select(func.count()).select_from(Upload))
    root = c.settings.files_dir
    files = [str(p.relative_to(root)) for d in ("uploads", "staging") for p in (root / d).rglob("*") if p.is_file()]
    return int(rows or 0), files


def assert_success(answer: dict[str, Any], *, path: str, mime: str, size: int) -> dict[str, Any]:
    assert list(answer) == ["success", "code", "msg", "data"]
    assert answer["success"] is True and answer["code"] == 200 and answer["msg"] == "File uploaded successfully"
    data: dict[str, Any] = answer["data"]
    assert list(data) == ["fileName", "filePath", "downloadUrl", "fileSize", "mimeType", "uploadedAt"]
    assert data["filePath"] == path and data["fileName"] == path.rsplit("/", 1)[1]
    assert data["mimeType"] == mime and data["fileSize"] == size and UPLOADED_AT.fullmatch(data["uploadedAt"])
    return data


def assert_error(answer: dict[str, Any], code: int, msg: str) -> None:
    assert answer["success"] is False and answer["code"] == code, answer
    assert msg in answer["msg"], answer
    assert answer.get("data") is None


def balance(client: TestClient, auth: dict[str, str]) -> int:
    return int(client.get("/api/v1/generate/credit", headers=auth).json()["data"])


# --- the three routes: success ---------------------------------------------------------------------------


def test_base64_upload_answers_the_exact_envelope_and_the_link_works_without_auth(
        client: TestClient, auth: dict[str, str]) -> None:
    data = assert_success(b64(client, auth, fileName="x.wav"), path="audio/user-uploads/x.wav", mime="audio/wav",
                          size=len(WAV))
    got = client.get(local(data["downloadUrl"]))  # no Authorization header
    assert got.status_code == 200 and got.content == WAV


def test_data_uri_and_a_random_name_with_the_sniffed_extension(client: TestClient, auth: dict[str, str]) -> None:
    uri = "data:image/jpeg;base64," + base64.b64encode(WAV).decode()  # the declared type is ignored
    answer = b64(client, auth, base64Data=uri)
    name = answer["data"]["fileName"]
    assert re.fullmatch(r"[0-9a-f]{16}\.wav", name)
    assert_success(answer, path=f"audio/user-uploads/{name}", mime="audio/wav", size=len(WAV))


def test_stream_upload_keeps_the_original_name_or_the_given_one(client: TestClient, auth: dict[str, str]) -> None:
    assert_success(stream(client, auth), path="audio/user-uploads/take 1.wav", mime="audio/wav", size=len(WAV))
    answer = stream(client, auth, name="C:\\Users\\me\\song.mp3", uploadPath="a/b/", fileName="final.wav")
    data = assert_success(answer, path="a/b/final.wav", mime="audio/wav", size=len(WAV))
    assert client.get(local(data["downloadUrl"])).content == WAV
    windows_path = stream(client, auth, name="C:\\Users\\me\\song.mp3")
    assert windows_path["data"]["fileName"] == "song.mp3" and windows_path["data"]["mimeType"] == "audio/wav"


def test_stream_upload_with_the_path_after_the_file(client: TestClient, auth: dict[str, str]) -> None:
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"late.wav\"\r\n"
            b"Content-Type: audio/wav\r\n\r\n" + WAV + b"\r\n--XyZ\r\nContent-Disposition: form-data; "
            b"name=\"uploadPath\"\r\n\r\nlate/path\r\n--XyZ--\r\n")
    answer = client.post("/api/file-stream-upload", content=body,
                         headers={**auth, "Content-Type": "multipart/form-data; boundary=XyZ"}).json()
    assert_success(answer, path="late/path/late.wav", mime="audio/wav", size=len(WAV))


def test_url_upload_fetches_through_the_guard(client: TestClient, auth: dict[str, str], server: FileServer) -> None:
    answer = client.post("/api/file-url-upload", headers=auth,
                         json={"fileUrl": server.url("/song.wav"), "uploadPath": "from/web"}).json()
    name = answer["data"]["fileName"]
    data = assert_success(answer, path=f"from/web/{name}", mime="audio/wav", size=len(WAV))
    assert name.endswith(".wav") and client.get(local(data["downloadUrl"])).content == WAV


def test_images_are_accepted_and_the_type_comes_from_the_bytes(client: TestClient, auth: dict[str, str]) -> None:
    answer = b64(client, auth, base64Data=base64.b64encode(PNG).decode(), fileName="cover.mp3")
    assert_success(answer, path="audio/user-uploads/cover.mp3", mime="image/png", size=len(PNG))
    wav_named_png = b64(client, auth, fileName="pic.png")
    assert wav_named_png["data"]["mimeType"] == "audio/wav"
    for data in (answer["data"], wav_named_png["data"]):  # the download says what the bytes are, not the name
        got = client.get(data["downloadUrl"].replace("http://testserver", ""))
        assert got.status_code == 200 and got.headers["content-type"].startswith(data["mimeType"])


# --- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "body", "msg"), [
    ("/api/file-base64-upload", {"base64Data": "UklGRg=="}, "Missing required parameter: uploadPath"),
    ("/api/file-base64-upload", {"uploadPath": "a"}, "Missing required parameter: base64Data"),
    ("/api/file-base64-upload", {"base64Data": "", "uploadPath": "a"}, "Missing required parameter: base64Data"),
    ("/api/file-url-upload", {"uploadPath": "a"}, "Missing required parameter: fileUrl"),
    ("/api/file-url-upload", {"fileUrl": "https://example.com/a.mp3"}, "Missing required parameter: uploadPath"),
    ("/api/file-url-upload", {"fileUrl": 7, "uploadPath": "a"}, "fileUrl must be a string"),
    ("/api/file-base64-upload", {"base64Data": "%%%not base64%%%", "uploadPath": "a"}, "not valid base64"),
])
def test_missing_and_invalid_parameters_are_400_with_success_false(
        client: TestClient, auth: dict[str, str], route: str, body: dict[str, Any], msg: str) -> None:
    assert_error(client.post(route, json=body, headers=auth).json(), 400, msg)
    assert leftovers(client) == (0, [])


def test_stream_without_a_file_or_without_multipart(client: TestClient, auth: dict[str, str]) -> None:
    no_file = client.post("/api/file-stream-upload", headers=auth, files={"uploadPath": (None, "a")}).json()
    assert_error(no_file, 400, "Missing required parameter: file")
    no_path = client.post("/api/file-stream-upload", headers=auth, files={"file": ("a.wav", WAV)}).json()
    assert_error(no_path, 400, "Missing required parameter: uploadPath")
    assert_error(client.post("/api/file-stream-upload", headers=auth, json={"a": 1}).json(), 400, "multipart")
    cut = b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n" + WAV
    truncated = client.post("/api/file-stream-upload", content=cut,
                            headers={**auth, "Content-Type": "multipart/form-data; boundary=B"}).json()
    assert_error(truncated, 400, "ended before its closing boundary")
    assert leftovers(client) == (0, [])


@pytest.mark.parametrize("route", ["/api/file-base64-upload", "/api/file-stream-upload", "/api/file-url-upload"])
@pytest.mark.parametrize("header", [None, "Bearer sk_wrong", "Basic abc"])
def test_bad_or_missing_key_is_the_hosted_401(client: TestClient, route: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    answer = client.post(route, json={"base64Data": "AA==", "uploadPath": "a"}, headers=headers).json()
    assert answer == {"success": False, "code": 401, "msg": "Authentication failed: Invalid API Key", "data": None}


@pytest.mark.parametrize("upload_path", ["../x", "/etc", "a/../../b", "a\\b", "a\0b", "a//b", ".hidden/x",
                                         "a/./b", "a\nb", "x" * 201, "/".join("a" * 11), "a/b c", "a/<b>"])
def test_unsafe_upload_paths_are_refused(client: TestClient, auth: dict[str, str], upload_path: str) -> None:
    assert_error(b64(client, auth, uploadPath=upload_path), 400, "uploadPath")
    assert_error(stream(client, auth, uploadPath=upload_path), 400, "uploadPath")
    assert leftovers(client) == (0, [])


@pytest.mark.parametrize("file_name", ["../x.wav", "a/b.wav", "a\\b.wav", "..", ".env", "x\0.wav", "y" * 101,
                                       "trailing.", "a\u202eb.wav"])
def test_unsafe_file_names_are_refused(client: TestClient, auth: dict[str, str], file_name: str) -> None:
    assert_error(b64(client, auth, fileName=file_name), 400, "fileName")
    assert leftovers(client) == (0, [])


def test_unicode_names_are_fine(client: TestClient, auth: dict[str, str]) -> None:
    data = b64(client, auth, uploadPath="音乐/上传", fileName="我的歌 (1).wav")["data"]
    assert data["filePath"] == "音乐/上传/我的歌 (1).wav" and client.get(local(data["downloadUrl"])).content == WAV


def test_other_types_are_refused_naming_the_detected_type(client: TestClient, auth: dict[str, str]) -> None:
    text = base64.b64encode(b"#!/bin/sh\nrm -rf /\n").decode()
    assert_error(b64(client, auth, base64Data=text), 400, "unsupported file type: detected an unknown file type")
    assert_error(stream(client, auth, content=b"<html></html>", name="x.wav"), 400, "unsupported file type")
    assert leftovers(client) == (0, [])


def test_base64_over_the_cap_is_refused(client: TestClient, auth: dict[str, str]) -> None:
    big = base64.b64encode(b"\0" * 50_001).decode()
    assert_error(b64(client, auth, base64Data=big), 400, "more than 50000 bytes")
    body_cap = client.post("/api/file-base64-upload", headers=auth,
                           json={"base64Data": "A" * 200_000, "uploadPath": "a"}).json()
    assert_error(body_cap, 400, "request body is larger than")
    assert leftovers(client) == (0, [])


def test_base64_route_takes_bodies_past_the_global_json_cap(client: TestClient, auth: dict[str, str],
                                                           settings: Settings) -> None:
    settings.uploads.max_base64_bytes = 3_000_000
    content = wav_bytes(seconds=90.0)  # 1.44 MB of WAV: a 1.9 MB JSON body, past server.max_body_bytes (1 MB)
    answer = b64(client, auth, base64Data=base64.b64encode(content).decode(), fileName="long.wav")
    assert_success(answer, path="audio/user-uploads/long.wav", mime="audio/wav", size=len(content))


def test_stream_over_the_cap_is_cut_off_and_the_partial_file_deleted(client: TestClient,
                                                                    auth: dict[str, str]) -> None:
    assert_error(stream(client, auth, content=WAV + b"\0" * 100_000), 400, "larger than 100000 bytes")
    assert_error(stream(client, auth, content=WAV + b"\0" * 300_000), 400, "larger than 100000 bytes")
    assert leftovers(client) == (0, [])


def test_url_failures_are_400_and_leave_nothing(client: TestClient, auth: dict[str, str],
                                                server: FileServer) -> None:
    cases = {"/huge": "too large", "/endless": "too large", "/moved": "redirects", "/missing": "HTTP 404",
             "/page.html": "unsupported file type"}
    for path, msg in cases.items():
        answer = client.post("/api/file-url-upload", headers=auth,
                             json={"fileUrl": server.url(path), "uploadPath": "web"}).json()
        assert_error(answer, 400, msg)
    assert server.hits.count("/song.wav") == 0  # the redirect was not followed
    assert leftovers(client) == (0, [])


@pytest.mark.parametrize("egress_allow", [[]])
def test_private_targets_are_refused(client: TestClient, auth: dict[str, str], server: FileServer) -> None:
    for url in (server.url("/song.wav"), server.url("/song.wav", host="localhost"), "http://10.0.0.7/a.wav",
                "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/a.wav", "file:///etc/passwd"):
        answer = client.post("/api/file-url-upload", headers=auth, json={"fileUrl": url, "uploadPath": "w"}).json()
        assert_error(answer, 400, "fileUrl is not allowed")
    assert server.hits == [] and leftovers(client) == (0, [])


# --- storage semantics -------------------------------------------------------------------------------------


def test_same_path_overwrites_and_the_old_link_expires(client: TestClient, auth: dict[str, str]) -> None:
    first = b64(client, auth, fileName="a.wav")["data"]
    other = wav_bytes(freq=660.0)
    second = b64(client, auth, fileName="a.wav", base64Data=base64.b64encode(other).decode())["data"]
    assert leftovers(client)[0] == 1
    assert client.get(local(second["downloadUrl"])).content == other
    assert client.get(local(first["downloadUrl"])).status_code == 410
    same = stream(client, auth, content=other, name="a.wav")["data"]  # identical bytes: the upload is kept
    assert same["downloadUrl"].split("?")[0] == second["downloadUrl"].split("?")[0]
    assert len(leftovers(client)[1]) == 1


def test_keys_do_not_share_paths(client: TestClient, auth: dict[str, str], db: Database) -> None:
    mine = b64(client, auth, fileName="a.wav")["data"]
    other_auth = {"Authorization": f"Bearer {new_key(db)}"}
    theirs = b64(client, other_auth, fileName="a.wav", base64Data=base64.b64encode(PNG).decode())["data"]
    assert theirs["filePath"] == mine["filePath"] and theirs["downloadUrl"] != mine["downloadUrl"]
    assert client.get(local(mine["downloadUrl"])).content == WAV
    assert leftovers(client)[0] == 2


def test_retention_deletes_the_file_and_the_row(client: TestClient, auth: dict[str, str],
                                                settings: Settings) -> None:
    data = b64(client, auth)["data"]
    c = client.app.state.container  # type: ignore[attr-defined]
    with c.db.read() as s:
        row = s.scalars(select(Upload)).one()
    assert abs((row.expires_at - row.created_at) - timedelta(days=settings.uploads.retention_days)) < timedelta(
        seconds=1)
    exp = int(data["downloadUrl"].split("exp=")[1].split("&")[0])
    assert exp <= row.expires_at.replace(tzinfo=UTC).timestamp() + 1  # the link ends with the retention
    with c.db.write() as s:
        past = utcnow() - timedelta(seconds=1)
        s.execute(update(Upload).values(expires_at=past))
        s.execute(update(Blob).values(expires_at=past))
    assert sweep(c.db, c.store) >= 1
    assert leftovers(client) == (0, [])
    assert client.get(local(data["downloadUrl"])).status_code == 410


def test_unexpected_errors_are_the_500_envelope_with_success_false(
        client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("tunesmith.api.routes.uploads.store_upload", broken)
    answer = b64(client, auth)
    assert answer == {"success": False, "code": 500, "msg": "Server error, please retry later", "data": None}


def test_uploads_are_free(client: TestClient, auth: dict[str, str], server: FileServer) -> None:
    before = balance(client, auth)
    b64(client, auth)
    stream(client, auth)
    client.post("/api/file-url-upload", headers=auth, json={"fileUrl": server.url("/song.wav"), "uploadPath": "w"})
    b64(client, auth, uploadPath="../bad")
    assert balance(client, auth) == before


# --- the streaming multipart parser ------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 10_000])
def test_multipart_parser_survives_any_chunking(chunk: int) -> None:
    payload = b"\r\n--Bound\r\n--Boundary4" + bytes(range(256)) * 3  # almost a boundary, not one
    body = (b"preamble\r\n--Boundary42\r\nContent-Disposition: form-data; name=\"uploadPath\"\r\n\r\na/b\r\n"
            b"--Boundary42\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\r\n"
            + payload + b"\r\n--Boundary42--\r\nepilogue")
    parser = MultipartParser(b"Boundary42")
    events: list[tuple[str, Any]] = []
    for start in range(0, len(body), chunk):
        events += parser.feed(body[start:start + chunk])
    assert parser.done
    assert [e for e, _ in events if e != "data"] == ["headers", "end", "headers", "end"]
    parts: list[bytes] = []
    for event, value in events:
        if event == "headers":
            parts.append(b"")
        elif event == "data":
            parts[-1] += value
    assert parts == [b"a/b", payload]
    assert max(len(v) for e, v in events if e == "data") <= chunk + len(b"\r\n--Boundary42")
