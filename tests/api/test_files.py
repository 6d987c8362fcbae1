"""Signed links: tampering, expiry, the retention sweeper, and the progressive stream."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.api.helpers import local, record, submit, wait_terminal

from tunesmith.db.models import Blob
from tunesmith.db.session import utcnow
from tunesmith.storage.retention import sweep


def finished_track(client: TestClient, auth: dict[str, str]) -> dict:  # type: ignore[type-arg]
    task_id = submit(client, auth)["data"]["taskId"]
    wait_terminal(client, auth, task_id)
    return record(client, auth, task_id)["response"]["sunoData"][0]  # type: ignore[no-any-return]


def test_tampered_and_unsigned_links_are_refused(client: TestClient, auth: dict[str, str]) -> None:
    url = local(finished_track(client, auth)["audioUrl"])
    path, query = url.split("?")
    r = client.get(path)
    assert r.status_code == 403 and "not signed" in r.json()["msg"]
    exp = int(query.split("&")[0].split("=")[1])
    longer = url.replace(f"exp={exp}", f"exp={exp + 1000}")
    assert client.get(longer).status_code == 403
    other = url.replace("audio.mp3", "cover.png")
    assert "invalid signature" in client.get(other).json()["msg"]


def test_expired_link_answers_410(client: TestClient, auth: dict[str, str]) -> None:
    track = finished_track(client, auth)
    signer = client.app.state.container.signer  # type: ignore[attr-defined]
    old = signer.url("files", local(track["audioUrl"]).split("?")[0].removeprefix("/files/"),
                     now=time.time() - signer.ttl_s - 10)
    r = client.get(local(old))
    assert r.status_code == 410 and "expired" in r.json()["msg"]


def test_sweeper_deletes_expired_files_and_links_say_expired(client: TestClient, auth: dict[str, str]) -> None:
    track = finished_track(client, auth)
    c = client.app.state.container  # type: ignore[attr-defined]
    with c.db.write() as s:
        s.execute(update(Blob).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert sweep(c.db, c.store) > 0
    for url in (track["audioUrl"], track["imageUrl"], track["streamAudioUrl"]):
        r = client.get(local(url))
        assert r.status_code == 410 and "expired" in r.json()["msg"], url


@pytest.mark.parametrize("engine_options", [{"render_s": 1.5, "chunks": 6}])
def test_stream_is_served_while_rendering_and_equals_the_final_file(
        client: TestClient, auth: dict[str, str]) -> None:
    task_id = submit(client, auth)["data"]["taskId"]
    deadline = time.monotonic() + 10
    while True:
        data = record(client, auth, task_id)
        if data["response"]["sunoData"] and data["response"]["sunoData"][0]["streamAudioUrl"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert data["status"] in ("TEXT_SUCCESS", "PENDING")
    stream_url = local(data["response"]["sunoData"][0]["streamAudioUrl"])
    chunks: list[bytes] = []
    with client.stream("GET", stream_url) as r:
        assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg"
        assert "content-length" not in r.headers
        first_at = None
        for chunk in r.iter_bytes():
            if first_at is None:
                first_at = record(client, auth, task_id)["status"]
            chunks.append(chunk)
    assert first_at in ("TEXT_SUCCESS", "FIRST_SUCCESS", "PENDING")  # bytes flowed before the track finished
    final = wait_terminal(client, auth, task_id)["response"]["sunoData"][0]
    assert b"".join(chunks) == client.get(local(final["audioUrl"])).content
