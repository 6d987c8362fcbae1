"""WAV conversion (hosted API §3.17): ``POST /api/v1/wav/generate``, ``GET /api/v1/wav/record-info``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.wav import WavBody, wav_details
from tunesmith.api.submit import callback_url, parse, submit_job, task_of
from tunesmith.errors import Conflict
from tunesmith.tasks import service
from tunesmith.tasks.states import FAILED, Status

router = APIRouter(prefix="/api/v1/wav", tags=["wav"])


@router.post("/generate", summary="Convert a generated track to WAV")
def generate_wav(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(WavBody, body)
    cb = callback_url(c, req.callBackUrl)
    _, track = service.owned_track(c.db, key.id, req.taskId, req.audioId)
    existing = service.find_by_source(c.db, key.id, "wav", track.id)
    if existing is not None and Status(existing.status) not in FAILED:
        raise Conflict(f"WAV record already exists for this track: taskId {existing.id}")
    payload = {"input_keys": {"master": f"tracks/{track.id}/master.flac"},
               "file_name": f"{track.id}.wav"}
    task_id = submit_job(c, key, "wav", param=body, payload=payload, source_id=track.id, callback=cb)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get WAV conversion details")
def wav_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "wav")
    return ok(wav_details(view, c.signer))
