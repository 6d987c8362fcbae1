"""``POST /api/v1/generate/extend`` (hosted API §3.3): continue a generated track from ``continueAt``.

The task is a music task (two tracks, staged music callbacks, details at ``/generate/record-info`` with
``operationType: extend`` and ``parentMusicId`` = the source audioId). Each new track is the whole
song: the source up to the join, then the continuation.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, Container, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.extend import (
    ExtendBody,
    SourceInfo,
    check_against_source,
    check_extend,
    to_extend_request,
)
from tunesmith.api.schemas.persona import with_persona
from tunesmith.api.submit import callback_url, parse, submit_music
from tunesmith.db.models import Task, Track
from tunesmith.engines.base import source_roles
from tunesmith.engines.codec import request_from_json
from tunesmith.errors import NotFound
from tunesmith.tasks import personas, service

router = APIRouter(prefix="/api/v1/generate", tags=["music"])


def source_info(c: Container, task: Task, track: Track) -> SourceInfo:
    """What an edit needs of a finished track; 404 when its files are gone (retention)."""
    stems: dict[str, str] = json.loads(track.stems_json or "{}")
    keys = {"master": f"tracks/{track.id}/master.flac", "score": track.score_key or ""}
    if not all(keys.values()) or not all(c.store.exists(k) for k in (*keys.values(), *stems.values())):
        raise NotFound(f"the files of track {track.id} have expired")
    return SourceInfo(
        model=task.model, duration_s=track.duration or 0.0, title=track.title, tags=track.tags, lyrics=track.prompt,
        request=request_from_json(task.request_json), words_json=track.words_json or "[]",
        files=source_roles(keys["master"], keys["score"], stems),
    )  # fmt: skip


@router.post("/extend", summary="Extend a generated track (two new tracks)")
def extend(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    parsed = parse(ExtendBody, body)
    spec = check_extend(parsed)
    callback = callback_url(c, parsed.callBackUrl)
    task, track = service.track_by_id(c.db, key.id, parsed.audioId)
    source = source_info(c, task, track)
    request = to_extend_request(parsed, spec, source, check_against_source(parsed, source))
    if parsed.personaId:
        request = with_persona(request, personas.get(c.db, key.id, parsed.personaId))
    task_id = submit_music(c, key, "extend", model=parsed.model, param=body, request=request,
                           callback=callback, parent_music_id=track.id)
    return ok({"taskId": task_id})
