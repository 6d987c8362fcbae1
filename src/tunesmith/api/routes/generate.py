"""``POST /api/v1/generate`` and ``GET /api/v1/generate/record-info`` (hosted API §3.1, §3.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok, validation_message
from tunesmith.api.schemas.generate import GenerateBody, to_song_request
from tunesmith.api.schemas.music import record_info
from tunesmith.errors import BadRequest
from tunesmith.tasks import service
from tunesmith.webhooks.guard import UnsafeURLError, validate_url

router = APIRouter(prefix="/api/v1/generate", tags=["music"])


@router.post("", summary="Generate music (two tracks) from an idea or lyrics")
def generate(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    try:
        parsed = GenerateBody.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(validation_message(exc.errors())) from exc
    request = to_song_request(parsed)
    try:
        callback = validate_url(parsed.callBackUrl, c.egress) if parsed.callBackUrl.strip() else None
    except UnsafeURLError as exc:
        raise BadRequest(f"callBackUrl: {exc}") from exc
    sub = service.Submission(
        key_id=key.id, operation="generate", model=parsed.model, param=body, request=request,
        callback_url=callback, cost=c.settings.credits.costs.get("generate", 0),
    )
    task_id = service.submit(c.db, sub, max_attempts=c.settings.workers.max_attempts)
    c.workers.wake()
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get music generation details")
def get_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    if not taskId:
        raise BadRequest("taskId is required")
    return ok(record_info(service.get(c.db, key.id, taskId), c.signer))
