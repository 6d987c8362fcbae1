"""Music video (hosted API §3.20): ``POST /api/v1/mp4/generate``, ``GET /api/v1/mp4/record-info``.

Every request renders a new video (the hosted service does not refuse repeats for MP4, unlike WAV).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.mp4 import Mp4Body, mp4_details
from tunesmith.api.submit import callback_url, parse, submit_job, task_of
from tunesmith.errors import NotFound
from tunesmith.tasks import service

router = APIRouter(prefix="/api/v1/mp4", tags=["mp4"])


@router.post("/generate", summary="Render a music video (cover art, waveform, titles) of a track")
def generate_mp4(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(Mp4Body, body)
    cb = callback_url(c, req.callBackUrl)
    _, track = service.owned_track(c.db, key.id, req.taskId, req.audioId)
    if not track.image_key:
        raise NotFound(f"Track {track.id} has no cover image to show")
    payload = {"input_keys": {"audio": f"tracks/{track.id}/master.flac", "cover": track.image_key},
               "title": track.title, "author": req.author or "", "domain_name": req.domainName or "",
               "music_index": track.idx, "file_name": f"{track.id}.mp4"}
    task_id = submit_job(c, key, "mp4", param=body, payload=payload, source_id=track.id, callback=cb)
    return ok({"taskId": task_id})


@router.get("/record-info", summary="Get music video details")
def mp4_record_info(key: KeyDep, c: ContainerDep, taskId: str = "") -> dict[str, Any]:  # noqa: N803
    view = task_of(c, key, taskId, "mp4")
    return ok(mp4_details(view, c.signer))
