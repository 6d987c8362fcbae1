"""Sounds (hosted API §3.10): ``POST /api/v1/generate/sounds``. Results are read through
``GET /api/v1/generate/record-info`` (``operationType: "sounds"``) and sent as music-style callbacks."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.sounds import SoundsBody, check, title_for
from tunesmith.api.submit import callback_url, parse, submit_job

router = APIRouter(prefix="/api/v1/generate", tags=["sounds"])

SOUNDS_PER_TASK = 2


@router.post("/sounds", summary="Generate sound effects or loops from a prompt")
def generate_sounds(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(SoundsBody, body)
    check(req)
    cb = callback_url(c, req.callBackUrl)
    base = req.seed if req.seed is not None else secrets.randbelow(2**31)
    soundfont = c.settings.engine.soundfont
    payload = {"prompt": req.prompt, "loop": req.soundLoop, "tempo": req.soundTempo, "key": req.soundKey,
               "title": title_for(req.prompt), "soundfont": str(soundfont) if soundfont else None,
               "tracks": [{"id": str(uuid.uuid4()), "seed": base + i} for i in range(SOUNDS_PER_TASK)]}
    task_id = submit_job(c, key, "sounds", param=body, payload=payload, source_id="", callback=cb, model=req.model)
    return ok({"taskId": task_id})
