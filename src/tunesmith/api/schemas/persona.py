"""Persona shapes (``suno-api.md`` §3.11, synchronous) and the persona's effect on a song request.

Validation failures answer 422 (the persona page documents 200, 401, 402, 404, 409, 422, 429, 451,
455, 500 and no 400). ``vocalStart``/``vocalEnd`` (seconds, ≥ 0) mark a 10–30 s segment inside the
track; defaults 0 and 30.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tunesmith.api.errors import validation_message
from tunesmith.api.schemas.declared import numeric, text
from tunesmith.db.models import Persona
from tunesmith.engines.base import SongRequest
from tunesmith.errors import Unprocessable

SEGMENT_S = (10.0, 30.0)  # shortest and longest vocalEnd - vocalStart
NAME_MAX, DESCRIPTION_MAX, STYLE_MAX = 200, 2000, 1000
SEGMENT_NOTE = (f"Seconds into the track; vocalEnd - vocalStart must be {SEGMENT_S[0]:g}-{SEGMENT_S[1]:g} s "
                "and the segment must lie inside the track.")
UNSUPPORTED_MODELS = frozenset({"V3_5"})  # "source model must be above V3_5"


class PersonaBody(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    taskId: str
    audioId: str
    name: Annotated[str, text(NAME_MAX, min_length=1)]
    description: Annotated[str, text(DESCRIPTION_MAX)]
    vocalStart: Annotated[float, numeric(0)] = Field(0.0, description=SEGMENT_NOTE)
    vocalEnd: Annotated[float, numeric(0)] = Field(30.0, description=SEGMENT_NOTE)
    style: Annotated[str, text(STYLE_MAX)] | None = None


def parse_persona(body: dict[str, Any]) -> PersonaBody:
    """Validate the request body; every problem is a 422 naming the field."""
    try:
        req = PersonaBody.model_validate(body)
    except ValidationError as exc:
        raise Unprocessable(validation_message(exc.errors())) from exc
    for field, value, limit in (("name", req.name, NAME_MAX), ("description", req.description, DESCRIPTION_MAX),
                                ("style", req.style or "", STYLE_MAX)):
        if len(value) > limit:
            raise Unprocessable(f"{field} is too long: {len(value)} characters, the limit is {limit}")
    if not req.name.strip():
        raise Unprocessable("name must not be empty")
    if req.vocalStart < 0 or req.vocalEnd < 0:
        raise Unprocessable("vocalStart and vocalEnd must be at least 0")
    length = req.vocalEnd - req.vocalStart
    if not SEGMENT_S[0] <= length <= SEGMENT_S[1]:
        raise Unprocessable(f"vocalEnd - vocalStart must be {SEGMENT_S[0]:g}-{SEGMENT_S[1]:g} seconds, got {length:g}")
    return req


def check_source(req: PersonaBody, model: str, duration_s: float | None) -> None:
    """The source track's model must be above V3_5 and the segment must lie inside the track."""
    if model in UNSUPPORTED_MODELS:
        raise Unprocessable(f"personas need a source made with a model above V3_5, not {model}")
    if duration_s is not None and req.vocalEnd > duration_s + 0.01:
        raise Unprocessable(f"vocalEnd {req.vocalEnd:g} s is past the end of the track ({duration_s:g} s)")


def persona_response(persona: Persona) -> dict[str, Any]:
    return {"personaId": persona.id, "name": persona.name, "description": persona.description}


def with_persona(request: SongRequest, persona: Persona) -> SongRequest:
    """The song request sung by the persona's voice, in its style fingerprint (the request's own style
    text still decides first: the composer reads it before the fingerprint)."""
    return replace(request, voice=persona.voice, persona_style=persona.fingerprint)
