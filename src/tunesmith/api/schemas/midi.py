"""MIDI shapes (``suno-api.md`` §3.19): request, details (camelCase, integer ``successFlag``) and callback.

The callback puts ``task_id`` at the top level, beside ``code``/``msg``. Notes: ``pitch`` 0–127,
``start``/``end`` in seconds, ``velocity`` 0–1.

Extension: ``midiUrl`` (details ``data.midiUrl`` and callback ``data.midiUrl``) links a Standard MIDI
File of the same notes, one track per instrument at the song's tempo, for opening in a DAW.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict

from tunesmith.api.schemas.declared import CallbackUrl
from tunesmith.api.schemas.jobs import epoch_ms, file_url, result_of
from tunesmith.api.schemas.separation import GROUP_NAMES, payload_of
from tunesmith.db.models import Task
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import FAILED, Status

PENDING, SUCCESS, CREATE_FAILED, MIDI_FAILED = 0, 1, 2, 3


class MidiBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    callBackUrl: CallbackUrl
    audioId: str | None = None


def success_flag(task: Task) -> int:
    status = Status(task.status)
    if status == Status.SUCCESS:
        return SUCCESS
    if status in FAILED:
        return CREATE_FAILED if status == Status.CREATE_TASK_FAILED else MIDI_FAILED
    return PENDING


def instruments(task: Task) -> list[dict[str, Any]]:
    """The wire ``instruments[]``: stem group names (with the part's name where a stem has several)."""
    parts = result_of(task).get("data", {}).get("instruments", [])
    per_family = Counter(p["family"] for p in parts)
    out = []
    for p in parts:
        name = GROUP_NAMES[p["family"]]
        out.append({
            "name": name if per_family[p["family"]] == 1 else f"{name} ({p['name']})",
            "notes": [{"pitch": pitch, "start": start, "end": end, "velocity": round(velocity / 127, 3)}
                      for pitch, start, end, velocity in p["notes"]],
        })
    return out


def midi_data(task: Task) -> dict[str, Any]:
    return {"state": "complete", "instruments": instruments(task)} if task.status == Status.SUCCESS.value else {}


def midi_details(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    return {
        "taskId": task.id, "recordTaskId": -1, "audioId": payload_of(task).get("audio_id") or "",
        "callbackUrl": task.callback_url or "", "completeTime": epoch_ms(task.finished_at),
        "midiData": midi_data(task), "successFlag": success_flag(task), "createTime": epoch_ms(task.created_at),
        "errorCode": task.error_code, "errorMessage": task.error_message,
        "midiUrl": file_url(task, "midi", signer),
    }


def midi_callback(view: TaskView, stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    if stage == "error":
        return {"task_id": task.id, "code": 500, "msg": task.error_message or "MIDI generation failed",
                "data": None}
    return {"task_id": task.id, "code": 200, "msg": "success",
            "data": {**midi_data(task), "midiUrl": file_url(task, "midi", signer)}}
