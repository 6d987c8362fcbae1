"""Music task shapes: record-info (camelCase, §3.2) and the staged music callback (snake_case, §3.1).

Links are signed afresh each time a shape is rendered. A track appears in ``sunoData`` from TEXT_SUCCESS
on with its title, lyrics, tags and ``streamAudioUrl``; ``audioUrl``/``imageUrl``/``duration`` are filled
once that track is complete.

Two callback bodies share one shape: :func:`music_callback` (generate, extend, replace-section) lists each
track with the ``source_*`` copies of its links, as the hosted §3.1 example does; :func:`audio_in_callback`
(add-instrumental and add-vocals) lists exactly the track keys of the hosted add-instrumental callback
document (``shared/seeds/000``), which has none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tunesmith.db.models import Track
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView

CALLBACK_MSG = {
    "text": "Text generation completed.",
    "first": "First track generated successfully.",
    "complete": "All generated successfully.",
}


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


SNAKE = {"audioUrl": "audio_url", "sourceAudioUrl": "source_audio_url", "streamAudioUrl": "stream_audio_url",
         "sourceStreamAudioUrl": "source_stream_audio_url", "imageUrl": "image_url",
         "sourceImageUrl": "source_image_url", "modelName": "model_name"}
"""Callback spelling of the record-info keys that differ (``createTime`` stays camelCase in both)."""
SEED_TRACK_KEYS = ("id", "audio_url", "stream_audio_url", "image_url", "prompt", "model_name", "title", "tags",
                   "createTime", "duration")
"""A track of the add-instrumental callback document (seed 000), in its order: no ``source_*`` keys."""
TrackRenderer = Callable[[Track, LinkSigner], dict[str, Any]]


def track_camel(track: Track, signer: LinkSigner) -> dict[str, Any]:
    """A ``sunoData`` item; links are empty until the track (or its stream) exists."""
    done = track.state == "complete"
    audio = signer.url("files", track.audio_key) if done and track.audio_key else ""
    stream = signer.url("stream", track.stream_key) if track.state != "failed" else ""
    image = signer.url("files", track.image_key) if done and track.image_key else ""
    return {
        "id": track.id, "audioUrl": audio, "sourceAudioUrl": audio, "streamAudioUrl": stream,
        "sourceStreamAudioUrl": stream, "imageUrl": image, "sourceImageUrl": image,
        "prompt": track.prompt, "modelName": track.model_name, "title": track.title, "tags": track.tags,
        "createTime": _time(track.created_at), "duration": track.duration,
    }


def track_snake(track: Track, signer: LinkSigner) -> dict[str, Any]:
    """The same track as a callback ``data.data[]`` item."""
    return {SNAKE.get(k, k): v for k, v in track_camel(track, signer).items()}


def record_info(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    """``data`` of ``GET /api/v1/generate/record-info``."""
    task = view.task
    return {
        "taskId": task.id,
        "parentMusicId": task.parent_music_id,
        "param": task.param_json,
        "response": {"taskId": task.id, "sunoData": [track_camel(t, signer) for t in view.tracks]},
        "status": task.status,
        "type": task.operation.upper(),
        "operationType": task.operation,
        "errorCode": task.error_code,
        "errorMessage": task.error_message,
    }


def track_seed(track: Track, signer: LinkSigner) -> dict[str, Any]:
    """A callback track with the keys of :data:`SEED_TRACK_KEYS` only."""
    snake = track_snake(track, signer)
    return {k: snake[k] for k in SEED_TRACK_KEYS}


def _callback(view: TaskView, stage: str, track_ids: list[str], signer: LinkSigner,
              render: TrackRenderer) -> dict[str, Any]:
    """The staged callback body; ``render`` draws each finished track."""
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 500, "msg": task.error_message or "Generation failed",
                "data": {"callbackType": "error", "task_id": task.id, "data": None}}
    tracks = [t for t in view.tracks if t.id in track_ids and t.state == "complete"]
    return {"code": 200, "msg": CALLBACK_MSG[stage],
            "data": {"callbackType": stage, "task_id": task.id, "data": [render(t, signer) for t in tracks]}}


def music_callback(view: TaskView, stage: str, track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    """The body POSTed to ``callBackUrl`` for ``stage`` ∈ text | first | complete | error, listing
    the tracks that were finished when the stage was reached."""
    return _callback(view, stage, track_ids, signer, track_snake)


def audio_in_callback(view: TaskView, stage: str, track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    """The same body for add-instrumental and add-vocals, whose tracks carry the seed-000 keys only
    (:func:`track_seed`); the error body is the music one."""
    return _callback(view, stage, track_ids, signer, track_seed)
