"""Style boost shapes (``suno-api.md`` §3.14): the request and the synchronous answer.

``successFlag`` is a string here (``"0"`` pending, ``"1"`` success, ``"2"`` failed); the credit figures are
numbers; ``createTime`` is a ``"YYYY-MM-DD HH:MM:SS"`` string (UTC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.api.schemas.declared import text
from tunesmith.errors import BadRequest, TooLong

CONTENT_MAX = 1000
"""Longest accepted ``content``, in characters: the largest ``style`` limit of any model (§1.7)."""


class StyleBody(BaseModel):
    """``POST /api/v1/style/generate``; unknown fields are ignored, types are strict."""

    model_config = ConfigDict(extra="ignore", strict=True)

    content: Annotated[str, text(CONTENT_MAX, min_length=1)] = Field(
        description=f"The style to expand, e.g. 'Pop, Mysterious': at most {CONTENT_MAX} characters once trimmed "
                    "(over: 413).")


def check_style_body(body: StyleBody) -> str:
    """The trimmed content: required (400), at most ``CONTENT_MAX`` characters (413)."""
    content = body.content.strip()
    if not content:
        raise BadRequest("content is required")
    if len(content) > CONTENT_MAX:
        raise TooLong(f"content is too long: {len(content)} characters, the limit is {CONTENT_MAX}")
    return content


def style_result(*, task_id: str, param: str, result: str, consumed: int, remaining: int,
                 created: datetime) -> dict[str, Any]:
    """``data`` of a successful boost."""
    return {
        "taskId": task_id, "param": param, "result": result,
        "creditsConsumed": consumed, "creditsRemaining": remaining, "successFlag": "1",
        "errorCode": None, "errorMessage": "", "createTime": created.strftime("%Y-%m-%d %H:%M:%S"),
    }
