"""Wire request of ``POST /api/v1/generate/extend`` (``suno-api.md`` §3.3) and its engine request.

``defaultParamFlag: true`` sends the continuation's own ``continueAt``, ``prompt`` (its lyrics),
``style`` and ``title`` (all required, limits as generate for the model). ``false`` reuses the source's
parameters: its title, style and tuning, with fresh lyrics written in the source's idea, continuing
after the end of the song (``continueAt`` defaults to the source's duration; one that is sent is
honoured and checked like the custom one). An instrumental source continues instrumentally.
Codes: 400 invalid parameters, 413 a field over the model's limit, 404 unknown source.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import Field

from tunesmith.api.schemas.declared import PERSONA_MODELS
from tunesmith.api.schemas.generate import WEIGHTS, MusicFields, _check_len, check_lyric_lines
from tunesmith.engines.base import SongRequest
from tunesmith.errors import BadRequest
from tunesmith.tasks.catalog import MODELS, ModelSpec


class ExtendBody(MusicFields):
    """The request as sent (``seed`` reproduces the same continuation)."""

    defaultParamFlag: bool
    audioId: str
    continueAt: float | None = Field(
        None, description="Seconds into the source (> 0 and < its duration); required when defaultParamFlag is "
                          "true, else the source's end.")


@dataclass(frozen=True)
class SourceInfo:
    """What the extension needs to know about its source track (read by the route from storage)."""

    model: str
    duration_s: float
    title: str
    tags: str
    lyrics: str
    request: SongRequest  # the engine request that made the source
    words_json: str
    files: dict[str, str]  # engines.base.source_roles of the track's blobs


def tuning_checks(
    vocal_gender: str | None, weights: dict[str, float | None], persona_model: str | None, error: type[BadRequest]
) -> None:  # fmt: skip
    """The shared tuning fields: ``vocalGender`` m/f, weights 0–1 in 0.01 steps, ``personaModel``."""
    if vocal_gender is not None and vocal_gender not in ("m", "f"):
        raise error("vocalGender must be 'm' or 'f'")
    for name, value in weights.items():
        if value is not None and not (0.0 <= value <= 1.0 and abs(round(value * 100) - value * 100) < 1e-6):
            raise error(f"{name} must be a number from 0 to 1 in steps of 0.01")
    if persona_model is not None and persona_model not in PERSONA_MODELS:
        raise error("personaModel must be 'style_persona' or 'voice_persona'")


def check_extend(body: ExtendBody) -> ModelSpec:
    """Checks that need no source: the model, the tuning fields, required custom fields and lengths."""
    spec = MODELS.get(body.model)
    if spec is None:
        raise BadRequest(f"model must be one of {', '.join(MODELS)}; got {body.model!r}")
    tuning_checks(body.vocalGender, {n: getattr(body, n) for n in WEIGHTS}, body.personaModel, BadRequest)
    if body.defaultParamFlag:
        if body.continueAt is None:
            raise BadRequest("continueAt is required when defaultParamFlag is true")
        for name in ("prompt", "style", "title"):
            if not (getattr(body, name) or "").strip():
                raise BadRequest(f"{name} is required when defaultParamFlag is true")
    _check_len("prompt", body.prompt, spec.lyrics_max, spec.name)
    _check_len("style", body.style, spec.style_max, spec.name)
    _check_len("title", body.title, spec.title_max, spec.name)
    _check_len("negativeTags", body.negativeTags, 1000, spec.name)
    if body.defaultParamFlag:
        check_lyric_lines("prompt", body.prompt)
    return spec


def check_against_source(body: ExtendBody, source: SourceInfo) -> float:
    """The model must be the source's; ``continueAt`` must lie inside it. Returns ``continueAt`` (s)."""
    if body.model != source.model:
        raise BadRequest(f"model must match the source track's model {source.model}, got {body.model}")
    at = body.continueAt if body.continueAt is not None else source.duration_s
    if body.continueAt is not None and not 0 < at < source.duration_s:
        raise BadRequest(f"continueAt must be > 0 and < the source's duration ({source.duration_s:g} s), got {at:g}")
    return at


def _first_line(lyrics: str) -> str:
    return next((ln.strip() for ln in lyrics.splitlines() if ln.strip() and not ln.strip().startswith("[")), "")


def to_extend_request(body: ExtendBody, spec: ModelSpec, source: SourceInfo, continue_at: float) -> SongRequest:
    """The engine request of an extension (see the module doc for what ``defaultParamFlag`` keeps)."""
    old = source.request
    instrumental = old.instrumental or not source.lyrics.strip()
    if body.defaultParamFlag:
        request = SongRequest(
            custom=True, instrumental=instrumental, model=body.model, lyrics="" if instrumental else body.prompt or "",
            style=body.style or "", title=body.title or "", negative_tags=body.negativeTags or "",
            vocal_gender=body.vocalGender, style_weight=body.styleWeight, weirdness=body.weirdnessConstraint,
            audio_weight=body.audioWeight,
        )  # fmt: skip
    else:
        request = SongRequest(
            custom=False, instrumental=instrumental, model=body.model,
            idea=old.idea or " ".join(filter(None, (source.title, _first_line(source.lyrics)))),
            style=source.tags, title=source.title, negative_tags=old.negative_tags, vocal_gender=old.vocal_gender,
            style_weight=old.style_weight, weirdness=old.weirdness, audio_weight=old.audio_weight, voice=old.voice,
            persona_style=old.persona_style,
        )  # fmt: skip
    return replace(
        request, max_duration_s=spec.max_duration_s, seed=body.seed, operation="extend", source=dict(source.files),
        source_words=source.words_json, continue_at=continue_at,
    )  # fmt: skip
