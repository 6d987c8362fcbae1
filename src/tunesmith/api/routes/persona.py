"""Personas (hosted API §3.11): ``POST /api/v1/generate/generate-persona``, synchronous.

A persona remembers the voice and the style fingerprint of one finished track; ``personaId`` in a
later generate (or extend) request sings with that voice in that style. One persona per audioId (409).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.persona import check_source, parse_persona, persona_response
from tunesmith.errors import Conflict, NotFound, Unprocessable
from tunesmith.music.score_io import score_from_json
from tunesmith.tasks import personas, service
from tunesmith.tasks.states import Status

router = APIRouter(prefix="/api/v1/generate", tags=["music"])


@router.post("/generate-persona", summary="Make a persona (voice and style) from a generated track")
def generate_persona(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse_persona(body)
    task, track = service.owned_track(c.db, key.id, req.taskId, req.audioId)
    if task.status != Status.SUCCESS.value:
        raise Unprocessable(f"the source task {task.id} has not finished yet")
    check_source(req, task.model, track.duration)
    existing = personas.find_by_track(c.db, track.id)
    if existing is not None:
        raise Conflict(f"A persona already exists for audioId {track.id}: personaId {existing.id}")
    score_path = c.store.local_path(track.score_key) if track.score_key else None
    if score_path is None or not score_path.is_file():
        raise NotFound(f"the files of track {track.id} have expired")
    score = score_from_json(score_path.read_text(encoding="utf-8"))
    persona = personas.create(c.db, personas.NewPersona(
        key_id=key.id, track_id=track.id, task_id=task.id, name=req.name.strip(), description=req.description,
        style_label=req.style or "", voice=score.vocal.voice if score.vocal is not None else None,
        fingerprint=personas.fingerprint(score, track.tags), vocal_start=req.vocalStart, vocal_end=req.vocalEnd,
    ))
    return ok(persona_response(persona))
