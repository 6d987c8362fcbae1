"""Vocal separation (hosted API §3.18): ``POST /api/v1/vocal-removal/generate`` and its record-info.

The stems are the engine's own mastered renders, not an estimate: they sum back to the song. Like the
hosted service (which re-bills repeats), a track may be separated again; each request is a new task
charged at its type's cost (``separate_vocal`` or ``split_stem``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.separation import (
    INSTRUMENTAL,
    SOURCE,
    VOCAL,
    VOCAL_FAMILIES,
    SeparationBody,
    separation_details,
)
from tunesmith.api.submit import callback_url, parse, submit_job, task_of
from tunesmith.db.models import Track
from tunesmith.errors import BadRequest
from tunesmith.tasks import service

router = APIRouter(prefix="/api/v1/vocal-removal", tags=["separation"])


def _payload(track: Track, kind: str) -> dict[str, Any]:
    """The job payload: every stored stem as input, and an id for each stem the job will write."""
    stems: dict[str, str] = json.loads(track.stems_json or "{}")
    has_source = SOURCE in stems  # the user's own audio: separated by the job, its voice may be there
    if kind == "separate_vocal":
        has_vocal = has_source or any(f in stems for f in VOCAL_FAMILIES)
        names = [VOCAL, INSTRUMENTAL] if has_vocal else [INSTRUMENTAL]
    else:
        names = [f for f in stems if f != SOURCE]
        if has_source:
            names += ([] if "vocals" in names else ["vocals"]) + [INSTRUMENTAL]
    return {"type": kind, "music_index": track.idx, "input_keys": stems,
            "stem_ids": {name: str(uuid.uuid4()) for name in names}, "file_prefix": track.id}


@router.post("/generate", summary="Separate a generated track into vocal/instrumental or up to 12 stems")
def generate_separation(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(SeparationBody, body)
    cb = callback_url(c, req.callBackUrl)
    _, track = service.owned_track(c.db, key.id, req.taskId, req.audioId)
    if track.stems_json in ("", "{}"):
        raise BadRequest(f"track {track.id} has no stored stems to separate")
    task_id = submit_job(c, key, req.type, param=body, payload=_payload(track, req.type), source_id=track.id,
                         callback=cb)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get vocal separation details")
def separation_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "vocal-removal")
    return ok(separation_details(view, c.signer))
