"""Vocal separation shapes (``suno-api.md`` §3.18): request, details (camelCase) and callback (snake_case).

``separate_vocal`` yields a vocal and an instrumental stem; ``split_stem`` one stem per family that
sounds in the song. Each stem the job produced gets an id (``originData[].id``) that MIDI generation
accepts as ``audioId``. The job payload (``Task.request_json``) carries the type, the source track's
index and the stem ids, so the details can be drawn before the job has finished.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tunesmith.api.schemas.declared import CallbackUrl
from tunesmith.api.schemas.jobs import epoch_ms, file_url, result_of, success_flag
from tunesmith.db.models import Task
from tunesmith.music.score import StemFamily
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import Status

SeparationType = Literal["separate_vocal", "split_stem"]
OPERATIONS: tuple[SeparationType, ...] = ("separate_vocal", "split_stem")
VOCAL, INSTRUMENTAL = "vocal", "instrumental"
SOURCE = "source"  # the stem of a track that holds the user's own audio (see engines.jobs.stems)
VOCAL_FAMILIES = (StemFamily.VOCALS.value, StemFamily.BACKING_VOCALS.value)

GROUP_NAMES: dict[str, str] = {
    VOCAL: "Vocals", INSTRUMENTAL: "Instrumental", "vocals": "Vocals", "backing_vocals": "Backing Vocals",
    "drums": "Drums", "bass": "Bass", "guitar": "Guitar", "keyboard": "Keyboard", "percussion": "Percussion",
    "strings": "Strings", "synth": "Synth", "fx": "FX", "brass": "Brass", "woodwinds": "Woodwinds",
}
"""Stem name → ``originData[].stem_type_group_name``."""

SPLIT_WIRE: dict[str, str] = {f.value: "vocal" if f == StemFamily.VOCALS else f.value for f in StemFamily}
"""Family → the snake_case stem word of the wire (``vocals`` is ``vocal_url``/``vocalUrl``)."""


class SeparationBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    audioId: str
    callBackUrl: CallbackUrl
    type: SeparationType = "separate_vocal"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(w.capitalize() for w in rest)


def payload_of(task: Task) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(task.request_json or "{}")
    return payload


def _urls(task: Task, signer: LinkSigner) -> dict[str, str | None]:
    """Stem name → signed link of its MP3 (None when the song has no such stem or the job is unfinished)."""
    # A split of a track with the user's own audio also has an ``instrumental`` (the rest of that audio).
    names = (VOCAL, INSTRUMENTAL) if task.operation == "separate_vocal" else (*SPLIT_WIRE, INSTRUMENTAL)
    return {name: file_url(task, name, signer) for name in names}


def _origin_url(task: Task, signer: LinkSigner) -> str:
    """The source track's own MP3, as the separation's ``originUrl``."""
    if task.status != Status.SUCCESS.value or not task.source_id:
        return ""
    return signer.url("files", f"tracks/{task.source_id}/audio.mp3")


def origin_data(task: Task, signer: LinkSigner) -> list[dict[str, Any]]:
    """``originData[]``: one entry per produced stem, with the id MIDI generation accepts."""
    stems = result_of(task).get("data", {}).get("stems", [])
    return [{"duration": s["duration"], "audio_url": file_url(task, s["name"], signer),
             "stem_type_group_name": GROUP_NAMES[s["name"]], "id": s["id"]} for s in stems]


def separation_details(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    payload, urls = payload_of(task), _urls(task, signer)
    response: dict[str, Any] = {
        "id": task.id if task.status == Status.SUCCESS.value else None,
        "originUrl": _origin_url(task, signer),
        "originData": origin_data(task, signer),
        "instrumentalUrl": urls.get(INSTRUMENTAL),
        "vocalUrl": urls.get(VOCAL) or urls.get("vocals"),
    }
    response.update({f"{_camel(SPLIT_WIRE[f])}Url": urls.get(f) for f in SPLIT_WIRE if f != "vocals"})
    return {
        "taskId": task.id, "musicId": task.source_id, "musicIndex": payload.get("music_index", 0),
        "callbackUrl": task.callback_url or "", "audioId": task.source_id,
        "completeTime": epoch_ms(task.finished_at), "response": response,
        "successFlag": success_flag(task, "GENERATE_AUDIO_FAILED"),
        "createTime": epoch_ms(task.created_at), "errorCode": task.error_code, "errorMessage": task.error_message,
    }


def separation_callback(view: TaskView, stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 500, "msg": task.error_message or "vocal Removal failed",
                "data": {"task_id": task.id, "vocal_removal_info": None}}
    urls = _urls(task, signer)
    info: dict[str, str | None] = {"origin_url": _origin_url(task, signer)}
    if task.operation == "separate_vocal":
        info.update({"instrumental_url": urls[INSTRUMENTAL], "vocal_url": urls[VOCAL]})
    else:
        info.update({f"{SPLIT_WIRE[f]}_url": urls[f] for f in SPLIT_WIRE})
    return {"code": 200, "msg": "vocal Removal generated successfully.",
            "data": {"task_id": task.id, "vocal_removal_info": info}}
