"""Wire request of ``POST /api/v1/generate`` (``suno-api.md`` §3.1) and its validation for all eras.

Era selection: a request that names a V6 model or uses a field that only Era C documents (``lyrics``,
``variety``, ``duration``, ``imageUrls``/``videoUrls``/``audioUrls``) is validated by the Era C rules;
any other request by the Era A/B rules, which are what older clients were written against.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.api.schemas.declared import (
    CallbackUrl,
    ModelName,
    PersonaModel,
    Variety,
    VocalGender,
    Weight,
    numeric,
    per_model,
    per_model_note,
    text,
)
from tunesmith.engines.base import SongRequest
from tunesmith.errors import BadRequest, TooLong
from tunesmith.music.lyrics import split_backing
from tunesmith.tasks.catalog import DURATION_MODELS, ERA_C_ONLY, MODELS, ModelSpec

ERA_C_FIELDS = ("lyrics", "variety", "duration", "imageUrls", "videoUrls", "audioUrls")
CUSTOM_ONLY_C = ("negativeTags", "vocalGender", "styleWeight", "weirdnessConstraint", "audioWeight",
                 "variety", "duration", "title", "personaId", "personaModel")
WEIGHTS = ("styleWeight", "weirdnessConstraint", "audioWeight")
NEGATIVE_TAGS_MAX = 1000
DURATION_S = (10, 360)
UNSUPPORTED_MEDIA = "Era C media attachments: a non-empty list is refused (400), this server does not read them."
"""Era C ``duration``: shortest and longest song, in seconds."""
MAX_HAN_PER_LINE = 60
"""Most Chinese characters one sung lyric line may hold (a parenthesised backing part counts on its own).
The singer speaks an all-Chinese line in one pass of its neural Mandarin voice (FastSpeech2,
``engines/builtin/singer/mandarin.py``), whose decoder reads at most 2048 mel frames (25.6 s): at the
singer's speaking speed the slowest syllable measured (哦) takes 28.6 frames, so a line of 70 of them fails
("gather index out of bounds") and 68 pass; 60 keeps a margin. Lines without Chinese have no such limit."""
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TAGS = re.compile(r"\[[^\[\]]*\]|【[^【】]*】")


class MusicFields(BaseModel):
    """The fields every music-making request shares (generate, extend); unknown fields are ignored,
    types are strict. The ``Field`` metadata only documents the checks below (see ``declared``)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    model: ModelName = Field(description="The model; it sets the length limits of the texts.")
    callBackUrl: CallbackUrl
    prompt: Annotated[str, per_model("lyrics_max")] | None = Field(
        None, description=f"The lyrics (custom mode). {per_model_note('lyrics_max')}")
    style: Annotated[str, per_model("style_max")] | None = Field(None, description=per_model_note("style_max"))
    title: Annotated[str, per_model("title_max")] | None = Field(None, description=per_model_note("title_max"))
    negativeTags: Annotated[str, text(NEGATIVE_TAGS_MAX)] | None = Field(None, description="Styles to avoid.")
    vocalGender: VocalGender | None = None
    styleWeight: Weight | None = None
    weirdnessConstraint: Weight | None = None
    audioWeight: Weight | None = None
    personaId: str | None = None
    personaModel: PersonaModel | None = None
    seed: int | None = None
    """Extension: the same request with the same seed reproduces the same audio."""


class GenerateBody(MusicFields):
    """The request as sent."""

    customMode: bool
    instrumental: bool
    prompt: Annotated[str, per_model("lyrics_max")] | None = Field(
        None, description=f"Custom mode: the lyrics. {per_model_note('lyrics_max')} Non-custom mode: the song's "
                          f"idea. {per_model_note('idea_max')}")
    lyrics: Annotated[str, per_model("lyrics_max")] | None = Field(
        None, description=f"Era C: the lyrics (wins over prompt). {per_model_note('lyrics_max')}")
    imageUrls: list[str] | None = Field(None, description=UNSUPPORTED_MEDIA)
    videoUrls: list[str] | None = Field(None, description=UNSUPPORTED_MEDIA)
    audioUrls: list[str] | None = Field(None, description=UNSUPPORTED_MEDIA)
    variety: Variety | None = None
    duration: Annotated[float, numeric(*DURATION_S)] | None = Field(
        None, description=f"Era C: seconds; only {', '.join(sorted(DURATION_MODELS))}.")


def _check_len(field: str, value: str | None, limit: int, model: str) -> None:
    if value is not None and len(value) > limit:
        raise TooLong(f"{field} is too long: {len(value)} characters, the limit for model {model} is {limit}")


def check_lyric_lines(field: str, lyrics: str | None, error: type[BadRequest] = BadRequest) -> None:
    """Refuse lyrics with a line of more than :data:`MAX_HAN_PER_LINE` Chinese characters (section tags
    such as ``【副歌】`` are not sung and do not count), naming the field and the line (1-based)."""
    lines = (lyrics or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        parts = split_backing(_TAGS.sub(" ", raw)) if _HAN.search(raw) else []
        longest = max((len(_HAN.findall(part.text)) for part in parts), default=0)
        if longest > MAX_HAN_PER_LINE:
            raise error(f"{field}: line {number} has {longest} Chinese characters; a lyric line may hold at most "
                        f"{MAX_HAN_PER_LINE} Chinese characters (split it into shorter lines)")


def _check_common(body: GenerateBody, spec: ModelSpec) -> None:
    if body.vocalGender is not None and body.vocalGender not in ("m", "f"):
        raise BadRequest("vocalGender must be 'm' or 'f'")
    for name in WEIGHTS:
        value = getattr(body, name)
        if value is not None and not (0.0 <= value <= 1.0 and abs(round(value * 100) - value * 100) < 1e-6):
            raise BadRequest(f"{name} must be a number from 0 to 1 in steps of 0.01")
    if body.personaModel is not None and body.personaModel not in ("style_persona", "voice_persona"):
        raise BadRequest("personaModel must be 'style_persona' or 'voice_persona'")
    if body.personaId is not None and not body.customMode:
        raise BadRequest("personaId is only allowed in custom mode")
    _check_len("style", body.style, spec.style_max, spec.name)
    _check_len("title", body.title, spec.title_max, spec.name)
    _check_len("negativeTags", body.negativeTags, NEGATIVE_TAGS_MAX, spec.name)


def _rules_ab(body: GenerateBody, spec: ModelSpec) -> str:
    """Era A/B: custom needs style and title (and prompt as lyrics unless instrumental)."""
    if body.customMode:
        if not (body.style or "").strip():
            raise BadRequest("style is required in custom mode")
        if not (body.title or "").strip():
            raise BadRequest("title is required in custom mode")
        if not body.instrumental and not (body.prompt or "").strip():
            raise BadRequest("prompt (the lyrics) is required in custom mode unless instrumental is true")
        _check_len("prompt", body.prompt, spec.lyrics_max, spec.name)
        return body.prompt or ""
    if not (body.prompt or "").strip():
        raise BadRequest("prompt is required in non-custom mode")
    _check_len("prompt", body.prompt, spec.idea_max, spec.name)
    return ""


def _rules_c(body: GenerateBody, spec: ModelSpec) -> str:
    """Era C: custom needs one of style/lyrics/negativeTags; non-custom forbids custom-only fields."""
    lyrics = body.lyrics if body.lyrics is not None else (body.prompt if body.customMode else None)
    _check_len("lyrics", body.lyrics, spec.lyrics_max, spec.name)
    if body.variety is not None and not 0 <= body.variety <= 4:
        raise BadRequest("variety must be an integer from 0 to 4")
    if body.duration is not None:
        if spec.name not in DURATION_MODELS:
            raise BadRequest(f"duration is only supported by {', '.join(sorted(DURATION_MODELS))}")
        if not DURATION_S[0] <= body.duration <= DURATION_S[1]:
            raise BadRequest(f"duration must be between {DURATION_S[0]} and {DURATION_S[1]} seconds")
    for name in ("imageUrls", "videoUrls", "audioUrls"):
        if getattr(body, name):
            raise BadRequest(f"{name}: media attachments are not supported by this server")
    if body.customMode:
        _check_len("prompt", body.prompt, spec.lyrics_max, spec.name)
        if not ((body.style or "").strip() or (lyrics or "").strip() or (body.negativeTags or "").strip()):
            raise BadRequest("custom mode needs at least one of style, lyrics or negativeTags")
        return lyrics or ""
    sent = [n for n in CUSTOM_ONLY_C if getattr(body, n) is not None]
    if sent:
        raise BadRequest(f"{sent[0]} is only allowed in custom mode")
    _check_len("prompt", body.prompt, spec.idea_max, spec.name)
    if not any((v or "").strip() for v in (body.prompt, body.style, body.lyrics)):
        raise BadRequest("non-custom mode needs a prompt (or style or lyrics)")
    return ""


def to_song_request(body: GenerateBody) -> SongRequest:
    """Validate ``body`` against its era's rules and translate it to the engine request."""
    spec = MODELS.get(body.model)
    if spec is None:
        raise BadRequest(f"model must be one of {', '.join(MODELS)}; got {body.model!r}")
    _check_common(body, spec)
    era_c = body.model in ERA_C_ONLY or any(getattr(body, f) is not None for f in ERA_C_FIELDS)
    lyrics = _rules_c(body, spec) if era_c else _rules_ab(body, spec)
    if not body.instrumental:
        check_lyric_lines("lyrics" if era_c and body.lyrics is not None else "prompt", lyrics)
    idea = "" if body.customMode else (body.prompt or body.lyrics or body.style or "")
    return SongRequest(
        custom=body.customMode, instrumental=body.instrumental, model=body.model,
        lyrics="" if body.instrumental else lyrics, idea=idea,
        style=body.style or "", title=(body.title or "") if body.customMode else "",
        negative_tags=body.negativeTags or "", vocal_gender=body.vocalGender,
        style_weight=body.styleWeight, weirdness=body.weirdnessConstraint, audio_weight=body.audioWeight,
        max_duration_s=spec.max_duration_s, target_duration_s=body.duration, seed=body.seed,
    )

