"""Cover image shapes (``suno-api.md`` §3.16): request, details with an integer ``successFlag`` and ISO
times, and the callback, which (unlike most job callbacks) spells ``taskId`` in camelCase."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tunesmith.api.schemas.declared import CallbackUrl
from tunesmith.api.schemas.jobs import result_of
from tunesmith.db.models import Task
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import FAILED, Status

PENDING, SUCCESS, GENERATING, FAILED_FLAG = 0, 1, 2, 3


class CoverBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    callBackUrl: CallbackUrl


def iso_time(value: datetime | None) -> str | None:
    """Naive-UTC datetime → ``2025-01-15T10:35:27.000Z``."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def image_urls(task: Task, signer: LinkSigner) -> list[str]:
    """Fresh signed links to the images of a finished cover task, in order; empty before that."""
    if task.status != Status.SUCCESS.value:
        return []
    files: dict[str, str] = result_of(task).get("files", {})
    return [signer.url("files", files[name]) for name in sorted(files) if name.startswith("image_")]


def cover_flag(task: Task) -> int:
    """0 pending (queued), 2 generating (a worker holds it), 1 success, 3 failed."""
    status = Status(task.status)
    if status == Status.SUCCESS:
        return SUCCESS
    if status in FAILED:
        return FAILED_FLAG
    return GENERATING if task.lease_owner else PENDING


def cover_details(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    flag = cover_flag(task)
    return {
        "taskId": task.id, "parentTaskId": task.source_id, "callbackUrl": task.callback_url or "",
        "completeTime": iso_time(task.finished_at),
        "response": {"images": image_urls(task, signer)},
        "successFlag": flag,
        "createTime": iso_time(task.created_at),
        "errorCode": {SUCCESS: 200, FAILED_FLAG: 500}.get(flag),
        "errorMessage": task.error_message if flag == FAILED_FLAG else None,
    }


def cover_callback(view: TaskView, stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 501, "msg": task.error_message or "Cover generation failed",
                "data": {"taskId": task.id, "images": None}}
    return {"code": 200, "msg": "success", "data": {"taskId": task.id, "images": image_urls(task, signer)}}
