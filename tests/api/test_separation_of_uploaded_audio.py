"""Separation of a track that holds the user's own audio (stem ``source``): the job splits it with the
analysis layer's separator, and the parts still sum to the song."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient
from tests.api.helpers import local
from tests.api.test_vocal_removal import SPLIT_INFO_KEYS, finished, separation
from tests.conftest import make_settings
from tests.support.fake_engine import FakeEngine

from tunesmith.api.app import create_app
from tunesmith.db.session import Database
from tunesmith.tasks import accounts


@pytest.fixture
def source_client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path)
    settings.analysis.separator = "dsp"  # no model to load in a unit test; the job path is the same
    app = create_app(settings, engine=FakeEngine, engine_options={"source_stem": True})
    with TestClient(app) as client:
        db = Database(settings.db_url)
        raw, _ = accounts.create_key(db, credits=1000, name="t")
        db.dispose()
        yield client, {"Authorization": f"Bearer {raw}"}


def _audio(client: TestClient, url: str) -> np.ndarray:
    data, _ = sf.read(io.BytesIO(client.get(local(url)).content), dtype="float32", always_2d=True)
    return data


def test_separate_vocal_splits_the_users_audio(source_client: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = source_client
    task, (audio_id, _) = finished(client, auth, instrumental=True, prompt=None)
    _, details = separation(client, auth, task, audio_id, "separate_vocal")
    assert details["successFlag"] == "SUCCESS", details
    response = details["response"]
    assert response["vocalUrl"] and response["instrumentalUrl"]
    names = {o["stem_type_group_name"] for o in response["originData"]}
    assert names == {"Vocals", "Instrumental"}
    vocal, inst = _audio(client, response["vocalUrl"]), _audio(client, response["instrumentalUrl"])
    n = min(len(vocal), len(inst))
    master = _audio(client, client.get("/api/v1/generate/record-info", params={"taskId": task},
                                       headers=auth).json()["data"]["response"]["sunoData"][0]["audioUrl"])
    m = min(n, len(master))
    level = float(np.sqrt(np.mean(master[:m] ** 2)))
    residual = float(np.sqrt(np.mean((vocal[:m] + inst[:m] - master[:m]) ** 2)))
    assert residual < 0.1 * level  # two MP3 codings apart, the halves still sum to the song


def test_split_stem_hands_out_the_rest_as_instrumental(source_client: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = source_client
    task, (audio_id, _) = finished(client, auth)
    sep, details = separation(client, auth, task, audio_id, "split_stem", callback="")
    assert details["successFlag"] == "SUCCESS", details
    response: dict[str, Any] = details["response"]
    assert response["vocalUrl"] and response["instrumentalUrl"] and response["drumsUrl"] is None
    groups = sorted(o["stem_type_group_name"] for o in response["originData"])
    assert groups == ["Instrumental", "Vocals"]
    instrumental = next(o["id"] for o in response["originData"] if o["stem_type_group_name"] == "Instrumental")
    r = client.post("/api/v1/midi/generate", headers=auth,
                    json={"taskId": sep, "audioId": instrumental, "callBackUrl": "https://example.com/cb"}).json()
    assert r["code"] == 400 and "instrumental of uploaded audio" in r["msg"]
    assert SPLIT_INFO_KEYS  # the callback keys stay the documented 13 (checked in test_vocal_removal)
