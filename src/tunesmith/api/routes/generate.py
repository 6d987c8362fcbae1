"""``POST /api/v1/generate`` and ``GET /api/v1/generate/record-info`` (hosted API §3.1, §3.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.operations import details_of, operation
from tunesmith.api.schemas.generate import GenerateBody, to_song_request
from tunesmith.api.schemas.music import record_info
from tunesmith.api.schemas.persona import with_persona
from tunesmith.api.submit import callback_url, parse, submit_music
from tunesmith.errors import BadRequest
from tunesmith.tasks import personas, service

router = APIRouter(prefix="/api/v1/generate", tags=["music"])


@router.post("", summary="Generate music (two tracks) from an idea or lyrics")
def generate(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    parsed = parse(GenerateBody, body)
    request = to_song_request(parsed)
    if parsed.personaId:
        request = with_persona(request, personas.get(c.db, key.id, parsed.personaId))
    callback = callback_url(c, parsed.callBackUrl)
    task_id = submit_music(c, key, "generate", model=parsed.model, param=body, request=request,
                           callback=callback)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get music generation details")
def get_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    if not taskId:
        raise BadRequest("taskId is required")
    view = service.get(c.db, key.id, taskId)
    op = operation(view.task.operation)
    # Music and sounds tasks are polled here; the CN docs' sample polls lyrics tasks here too.
    if op.polled_at == "generate" or op.name == "lyrics":
        return ok(details_of(view, c.signer))
    return ok(record_info(view, c.signer))
