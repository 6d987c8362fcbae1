"""Cover images (hosted API §3.16): ``POST /api/v1/suno/cover/generate``,
``GET /api/v1/suno/cover/record-info``. One cover task per music task: a repeat is answered with code
400 and the existing task's id (in ``msg`` and ``data``), as the hosted service does."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.covers import CoverBody, cover_details
from tunesmith.api.submit import callback_url, parse, submit_job, task_of
from tunesmith.errors import BadRequest, NotFound
from tunesmith.tasks import service
from tunesmith.tasks.states import FAILED, Status

router = APIRouter(prefix="/api/v1/suno/cover", tags=["cover images"])

IMAGES_PER_TASK = 2


@router.post("/generate", summary="Generate two new cover images for a music task")
def generate_covers(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(CoverBody, body)
    cb = callback_url(c, req.callBackUrl)
    view = service.get(c.db, key.id, req.taskId)
    tracks = [t for t in view.tracks if t.state == "complete"]
    if view.task.status != Status.SUCCESS.value or not tracks:
        raise NotFound(f"Music task {req.taskId} has no finished tracks to make covers for")
    existing = service.find_by_source(c.db, key.id, "cover_image", view.task.id)
    if existing is not None and Status(existing.status) not in FAILED:
        raise BadRequest(f"Cover images were already generated for this task: taskId {existing.id}",
                         data={"taskId": existing.id})
    covers = [{"title": tracks[i % len(tracks)].title, "style": tracks[i % len(tracks)].tags,
               "seed": secrets.randbelow(2**31)} for i in range(IMAGES_PER_TASK)]
    originals = {f"track_{t.idx}": t.image_key for t in tracks if t.image_key and c.store.exists(t.image_key)}
    task_id = submit_job(c, key, "cover_image", param=body, payload={"input_keys": originals, "covers": covers},
                         source_id=view.task.id, callback=cb)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get cover image details")
def cover_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "cover")
    return ok(cover_details(view, c.signer))
