"""``POST /api/v1/generate/replace-section`` (hosted API §3.9, ``taskId`` + ``audioId`` mode).

Regenerates ``infillStartS``–``infillEndS`` of a finished track with new lyrics and tags; outside the
window the new tracks are the source sample for sample. A music task (two tracks, staged music
callbacks, details at ``/generate/record-info`` with ``operationType: replace_section`` and
``parentMusicId`` = the source audioId). Validation failures answer 422 (see the schema module).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.routes.extend import source_info
from tunesmith.api.schemas.persona import with_persona
from tunesmith.api.schemas.replace_section import check_against_source, parse_replace_section, to_replace_request
from tunesmith.api.submit import callback_url, submit_music
from tunesmith.tasks import personas, service

router = APIRouter(prefix="/api/v1/generate", tags=["music"])


@router.post("/replace-section", summary="Regenerate a time window of a generated track (two new tracks)")
def replace_section(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse_replace_section(body)
    callback = callback_url(c, req.callBackUrl)
    task, track = service.owned_track(c.db, key.id, req.taskId or "", req.audioId)
    source = source_info(c, task, track)
    check_against_source(req, source)
    request = to_replace_request(req, source)
    if req.personaId:
        request = with_persona(request, personas.get(c.db, key.id, req.personaId))
    task_id = submit_music(c, key, "replace_section", model=task.model, param=body, request=request,
                           callback=callback, parent_music_id=track.id)
    return ok({"taskId": task_id})
