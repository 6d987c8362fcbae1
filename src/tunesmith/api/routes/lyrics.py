"""Lyrics (hosted API §3.15): ``POST /api/v1/lyrics`` writes two alternative songs for a theme, delivered
by a single ``complete`` callback; ``GET /api/v1/lyrics/record-info`` reports them."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.lyrics import LyricsBody, check_lyrics_body, lyrics_details
from tunesmith.api.submit import callback_url, parse, submit_job, task_of

router = APIRouter(prefix="/api/v1/lyrics", tags=["lyrics"])


@router.post("", summary="Write two alternative lyrics for a theme")
def generate_lyrics(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(LyricsBody, body)
    prompt = check_lyrics_body(req)
    cb = callback_url(c, req.callBackUrl)
    payload = {"prompt": prompt, "seed": req.seed if req.seed is not None else secrets.randbits(31)}
    task_id = submit_job(c, key, "lyrics", param=body, payload=payload, source_id="", callback=cb)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get lyrics generation details")
def lyrics_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "lyrics")
    return ok(lyrics_details(view))
