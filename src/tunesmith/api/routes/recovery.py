"""Recovery (hosted API §3.21): ``POST /api/v1/suno/recovery`` re-issues fresh signed links for the
files of a music (or sounds) task; ``GET /api/v1/suno/recovery/record-info`` answers body code 201 while
it runs. A track whose file the retention sweeper deleted gets a per-track ``file_expired`` error."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, Container, ContainerDep, KeyDep
from tunesmith.api.errors import envelope
from tunesmith.api.operations import Kind, operation
from tunesmith.api.schemas.jobs import result_of
from tunesmith.api.schemas.recovery import RecoveryBody, recovery_details
from tunesmith.api.submit import callback_url, parse, submit_job, task_of
from tunesmith.db.models import Blob
from tunesmith.errors import BadRequest
from tunesmith.tasks import service
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import Status

router = APIRouter(prefix="/api/v1/suno/recovery", tags=["recovery"])

NOT_COMPLETE = "clip_not_complete"


@router.post("", summary="Re-issue fresh links for a music task's audio")
def recover(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(RecoveryBody, body)
    cb = callback_url(c, req.callBackUrl)
    view = service.get(c.db, key.id, req.sunoTaskId)
    if operation(view.task.operation).kind is not Kind.MUSIC and view.task.operation != "sounds":
        raise BadRequest(f"task {req.sunoTaskId} is not a music task")
    tracks = [{**t, "error": t["error"] or _expiry(c, t["key"])} for t in _audio_of(view)]
    inputs = {t["id"]: t["key"] for t in tracks if not t["error"]}
    task_id = submit_job(c, key, "recovery", param=body, payload={"input_keys": inputs, "tracks": tracks},
                         source_id=view.task.id, callback=cb)
    return envelope(200, "success", {"task_id": task_id})


@router.get("/record-info", summary="Get recovery details")
def recovery_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "recovery")
    return recovery_details(view, c.signer)


def _audio_of(view: TaskView) -> list[dict[str, str]]:
    """``{id, title, key, error}`` for each track of the task, in order (sounds keep theirs in the result)."""
    if view.task.operation == "sounds":
        if view.task.status != Status.SUCCESS.value:
            return []
        result = result_of(view.task)
        files: dict[str, str] = result.get("files", {})
        return [{"id": t["id"], "title": t["title"], "key": files[t["audio"]], "error": ""}
                for t in result.get("data", {}).get("tracks", [])]
    return [{"id": t.id, "title": t.title, "key": t.audio_key or "",
             "error": "" if t.state == "complete" and t.audio_key else NOT_COMPLETE} for t in view.tracks]


def _expiry(c: Container, key: str) -> str:
    """A per-track error when the file is gone: swept after the retention period, or missing."""
    with c.db.read() as s:
        blob = s.get(Blob, key)
        deleted = blob.deleted_at if blob is not None else None
    if deleted is not None:
        days = c.settings.storage.retention_days
        return (f"file_expired: the audio was deleted on {deleted:%Y-%m-%d} after the {days:g}-day retention "
                "period and cannot be recovered")
    if not c.store.exists(key):
        return "file_expired: the audio file is no longer stored on this server"
    return ""
