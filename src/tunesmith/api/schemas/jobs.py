"""Shared pieces of the details shapes of job tasks (WAV, separation, MIDI, MP4, cover images)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tunesmith.db.models import Task
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.states import FAILED, Status


def epoch_ms(value: datetime | None) -> int | None:
    """Naive-UTC datetime → epoch milliseconds (the details endpoints' examples use this)."""
    if value is None:
        return None
    return int((value - datetime(1970, 1, 1)).total_seconds() * 1000)


def result_of(task: Task) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(task.result_json) if task.result_json else {}
    return data


def file_url(task: Task, name: str, signer: LinkSigner) -> str | None:
    """A fresh signed link to output ``name`` of a finished job, else None."""
    key = result_of(task).get("files", {}).get(name)
    return signer.url("files", key) if key and task.status == Status.SUCCESS.value else None


def success_flag(task: Task, failed_name: str) -> str:
    """The string ``successFlag`` of WAV/separation/MP4 details: PENDING, SUCCESS or the family's failure."""
    status = Status(task.status)
    if status == Status.SUCCESS:
        return "SUCCESS"
    if status in FAILED:
        return "CREATE_TASK_FAILED" if status == Status.CREATE_TASK_FAILED else failed_name
    return "PENDING"
