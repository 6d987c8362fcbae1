"""Recovery shapes (``suno-api.md`` §3.21): the request, the details envelope whose *body* code says
where the task stands (201 running, 200 at least one track recovered, 500 all failed) and the callback
with ``task_id`` at its top level. Links are signed afresh every time a shape is rendered."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from tunesmith.api.schemas.declared import CallbackUrl
from tunesmith.api.schemas.jobs import result_of
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import FAILED, Status

RUNNING, DONE, ALL_FAILED = 201, 200, 500


class RecoveryBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    sunoTaskId: str
    callBackUrl: CallbackUrl


def recovery_items(view: TaskView, signer: LinkSigner) -> list[dict[str, Any]]:
    """One item per track of the original task, in its order: ``{id, audio_url, title, status, error}``."""
    task = view.task
    if task.status == Status.SUCCESS.value:
        tracks: list[dict[str, Any]] = result_of(task).get("data", {}).get("tracks", [])
        return [_item(t, signer) for t in tracks]
    planned: list[dict[str, Any]] = json.loads(task.request_json).get("tracks", [])
    reason = task.error_message or "recovery failed"
    return [{"id": t["id"], "audio_url": "", "title": t["title"], "status": "failed", "error": t["error"] or reason}
            for t in planned]


def _item(track: dict[str, Any], signer: LinkSigner) -> dict[str, Any]:
    ok = track["status"] == "success"
    return {"id": track["id"], "audio_url": signer.url("files", track["key"]) if ok else "",
            "title": track["title"], "status": track["status"], "error": "" if ok else track["error"]}


def outcome(items: list[dict[str, Any]]) -> tuple[int, str]:
    """The body code and message of a finished recovery."""
    if any(item["status"] == "success" for item in items):
        return DONE, "success"
    return ALL_FAILED, "No track could be recovered"


def recovery_details(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    """The whole envelope of ``GET /api/v1/suno/recovery/record-info`` (its code carries the state)."""
    status = Status(view.task.status)
    if status != Status.SUCCESS and status not in FAILED:
        return {"code": RUNNING, "msg": "Recovery in progress", "data": None}
    items = recovery_items(view, signer)
    code, msg = outcome(items)
    return {"code": code, "msg": msg, "data": items}


def recovery_callback(view: TaskView, _stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    items = recovery_items(view, signer)
    code, msg = outcome(items)
    return {"code": code, "msg": msg, "task_id": view.task.id, "data": items}
