"""The add-instrumental / add-vocals benchmark's side of the API: upload, submit, follow, collect.

Everything a user does, in order, against the bench's own server (:func:`bench.runner.server.running_server`):
``POST /api/file-stream-upload`` (multipart, the file as FLAC), ``POST /api/v1/generate/add-instrumental`` or
``/add-vocals`` with the returned ``downloadUrl`` as ``uploadUrl`` and the bench's loopback ``callBackUrl``,
then ``GET /api/v1/generate/record-info`` every ``POLL_S`` until a terminal status. The time to SUCCESS is
from just before the submit request (the upload is timed apart).

Each finished track is collected as the user would get it (``audioUrl``, the MP3: loudness and true peak,
and what Whisper hears) plus what the engine left in the bench's data dir (:mod:`bench.runner.datadir`:
lossless stems, ``master.flac`` and ``score.json`` — the stems endpoint would give the same stems as MP3).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import soundfile

from bench.runner import artifacts, datadir
from bench.runner.server import Server
from bench.runner.speed import FAILED, POLL_S, ApiError, call

ROUTES = {"add-instrumental": "/api/v1/generate/add-instrumental", "add-vocals": "/api/v1/generate/add-vocals"}
UPLOAD_PATH = "bench/add"
CALLBACK_GRACE_S = 10.0
Audio = npt.NDArray[np.float32]


def flac_bytes(audio: Audio, sample_rate: int) -> bytes:
    """``audio`` (float32 ``(channels, n)``) as a 16-bit FLAC file."""
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(audio, -1.0, 1.0).T, sample_rate, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def upload(client: httpx.Client, content: bytes, file_name: str) -> str:
    """Upload ``content`` with the stream route; returns its ``downloadUrl``."""
    response = client.post("/api/file-stream-upload", files={"file": (file_name, content, "audio/flac")},
                           data={"uploadPath": UPLOAD_PATH, "fileName": file_name})  # fmt: skip
    body = response.json()
    if body.get("code") != 200:
        raise ApiError(f"upload: code {body.get('code')}: {body.get('msg')}", body.get("code"))
    return str(body["data"]["downloadUrl"])


@dataclass
class Task:
    """One submitted task: its id, status, seconds from just before submit, tracks, callbacks seen."""

    endpoint: str
    upload_s: float | None = None
    task_id: str | None = None
    status: str | None = None
    stage_s: dict[str, float] = field(default_factory=dict)
    tracks: list[dict[str, Any]] = field(default_factory=list)
    callback_s: dict[str, float] = field(default_factory=dict)
    operation_type: str | None = None
    error: str | None = None

    def record(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "status": self.status, "upload_s": _r(self.upload_s),
                "stage_s": {k: round(v, 2) for k, v in self.stage_s.items()},
                "callback_s": {k: round(v, 2) for k, v in self.callback_s.items()},
                "operation_type": self.operation_type, "error": self.error}  # fmt: skip


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def run_task(server: Server, endpoint: str, content: bytes, body: dict[str, Any], *, name: str,
             timeout_s: float) -> Task:
    """Upload, submit and follow one task; never raises for the server's failures (``error`` says)."""
    task = Task(endpoint)
    with server.client(timeout_s=120.0) as client:
        try:
            start = time.monotonic()
            url = upload(client, content, name)
            task.upload_s = time.monotonic() - start
            t0 = time.monotonic()
            request = {**body, "uploadUrl": url, "callBackUrl": server.callback_url}
            task.task_id = str(call(client, "POST", ROUTES[endpoint], json=request)["taskId"])
            _follow(client, task, t0, t0 + timeout_s)
        except (ApiError, httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            task.error = task.error or repr(exc)
        if task.task_id:
            _callbacks(server, task, t0)
    return task


def _callbacks(server: Server, task: Task, t0: float) -> None:
    """Arrival times of the task's callbacks, after waiting up to :data:`CALLBACK_GRACE_S` for the last one
    (``complete`` or ``error`` is sent after the status the poll saw)."""
    last = "complete" if task.status == "SUCCESS" else "error"
    deadline = time.monotonic() + CALLBACK_GRACE_S
    while server.callbacks.first(str(task.task_id), last) is None and time.monotonic() < deadline:
        time.sleep(POLL_S)
    for kind in ("text", "first", "complete", "error"):
        at = server.callbacks.first(str(task.task_id), kind)
        if at is not None:
            task.callback_s[kind] = at - t0


def _follow(client: httpx.Client, task: Task, t0: float, deadline: float) -> None:
    stages = ("TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS")
    while time.monotonic() < deadline:
        data = call(client, "GET", "/api/v1/generate/record-info", params={"taskId": task.task_id})
        now, task.status = time.monotonic(), data.get("status")
        task.operation_type = data.get("operationType")
        for stage in stages[: stages.index(task.status) + 1] if task.status in stages else ():
            task.stage_s.setdefault(stage, now - t0)
        if task.status == "SUCCESS":
            task.tracks = list((data.get("response") or {}).get("sunoData") or [])
            return
        if task.status in FAILED:
            task.error = f"{task.status}: {data.get('errorCode')} {data.get('errorMessage')}"
            return
        time.sleep(POLL_S)
    task.error = f"timed out in status {task.status}"


@dataclass(frozen=True)
class TrackOutput:
    """One finished track: the delivered MP3, the lossless master and stems (float32 ``(channels, n)``), and
    the score the engine wrote."""

    audio_id: str
    mp3: Audio
    mp3_rate: int
    master: Audio
    stems: dict[str, Audio]
    sample_rate: int
    score_json: str


def collect(server: Server, track: dict[str, Any]) -> TrackOutput:
    """The track's audio as delivered (``audioUrl``) and its files in the bench's data dir."""
    audio_id = str(track["id"])
    with server.client(timeout_s=120.0) as client:
        mp3, mp3_rate = artifacts.fetch_audio(client, str(track["audioUrl"]))
    master, sr = datadir.read_master(server.data_dir, audio_id)
    stems: dict[str, Audio] = {}
    for family, (audio, rate) in datadir.read_stems(server.data_dir, audio_id).items():
        if rate != sr:
            raise ValueError(f"stem {family}: {rate} Hz under a {sr} Hz master")
        stems[family] = audio
    score = (datadir.track_dir(server.data_dir, audio_id) / "score.json").read_text(encoding="utf-8")
    return TrackOutput(audio_id, mp3, mp3_rate, master, stems, sr, score)
