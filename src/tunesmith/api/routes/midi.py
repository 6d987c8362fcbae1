"""MIDI generation (hosted API §3.19): ``POST /api/v1/midi/generate`` and ``GET /api/v1/midi/record-info``.

The source is a finished ``split_stem`` separation task; ``audioId`` picks one of its stems
(``originData[].id``), otherwise every stem is exported. Notes come from the track's score.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.jobs import result_of
from tunesmith.api.schemas.midi import MidiBody, midi_details
from tunesmith.api.submit import callback_url, parse, submit_job, task_of
from tunesmith.db.models import Task
from tunesmith.errors import BadRequest, NotFound
from tunesmith.music.score import StemFamily
from tunesmith.tasks import service
from tunesmith.tasks.states import Status

router = APIRouter(prefix="/api/v1/midi", tags=["midi"])


def _families(split: Task, audio_id: str | None) -> list[str]:
    """The stem families to export: the one ``audio_id`` names, or all the separation produced."""
    stems: list[dict[str, Any]] = result_of(split).get("data", {}).get("stems", [])
    if not audio_id:
        return [s["name"] for s in stems if s["name"] in _SCORED]
    found = [s["name"] for s in stems if s["id"] == audio_id]
    if not found:
        raise NotFound(f"audioId {audio_id!r} is not a stem of separation task {split.id}")
    if found[0] not in _SCORED:  # the rest of the user's own audio: no part of the score plays it
        raise BadRequest(f"stem {audio_id} is the instrumental of uploaded audio: it has no notes in the score; "
                         "ask for the other stems")
    return found


_SCORED = frozenset(f.value for f in StemFamily)


@router.post("/generate", summary="Generate MIDI notes from a split_stem separation")
def generate_midi(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(MidiBody, body)
    cb = callback_url(c, req.callBackUrl)
    split = service.get(c.db, key.id, req.taskId).task
    if split.operation != "split_stem":
        raise BadRequest(f"taskId must be a vocal separation task made with type split_stem: {req.taskId}")
    if split.status != Status.SUCCESS.value:
        raise BadRequest(f"separation task {req.taskId} has not finished successfully")
    payload = {"input_keys": {"score": f"tracks/{split.source_id}/score.json"},
               "families": _families(split, req.audioId), "audio_id": req.audioId or "",
               "file_name": f"{split.source_id}.mid"}
    task_id = submit_job(c, key, "midi", param=body, payload=payload, source_id=split.id, callback=cb)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get MIDI generation details")
def midi_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "midi")
    return ok(midi_details(view, c.signer))
