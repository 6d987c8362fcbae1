"""``POST /api/v1/generate/add-instrumental`` (hosted API §3.7) and ``POST /api/v1/generate/add-vocals`` (§3.6):
a band for the user's vocal, a voice for the user's instrumental.

Both make music tasks: two tracks, staged callbacks ``text`` → ``first`` → ``complete`` whose tracks carry the
keys of the hosted add-instrumental callback document (seed 000: no ``source_*`` copies), details at
``/api/v1/generate/record-info`` with ``operationType`` ``add_instrumental`` / ``add_vocals``.

The steps are ordered so that a refusal costs nothing: the body's own checks, the callback URL, then the
upload (:func:`~tunesmith.tasks.sources.resolve_upload_url`: read or fetched, probed and decoded once — the
slow step), and only then the debit and the task. An upload of the wrong kind (a vocal that is a whole
song with no voice, an instrumental that already has a lead vocal) is heard only by the engine: the task
then fails with ``errorCode`` 400 and its credits are refunded. The routes are plain ``def`` because
resolving blocks on ffmpeg and HTTP; FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, Container, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.audio_in import (
    AddInstrumentalBody,
    AddVocalsBody,
    add_instrumental_request,
    add_vocals_request,
    check_add_instrumental,
    check_add_vocals,
)
from tunesmith.api.submit import callback_url, parse, submit_music
from tunesmith.tasks.accounts import KeyInfo
from tunesmith.tasks.catalog import ModelSpec
from tunesmith.tasks.sources import SourceContext, resolve_upload_url

router = APIRouter(prefix="/api/v1/generate", tags=["music"])


def _upload_key(c: Container, key: KeyInfo, url: str, spec: ModelSpec) -> str:
    """The blob key of the validated upload, at most the model's upload length long."""
    ctx = SourceContext(c.db, c.store, c.signer, c.egress, c.settings.uploads)
    return resolve_upload_url(url, key_id=key.id, ctx=ctx, max_seconds=spec.upload_max_s).key


@router.post("/add-instrumental", summary="Add a band to an uploaded vocal (two tracks)")
def add_instrumental(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    parsed = parse(AddInstrumentalBody, body)
    spec = check_add_instrumental(parsed)
    callback = callback_url(c, parsed.callBackUrl)
    request = add_instrumental_request(parsed, spec, _upload_key(c, key, parsed.uploadUrl, spec))
    task_id = submit_music(c, key, "add_instrumental", model=parsed.model, param=body, request=request,
                           callback=callback)
    return ok({"taskId": task_id})


@router.post("/add-vocals", summary="Sing over an uploaded instrumental (two tracks)")
def add_vocals(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    parsed = parse(AddVocalsBody, body)
    spec = check_add_vocals(parsed)
    callback = callback_url(c, parsed.callBackUrl)
    request = add_vocals_request(parsed, spec, _upload_key(c, key, parsed.uploadUrl, spec))
    task_id = submit_music(c, key, "add_vocals", model=parsed.model, param=body, request=request, callback=callback)
    return ok({"taskId": task_id})
