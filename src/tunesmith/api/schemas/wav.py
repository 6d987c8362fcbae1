"""WAV conversion shapes (``suno-api.md`` §3.17): details (camelCase) and callback."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from tunesmith.api.schemas.declared import CallbackUrl
from tunesmith.api.schemas.jobs import epoch_ms, file_url, success_flag
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView


class WavBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    audioId: str
    callBackUrl: CallbackUrl


def wav_details(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    return {
        "taskId": task.id, "musicId": task.source_id, "callbackUrl": task.callback_url or "",
        "completeTime": epoch_ms(task.finished_at),
        "response": {"audioWavUrl": file_url(task, "wav", signer)},
        "successFlag": success_flag(task, "GENERATE_WAV_FAILED"),
        "createTime": epoch_ms(task.created_at),
        "errorCode": task.error_code, "errorMessage": task.error_message,
    }


def wav_callback(view: TaskView, stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 500, "msg": task.error_message or "WAV conversion failed",
                "data": {"audioWavUrl": None, "task_id": task.id}}
    return {"code": 200, "msg": "success", "data": {"audioWavUrl": file_url(task, "wav", signer), "task_id": task.id}}
