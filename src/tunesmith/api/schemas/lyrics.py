"""Lyrics shapes (``suno-api.md`` §3.15): the request, details (camelCase) and the single-stage callback.

Lyrics tasks report their own status enum; the generic task status is mapped here, in the wire layer.
Unlike most callbacks, the lyrics callback spells the task id ``taskId``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.api.schemas.declared import callback, text
from tunesmith.api.schemas.jobs import result_of
from tunesmith.db.models import Task
from tunesmith.errors import BadRequest, TooLong
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView
from tunesmith.tasks.states import Status

PROMPT_MAX_WORDS = 200
"""The documented limit of ``prompt``; a Han character counts as one word."""
PROMPT_MAX_CHARS = 3000
"""A character cap as well, so one endless "word" cannot slip past the word limit."""
_WORD_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

LYRICS_STATUS: dict[Status, str] = {
    Status.PENDING: "PENDING",
    Status.TEXT_SUCCESS: "PENDING",
    Status.FIRST_SUCCESS: "PENDING",
    Status.SUCCESS: "SUCCESS",
    Status.CREATE_TASK_FAILED: "CREATE_TASK_FAILED",
    Status.GENERATE_AUDIO_FAILED: "GENERATE_LYRICS_FAILED",
    Status.CALLBACK_EXCEPTION: "CALLBACK_EXCEPTION",
    Status.SENSITIVE_WORD_ERROR: "SENSITIVE_WORD_ERROR",
}
"""Generic task status → the lyrics family's ``status`` values."""


class LyricsBody(BaseModel):
    """``POST /api/v1/lyrics``; unknown fields are ignored, types are strict."""

    model_config = ConfigDict(extra="ignore", strict=True)

    prompt: Annotated[str, text(PROMPT_MAX_CHARS, min_length=1)] = Field(
        description=f"Themes, mood, structure: at most {PROMPT_MAX_WORDS} words (a Han character is a word) and "
                    f"{PROMPT_MAX_CHARS} characters once trimmed (over either: 413).")
    callBackUrl: Annotated[str, callback(required=True)]
    seed: int | None = None
    """Extension: the same prompt and seed give the same built-in lyrics."""


def count_words(text: str) -> int:
    """Words of ``text``: runs of non-space characters, each Han character on its own; punctuation-only
    runs (``，``, ``--``) do not count."""
    return sum(any(ch.isalnum() for ch in token) for token in _WORD_RE.findall(text))


def check_lyrics_body(body: LyricsBody) -> str:
    """The trimmed prompt, after the documented checks: required (400), at most 200 words (413)."""
    prompt = body.prompt.strip()
    if not prompt:
        raise BadRequest("prompt is required")
    if not body.callBackUrl.strip():
        raise BadRequest("callBackUrl is required")
    words = count_words(prompt)
    if words > PROMPT_MAX_WORDS:
        raise TooLong(f"prompt is too long: {words} words, the limit is {PROMPT_MAX_WORDS}")
    if len(prompt) > PROMPT_MAX_CHARS:
        raise TooLong(f"prompt is too long: {len(prompt)} characters, the limit is {PROMPT_MAX_CHARS}")
    return prompt


def lyrics_status(task: Task) -> str:
    return LYRICS_STATUS[Status(task.status)]


def lyric_items(task: Task) -> list[dict[str, Any]]:
    """The ``[{text, title, status, errorMessage}]`` list: the songs once the task succeeded, else empty."""
    if task.status != Status.SUCCESS.value:
        return []
    songs: list[dict[str, Any]] = result_of(task).get("data", {}).get("lyrics", [])
    return [{"text": s["text"], "title": s["title"], "status": "complete", "errorMessage": ""} for s in songs]


def lyrics_details(view: TaskView) -> dict[str, Any]:
    """``data`` of ``GET /api/v1/lyrics/record-info``."""
    task = view.task
    return {
        "taskId": task.id,
        "param": task.param_json,
        "response": {"taskId": task.id, "data": lyric_items(task)},
        "status": lyrics_status(task),
        "type": "LYRICS",
        "errorCode": task.error_code,
        "errorMessage": task.error_message,
    }


def lyrics_callback(view: TaskView, stage: str, _track_ids: list[str], _signer: LinkSigner) -> dict[str, Any]:
    """The body POSTed to ``callBackUrl``: ``complete`` with both songs, or ``error`` with ``data: null``."""
    task = view.task
    if stage == "error":
        return {"code": task.error_code or 500, "msg": task.error_message or "Lyrics generation failed",
                "data": {"callbackType": "error", "taskId": task.id, "data": None}}
    return {"code": 200, "msg": "All generated successfully.",
            "data": {"callbackType": "complete", "taskId": task.id, "data": lyric_items(task)}}
