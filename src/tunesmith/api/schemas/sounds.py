"""Sounds (``suno-api.md`` §3.10): the request, and its results in the *music* shapes, because clients
read sounds tasks through ``GET /api/v1/generate/record-info`` and music-style callbacks.

A sounds task runs as a job: its tracks live in the job result (not in the tracks table), so this module
renders ``sunoData`` items from there; the keys are exactly those of a music track.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.api.schemas.declared import CallbackUrl, one_of, text
from tunesmith.api.schemas.jobs import result_of
from tunesmith.api.schemas.music import CALLBACK_MSG, SNAKE
from tunesmith.db.models import Task
from tunesmith.errors import BadRequest, TooLong
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.catalog import model_name
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import Status

PROMPT_MAX = 500
SOUND_MODELS = ("V6", "V6_WILD", "V6_MINI", "V5_5", "V5", "V4_5PLUS", "V4_5ALL", "V4_5", "V4")
SOUND_KEYS = ("Any", "Cm", "C#m", "Dm", "D#m", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "A#m", "Bm",
              "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


class SoundsBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    prompt: Annotated[str, text(PROMPT_MAX, min_length=1)] = Field(
        description=f"The sound to make (required; over {PROMPT_MAX} characters: 413).")
    model: Annotated[str, one_of(SOUND_MODELS)] = "V6"
    soundLoop: bool = False
    soundTempo: int | None = Field(default=None, ge=1, le=300)
    soundKey: Annotated[str, one_of(SOUND_KEYS)] = "Any"
    grabLyrics: bool = False
    """Accepted for compatibility: generated sounds contain no words, so there are no lyrics to grab."""
    callBackUrl: CallbackUrl | None = None
    seed: int | None = None
    """Extension: the same request with the same seed reproduces the same audio."""


def check(body: SoundsBody) -> None:
    """The rules pydantic cannot express: prompt present and ≤ 500 (413 above), enums."""
    if not body.prompt.strip():
        raise BadRequest("prompt is required")
    if len(body.prompt) > PROMPT_MAX:
        raise TooLong(f"prompt is too long: {len(body.prompt)} characters, the limit is {PROMPT_MAX}")
    if body.model not in SOUND_MODELS:
        raise BadRequest(f"model must be one of {', '.join(SOUND_MODELS)}")
    if body.soundKey not in SOUND_KEYS:
        raise BadRequest(f"soundKey must be one of {', '.join(SOUND_KEYS)}")


def title_for(prompt: str) -> str:
    """A short title from the prompt: its first words, capitalised, at most 80 characters."""
    words = " ".join(prompt.split()[:8])
    title = words[:1].upper() + words[1:]
    return title if len(title) <= 80 else title[:79].rstrip() + "…"


def _tracks(task: Task, signer: LinkSigner) -> list[dict[str, Any]]:
    if task.status != Status.SUCCESS.value:
        return []
    result = result_of(task)
    files: dict[str, str] = result.get("files", {})
    created = task.created_at.strftime("%Y-%m-%d %H:%M:%S")
    items = []
    for t in result.get("data", {}).get("tracks", []):
        audio, image = signer.url("files", files[t["audio"]]), signer.url("files", files[t["image"]])
        items.append({"id": t["id"], "audioUrl": audio, "sourceAudioUrl": audio, "streamAudioUrl": audio,
                      "sourceStreamAudioUrl": audio, "imageUrl": image, "sourceImageUrl": image,
                      "prompt": "", "modelName": model_name(task.model), "title": t["title"], "tags": t["tags"],
                      "createTime": created, "duration": t["duration"]})
    return items


def sounds_record_info(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    """``data`` of ``GET /api/v1/generate/record-info`` for a sounds task (the §3.2 shape)."""
    task = view.task
    return {
        "taskId": task.id, "parentMusicId": "", "param": task.param_json,
        "response": {"taskId": task.id, "sunoData": _tracks(task, signer)},
        "status": task.status, "type": "SOUNDS", "operationType": "sounds",
        "errorCode": task.error_code, "errorMessage": task.error_message,
    }


def sounds_callback(view: TaskView, stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    """The music callback shape (§3.1): ``complete`` with every sound, or ``error``."""
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 500, "msg": task.error_message or "Sound generation failed",
                "data": {"callbackType": "error", "task_id": task.id, "data": None}}
    tracks = [{SNAKE.get(k, k): v for k, v in t.items()} for t in _tracks(task, signer)]
    return {"code": 200, "msg": CALLBACK_MSG["complete"],
            "data": {"callbackType": "complete", "task_id": task.id, "data": tracks}}
