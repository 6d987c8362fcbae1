"""The one ``uploadUrl`` resolver: own links from storage without HTTP (uploads and tracks, this key only),
everything else through the guarded fetch into the upload store, and validation with its codes."""

from __future__ import annotations

import base64
import io
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.helpers import local, record, submit, wait_terminal
from tests.conftest import new_key
from tests.webhooks.test_fetch import Answer, FileServer

from tunesmith.db.models import Upload
from tunesmith.db.session import Database
from tunesmith.errors import BadRequest, NotFound, SourceUnavailable
from tunesmith.storage.uploads import FETCHED_DIR
from tunesmith.tasks import accounts
from tunesmith.tasks.sources import ResolvedAudio, SourceContext, resolve_upload_url
from tunesmith.webhooks.guard import EgressPolicy

SR = 22050


def wav_bytes(seconds: float = 1.0, amplitude: float = 0.3) -> bytes:
    t = np.arange(int(seconds * SR)) / SR
    tone = (amplitude * np.sin(2 * np.pi * 330.0 * t)).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(buffer, np.stack([tone, tone], axis=1), SR, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


WAV = wav_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def ctx(client: TestClient) -> SourceContext:
    c = client.app.state.container  # type: ignore[attr-defined]
    return SourceContext(c.db, c.store, c.signer, c.egress, c.settings.uploads)


@pytest.fixture
def key_id(db: Database, key: str) -> int:
    return accounts.authenticate(db, key).id


@pytest.fixture
def server() -> Iterator[FileServer]:
    answers = {"/song.wav": Answer(WAV), "/cover.png": Answer(PNG), "/silence.wav": Answer(wav_bytes(1.0, 0.0)),
               "/long.wav": Answer(wav_bytes(3.0)), "/broken.mp3": Answer(b"ID3\3\0\0\0\0\0\0" + b"\x13" * 900),
               "/files/tracks/x/audio.mp3?exp=1&sig=abc": Answer(WAV)}
    with FileServer(answers) as running:
        yield running


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any outbound connection or fetch fails the test."""
    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("the resolver used the network for a link of its own")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr("tunesmith.tasks.sources.fetch_to_file_sync", refuse)


def upload(client: TestClient, auth: dict[str, str], content: bytes = WAV) -> str:
    body = {"base64Data": base64.b64encode(content).decode(), "uploadPath": "in", "fileName": "take.wav"}
    url: str = client.post("/api/file-base64-upload", json=body, headers=auth).json()["data"]["downloadUrl"]
    return url


def uploads_and_staging(ctx: SourceContext) -> tuple[int, int]:
    with ctx.db.read() as s:
        rows = int(s.scalar(select(func.count()).select_from(Upload)) or 0)
    staging = ctx.store.local_path("staging/x").parent
    return rows, len(list(staging.glob("*")))


# --- own links: read from storage --------------------------------------------------------------------------


def test_own_upload_is_read_from_storage_without_http(client: TestClient, auth: dict[str, str], ctx: SourceContext,
                                                      key_id: int, no_network: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    url = upload(client, auth)
    got = resolve_upload_url(url, key_id=key_id, ctx=ctx, max_seconds=120)
    assert got.origin == "upload" and got.mime_type == "audio/wav" and got.upload_id and got.path.is_file()
    assert got.duration_s == pytest.approx(1.0, abs=0.01) and got.size == len(WAV)
    audio, rate = got.decode(sample_rate=44100)
    assert audio.shape[0] == 2 and rate == 44100 and abs(audio.shape[1] - 44100) < 100

    def no_decode(*_: Any, **__: Any) -> None:
        raise AssertionError("an upload validated once is not decoded again")

    monkeypatch.setattr("tunesmith.tasks.sources.decode_audio", no_decode)
    again = resolve_upload_url(url, key_id=key_id, ctx=ctx, max_seconds=120)
    assert again.upload_id == got.upload_id and again.duration_s == got.duration_s
    with pytest.raises(BadRequest, match="the limit is 0.4 s"):  # the cached length still meets each limit
        resolve_upload_url(url, key_id=key_id, ctx=ctx, max_seconds=0.4)


def test_another_keys_upload_is_not_found(client: TestClient, auth: dict[str, str], ctx: SourceContext,
                                          db: Database, no_network: None) -> None:
    url = upload(client, auth)
    other = accounts.authenticate(db, new_key(db)).id
    with pytest.raises(NotFound, match="uploadUrl not found") as caught:
        resolve_upload_url(url, key_id=other, ctx=ctx, max_seconds=120)
    assert caught.value.code == 404


def test_expired_own_link_still_resolves_and_a_forged_one_is_refused(
        client: TestClient, auth: dict[str, str], ctx: SourceContext, key_id: int, no_network: None) -> None:
    key = local(upload(client, auth)).split("?")[0].removeprefix("/files/")
    old = ctx.signer.url("files", key, now=time.time() - ctx.signer.ttl_s - 60)
    assert resolve_upload_url(old, key_id=key_id, ctx=ctx, max_seconds=120).origin == "upload"
    forged = old.split("&sig=")[0] + "&sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    with pytest.raises(BadRequest, match="not a valid file link of this server"):
        resolve_upload_url(forged, key_id=key_id, ctx=ctx, max_seconds=120)


def test_own_track_links_resolve_for_the_same_key_only(client: TestClient, auth: dict[str, str],
                                                       ctx: SourceContext, key_id: int, db: Database,
                                                       no_network: None) -> None:
    task_id = submit(client, auth)["data"]["taskId"]
    wait_terminal(client, auth, task_id)
    track = record(client, auth, task_id)["response"]["sunoData"][0]
    for field in ("audioUrl", "sourceAudioUrl", "streamAudioUrl"):
        got = resolve_upload_url(track[field], key_id=key_id, ctx=ctx, max_seconds=120)
        assert got.origin == "track" and got.track_id == track["id"] and got.mime_type == "audio/mpeg"
        assert got.duration_s == pytest.approx(2.0, abs=0.2)
    other = accounts.authenticate(db, new_key(db)).id
    with pytest.raises(NotFound):
        resolve_upload_url(track["audioUrl"], key_id=other, ctx=ctx, max_seconds=120)
    with pytest.raises(BadRequest, match="limit is 1 s"):
        resolve_upload_url(track["audioUrl"], key_id=key_id, ctx=ctx, max_seconds=1)


# --- other URLs: fetched through the guard -----------------------------------------------------------------


def test_other_urls_are_fetched_into_the_upload_store_once(ctx: SourceContext, key_id: int,
                                                           server: FileServer) -> None:
    got = resolve_upload_url(server.url("/song.wav"), key_id=key_id, ctx=ctx, max_seconds=120)
    assert got.origin == "fetched" and got.mime_type == "audio/wav" and got.path.read_bytes() == WAV
    with ctx.db.read() as s:
        row = s.scalars(select(Upload)).one()
    assert row.path.startswith(f"{FETCHED_DIR}/") and row.source_url == server.url("/song.wav")
    again = resolve_upload_url(server.url("/song.wav"), key_id=key_id, ctx=ctx, max_seconds=120)
    assert again.upload_id == got.upload_id and uploads_and_staging(ctx) == (1, 0)


def test_a_foreign_server_with_the_same_path_layout_is_fetched(ctx: SourceContext, key_id: int,
                                                               server: FileServer) -> None:
    got = resolve_upload_url(server.url("/files/tracks/x/audio.mp3?exp=1&sig=abc"), key_id=key_id, ctx=ctx,
                             max_seconds=120)
    assert got.origin == "fetched"


@pytest.mark.parametrize(("path", "error", "code", "msg"), [
    ("/cover.png", BadRequest, 400, "uploadUrl is not an audio file: detected image/png"),
    ("/silence.wav", BadRequest, 400, "uploadUrl is silent"),
    ("/long.wav", BadRequest, 400, "uploadUrl is 3.0 s long; the limit is 2 s"),
    ("/broken.mp3", BadRequest, 400, "uploadUrl could not be decoded as audio"),
    ("/missing.wav", SourceUnavailable, 451, "could not fetch the source uploadUrl: the server answered HTTP 404"),
])
def test_bad_sources_are_refused_with_their_codes_and_leave_nothing(
        ctx: SourceContext, key_id: int, server: FileServer, path: str, error: type[Exception], code: int,
        msg: str) -> None:
    with pytest.raises(error, match=msg) as caught:
        resolve_upload_url(server.url(path), key_id=key_id, ctx=ctx, max_seconds=2)
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert uploads_and_staging(ctx) == (0, 0)


def test_the_upload_setting_caps_every_model_limit(ctx: SourceContext, key_id: int, server: FileServer) -> None:
    capped = replace(ctx, uploads=ctx.uploads.model_copy(update={"max_audio_s": 2.0}))
    with pytest.raises(BadRequest, match="the limit is 2 s"):
        resolve_upload_url(server.url("/long.wav"), key_id=key_id, ctx=capped, max_seconds=480)


@pytest.mark.parametrize("url", ["http://10.0.0.7/a.wav", "http://169.254.169.254/latest/meta-data/", "ftp://x/a"])
def test_private_and_odd_urls_are_refused(ctx: SourceContext, key_id: int, url: str) -> None:
    with pytest.raises(BadRequest, match="uploadUrl is not allowed"):
        resolve_upload_url(url, key_id=key_id, ctx=replace(ctx, policy=EgressPolicy()), max_seconds=120)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_without_the_allowlist(ctx: SourceContext, key_id: int, server: FileServer,
                                                   host: str) -> None:
    with pytest.raises(BadRequest, match="not allowed"):
        resolve_upload_url(server.url("/song.wav", host=host), key_id=key_id,
                           ctx=replace(ctx, policy=EgressPolicy()), max_seconds=120)
    assert server.hits == [] and uploads_and_staging(ctx) == (0, 0)


def test_the_payload_round_trips_for_the_worker(client: TestClient, auth: dict[str, str], ctx: SourceContext,
                                                key_id: int) -> None:
    got = resolve_upload_url(upload(client, auth), key_id=key_id, ctx=ctx, max_seconds=120)
    back = ResolvedAudio.from_payload(got.to_payload(), ctx.store)
    assert back == got
    audio, rate = back.decode(sample_rate=SR, channels=1)
    assert audio.shape == (1, SR) and rate == SR


def test_empty_url_is_required(ctx: SourceContext, key_id: int) -> None:
    with pytest.raises(BadRequest, match="uploadUrl is required"):
        resolve_upload_url("  ", key_id=key_id, ctx=ctx, max_seconds=120)


def test_resolving_costs_no_credits(client: TestClient, auth: dict[str, str], ctx: SourceContext, key_id: int,
                                    server: FileServer, db: Database) -> None:
    before = accounts.balance(db, key_id)
    resolve_upload_url(upload(client, auth), key_id=key_id, ctx=ctx, max_seconds=120)
    resolve_upload_url(server.url("/song.wav"), key_id=key_id, ctx=ctx, max_seconds=120)
    with pytest.raises(BadRequest):
        resolve_upload_url(server.url("/cover.png"), key_id=key_id, ctx=ctx, max_seconds=120)
    assert accounts.balance(db, key_id) == before
