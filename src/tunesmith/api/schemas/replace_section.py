"""Wire request of ``POST /api/v1/generate/replace-section`` (``suno-api.md`` §3.9) and its engine request.

Eras: a request with any Era C field (``fullLyrics``, ``lyrics``, ``uploadUrl``, ``model``, ``variety``,
``vocalGender``, the weights, ``personaId``/``personaModel``) follows Era C — ``fullLyrics`` required, a
window of at least 10 s; any other follows Era B — a window of 6–60 s. Both: times ≥ 0 with at most two
decimals, start < end ≤ the song's duration, the window at most half the song.

Codes: the page documents 200, 401, 402, 404, 409, 422, 429, 451, 455, 500 and no 400 or 413, so every
validation failure (missing or mistyped fields, limits, window rules) answers 422. The one exception is
the ``uploadUrl`` source mode, which is valid on the wire but not supported by this server: 400.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tunesmith.api.errors import validation_message
from tunesmith.api.schemas.declared import STEP, CallbackUrl, PersonaModel, Variety, VocalGender, Weight, numeric, text
from tunesmith.api.schemas.extend import SourceInfo, tuning_checks
from tunesmith.api.schemas.generate import WEIGHTS, check_lyric_lines
from tunesmith.engines.base import SongRequest
from tunesmith.errors import BadRequest, Unprocessable
from tunesmith.tasks.catalog import MODELS

ERA_C_FIELDS = ("fullLyrics", "lyrics", "uploadUrl", "model", "variety", "vocalGender", "styleWeight",
                "weirdnessConstraint", "audioWeight", "personaId", "personaModel")  # fmt: skip
WINDOW_B_S = (6.0, 60.0)
WINDOW_C_MIN_S = 10.0
MAX_SHARE = 0.5
"""The window is at most this share of the song."""
WINDOW_NOTE = (f"Seconds, at most two decimals; the window infillEndS - infillStartS is {WINDOW_B_S[0]:g}-"
               f"{WINDOW_B_S[1]:g} s (Era B) or at least {WINDOW_C_MIN_S:g} s (Era C), at most half the song.")
SECONDS = numeric(0, multiple_of=STEP)
"""Schema of the window's times: seconds ≥ 0 with at most two decimals."""
LYRICS_MAX = 5000
NEGATIVE_MAX = 1000


class ReplaceSectionBody(BaseModel):
    """The request as sent; unknown fields are ignored, types are strict."""

    model_config = ConfigDict(extra="ignore", strict=True)

    prompt: str = Field(description="The section's lyrics (lyrics wins when sent); not blank.")
    tags: Annotated[str, text(min_length=1)]
    title: Annotated[str, text(min_length=1)]
    infillStartS: Annotated[float, SECONDS] = Field(description=WINDOW_NOTE)
    infillEndS: Annotated[float, SECONDS] = Field(description=WINDOW_NOTE)
    taskId: str | None = Field(None, description="The source task; required (with audioId).")
    audioId: str | None = Field(None, description="The source track; required (with taskId).")
    uploadUrl: str | None = Field(None, description="Era C upload source mode: not supported here (400).")
    model: str | None = Field(None, description="Era C upload source mode only: with taskId + audioId, 422.")
    fullLyrics: Annotated[str, text(LYRICS_MAX)] | None = Field(
        None, description="Era C (required there): the whole song's lyrics after the edit.")
    lyrics: Annotated[str, text(LYRICS_MAX)] | None = None
    negativeTags: Annotated[str, text(NEGATIVE_MAX)] | None = None
    vocalGender: VocalGender | None = None
    styleWeight: Weight | None = None
    weirdnessConstraint: Weight | None = None
    audioWeight: Weight | None = None
    variety: Variety | None = None
    personaId: str | None = None
    personaModel: PersonaModel | None = None
    callBackUrl: CallbackUrl | None = None
    seed: int | None = None
    """Extension: the same request with the same seed reproduces the same section."""

    @property
    def era_c(self) -> bool:
        return any(getattr(self, name) is not None for name in ERA_C_FIELDS)


def parse_replace_section(body: dict[str, object]) -> ReplaceSectionBody:
    """Validate everything that needs no source track; the source mode must be ``taskId`` + ``audioId``."""
    try:
        req = ReplaceSectionBody.model_validate(body)
    except ValidationError as exc:
        raise Unprocessable(validation_message(exc.errors())) from exc
    if req.uploadUrl is not None and (req.taskId is not None or req.audioId is not None):
        raise Unprocessable("send either taskId + audioId or uploadUrl + model, not both")
    if req.uploadUrl is not None:
        raise BadRequest("the uploadUrl source mode is not supported by this server; send taskId + audioId")
    if not (req.taskId or "").strip() or not (req.audioId or "").strip():
        raise Unprocessable("taskId and audioId are required")
    if req.model is not None:
        raise Unprocessable("model must not be sent with taskId + audioId (the source's model is used)")
    if req.era_c and req.fullLyrics is None:
        raise Unprocessable("fullLyrics is required")
    _check_fields(req)
    return req


def _check_fields(req: ReplaceSectionBody) -> None:
    for name in ("tags", "title"):
        if not getattr(req, name).strip():
            raise Unprocessable(f"{name} must not be empty")
    if not (req.lyrics if req.lyrics is not None else req.prompt).strip():
        raise Unprocessable("prompt (the section's lyrics) must not be empty")
    sung = "lyrics" if req.lyrics is not None else "prompt"
    check_lyric_lines(sung, getattr(req, sung), Unprocessable)
    if req.variety is not None and not 0 <= req.variety <= 4:
        raise Unprocessable("variety must be an integer from 0 to 4")
    tuning_checks(req.vocalGender, {n: getattr(req, n) for n in WEIGHTS}, req.personaModel, Unprocessable)
    for name, limit in (("fullLyrics", LYRICS_MAX), ("lyrics", LYRICS_MAX), ("negativeTags", NEGATIVE_MAX)):
        _check_len(name, getattr(req, name), limit)
    for name in ("infillStartS", "infillEndS"):
        value = getattr(req, name)
        if value < 0 or abs(round(value * 100) - value * 100) > 1e-6:
            raise Unprocessable(f"{name} must be a number of seconds ≥ 0 with at most two decimals")
    length = req.infillEndS - req.infillStartS
    if length <= 0:
        raise Unprocessable("infillEndS must be greater than infillStartS")
    if req.era_c and length < WINDOW_C_MIN_S - 1e-9:
        raise Unprocessable(f"the section must be at least {WINDOW_C_MIN_S:g} seconds long, got {length:.2f}")
    if not req.era_c and not WINDOW_B_S[0] - 1e-9 <= length <= WINDOW_B_S[1] + 1e-9:
        raise Unprocessable(f"the section must be {WINDOW_B_S[0]:g}-{WINDOW_B_S[1]:g} seconds long, got {length:.2f}")


def _check_len(name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise Unprocessable(f"{name} is too long: {len(value)} characters, the limit is {limit}")


def check_against_source(req: ReplaceSectionBody, source: SourceInfo) -> None:
    """The window lies inside the song and covers at most half of it; lengths follow the source's model."""
    spec = MODELS.get(source.model)
    if spec is not None:
        _check_len("prompt", req.prompt, spec.lyrics_max)
        _check_len("tags", req.tags, spec.style_max)
        _check_len("title", req.title, 80 if req.era_c else spec.title_max)
    duration = source.duration_s
    if req.infillEndS > duration + 1e-9:
        raise Unprocessable(f"infillEndS {req.infillEndS:g} s is past the end of the song ({duration:g} s)")
    if req.infillEndS - req.infillStartS > MAX_SHARE * duration + 1e-9:
        raise Unprocessable(f"the section may cover at most half of the song ({MAX_SHARE * duration:.2f} s)")


def to_replace_request(req: ReplaceSectionBody, source: SourceInfo) -> SongRequest:
    """The engine request: the section's lyrics and tags over the source's files and setting."""
    spec = MODELS.get(source.model)
    return SongRequest(
        custom=True, instrumental=False, model=source.model,
        lyrics=req.lyrics if req.lyrics is not None else req.prompt,
        style=req.tags, title=req.title, negative_tags=req.negativeTags or "", vocal_gender=req.vocalGender,
        style_weight=req.styleWeight, weirdness=req.weirdnessConstraint, audio_weight=req.audioWeight,
        max_duration_s=spec.max_duration_s if spec else 240.0, seed=req.seed, operation="replace_section",
        source=dict(source.files), source_words=source.words_json, infill_start_s=req.infillStartS,
        infill_end_s=req.infillEndS, full_lyrics=req.fullLyrics or "",
    )  # fmt: skip
