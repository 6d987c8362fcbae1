"""Music video shapes (``suno-api.md`` §3.20): request, details (camelCase) and callback."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.api.schemas.declared import CallbackUrl
from tunesmith.api.schemas.jobs import epoch_ms, file_url, success_flag
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView

SUCCESS_MSG = "MP4 generated successfully."


class Mp4Body(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    audioId: str
    callBackUrl: CallbackUrl
    author: str | None = Field(default=None, max_length=50)
    domainName: str | None = Field(default=None, max_length=50)
    """Shown as a watermark in the video's corner."""


def mp4_details(view: TaskView, signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    payload = json.loads(task.request_json) if task.request_json else {}
    return {
        "taskId": task.id, "musicId": task.source_id, "callbackUrl": task.callback_url or "",
        "musicIndex": payload.get("music_index", 0),
        "completeTime": epoch_ms(task.finished_at),
        "response": {"videoUrl": file_url(task, "video", signer)},
        "successFlag": success_flag(task, "GENERATE_MP4_FAILED"),
        "createTime": epoch_ms(task.created_at),
        "errorCode": task.error_code, "errorMessage": task.error_message,
    }


def mp4_callback(view: TaskView, stage: str, _track_ids: list[str], signer: LinkSigner) -> dict[str, Any]:
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 500, "msg": task.error_message or "MP4 generation failed",
                "data": {"task_id": task.id, "video_url": None}}
    return {"code": 200, "msg": SUCCESS_MSG, "data": {"task_id": task.id, "video_url": file_url(task, "video", signer)}}
