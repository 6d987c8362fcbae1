"""Wire requests of ``POST /api/v1/generate/add-instrumental`` (``suno-api.md`` §3.7) and
``POST /api/v1/generate/add-vocals`` (§3.6), their checks and their engine requests.

The eras are accepted as their union (no era detection is needed: no rule of one era contradicts another):

* both: ``uploadUrl``, ``title``, ``negativeTags`` (may be ``""``) and ``callBackUrl`` are required (a blank
  ``callBackUrl`` means no callback, as on every music route); ``vocalGender`` (m|f), ``styleWeight``,
  ``weirdnessConstraint``, ``audioWeight`` (0–1 in 0.01 steps), ``variety`` (integer 0–4, Era C) and the
  extension field ``seed`` are optional. ``model`` is one of :data:`AUDIO_IN_MODELS` (Era A/B ``V4_5PLUS`` |
  ``V5``, Era C ``V6`` … ``V4``).
* add-instrumental: the backing's style is **``tags``** (required); ``model`` defaults to ``V4_5PLUS``, the one
  documented default.
* add-vocals: ``style`` is required; the words are Era C ``lyrics`` when non-blank, else ``prompt`` (required by
  Era A/B, optional in Era C, so optional here). With neither, the engine's lyricist writes lyrics about the
  ``title`` in the ``style`` (a non-custom request whose idea is the title). ``model`` defaults to ``V6``.

Limits per model (:data:`tunesmith.tasks.catalog.MODELS`): ``title``, ``style``/``tags`` and the words as
generate has them, ``negativeTags`` 1000 characters; over a limit answers 413, any other bad field 400 naming
it. The upload's length limit is :attr:`ModelSpec.upload_max_s`, checked by the route when it resolves
``uploadUrl``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from tunesmith.api.schemas.declared import (
    CallbackUrl,
    Variety,
    VocalGender,
    Weight,
    one_of,
    per_model,
    per_model_note,
    text,
)
from tunesmith.api.schemas.extend import tuning_checks
from tunesmith.api.schemas.generate import WEIGHTS, _check_len, check_lyric_lines
from tunesmith.engines.base import SOURCE_UPLOAD, SongRequest
from tunesmith.errors import BadRequest
from tunesmith.tasks.catalog import MODELS, ModelSpec

AUDIO_IN_MODELS = ("V6", "V6_WILD", "V6_MINI", "V5_5", "V5", "V4_5PLUS", "V4_5ALL", "V4_5", "V4")
"""The Era C enum of both endpoints, which holds Era A/B's ``V4_5PLUS`` and ``V5``."""
NEGATIVE_TAGS_MAX = 1000


AudioInModel = Annotated[str, one_of(AUDIO_IN_MODELS)]
Required = Annotated[str, text(min_length=1)]
"""A required text: blank answers 400 naming the field."""


def _limit(attribute: str, *, min_length: int = 0) -> WithJsonSchema:
    return per_model(attribute, AUDIO_IN_MODELS, min_length=min_length)


def _note(attribute: str) -> str:
    return per_model_note(attribute, AUDIO_IN_MODELS)


class AudioInFields(BaseModel):
    """The fields both audio-in requests share; unknown fields are ignored, types are strict. The ``Field``
    metadata only documents the checks below (see ``declared``)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    uploadUrl: Required = Field(description="The uploaded audio: a File Upload API link (§3.23).")
    title: Annotated[str, _limit("title_max", min_length=1)] = Field(description=_note("title_max"))
    negativeTags: Annotated[str, text(NEGATIVE_TAGS_MAX)] = Field(description="Styles to avoid; may be empty.")
    callBackUrl: CallbackUrl
    model: AudioInModel
    vocalGender: VocalGender | None = None
    styleWeight: Weight | None = None
    weirdnessConstraint: Weight | None = None
    audioWeight: Weight | None = None
    variety: Variety | None = None
    seed: int | None = None
    """Extension: the same request with the same seed and upload reproduces the same audio."""


class AddInstrumentalBody(AudioInFields):
    """``POST /api/v1/generate/add-instrumental`` as sent: ``tags`` is the style of the new backing."""

    tags: Annotated[str, _limit("style_max", min_length=1)] = Field(
        description=f"The style of the new backing (required). {_note('style_max')}")
    model: AudioInModel = "V4_5PLUS"


class AddVocalsBody(AudioInFields):
    """``POST /api/v1/generate/add-vocals`` as sent: ``lyrics`` (Era C) wins over ``prompt``."""

    style: Annotated[str, _limit("style_max", min_length=1)] = Field(description=f"Required. {_note('style_max')}")
    prompt: Annotated[str, _limit("lyrics_max")] | None = Field(
        None, description=f"The words (Era A/B). {_note('lyrics_max')}")
    lyrics: Annotated[str, _limit("lyrics_max")] | None = Field(
        None, description=f"The words (Era C; wins over prompt when not blank). {_note('lyrics_max')}")
    model: AudioInModel = "V6"


def _check_common(body: AudioInFields, style_field: str, style: str) -> ModelSpec:
    """The model, the tuning fields, the required texts and their lengths; returns the model's limits."""
    if body.model not in AUDIO_IN_MODELS:
        raise BadRequest(f"model must be one of {', '.join(AUDIO_IN_MODELS)}; got {body.model!r}")
    spec = MODELS[body.model]
    tuning_checks(body.vocalGender, {n: getattr(body, n) for n in WEIGHTS}, None, BadRequest)
    if body.variety is not None and not 0 <= body.variety <= 4:
        raise BadRequest("variety must be an integer from 0 to 4")
    for name, value in (("uploadUrl", body.uploadUrl), ("title", body.title), (style_field, style)):
        if not value.strip():
            raise BadRequest(f"{name} is required")
    _check_len("title", body.title, spec.title_max, spec.name)
    _check_len(style_field, style, spec.style_max, spec.name)
    _check_len("negativeTags", body.negativeTags, NEGATIVE_TAGS_MAX, spec.name)
    return spec


def check_add_instrumental(body: AddInstrumentalBody) -> ModelSpec:
    """Every check that needs no upload; returns the model's limits."""
    return _check_common(body, "tags", body.tags)


def check_add_vocals(body: AddVocalsBody) -> ModelSpec:
    """Every check that needs no upload, the words included; returns the model's limits."""
    spec = _check_common(body, "style", body.style)
    _check_len("lyrics", body.lyrics, spec.lyrics_max, spec.name)
    _check_len("prompt", body.prompt, spec.lyrics_max, spec.name)
    check_lyric_lines(*_words(body))
    return spec


def _words(body: AddVocalsBody) -> tuple[str, str]:
    """``(field, text)`` of the words to sing: ``lyrics`` when non-blank, else ``prompt`` (may be blank)."""
    if (body.lyrics or "").strip():
        return "lyrics", body.lyrics or ""
    return "prompt", body.prompt or ""


def _request(body: AudioInFields, spec: ModelSpec, operation: str, upload_key: str, *, custom: bool, lyrics: str,
             idea: str, style: str) -> SongRequest:
    """The engine request of an audio-in ``operation`` on the upload's blob key ``upload_key``."""
    return SongRequest(
        custom=custom, instrumental=False, model=body.model, lyrics=lyrics, idea=idea, style=style, title=body.title,
        negative_tags=body.negativeTags, vocal_gender=body.vocalGender, style_weight=body.styleWeight,
        weirdness=body.weirdnessConstraint, audio_weight=body.audioWeight, max_duration_s=spec.max_duration_s,
        seed=body.seed, operation=operation, source={SOURCE_UPLOAD: upload_key},
    )  # fmt: skip


def add_instrumental_request(body: AddInstrumentalBody, spec: ModelSpec, upload_key: str) -> SongRequest:
    """The vocal at ``upload_key`` (a resolved upload's blob key) with a new band in the style ``tags``."""
    return _request(body, spec, "add_instrumental", upload_key, custom=True, lyrics="", idea="", style=body.tags)


def add_vocals_request(body: AddVocalsBody, spec: ModelSpec, upload_key: str) -> SongRequest:
    """The instrumental at ``upload_key`` with the words sung in ``style``; without words, a non-custom request
    whose idea is the title (the engine's lyricist writes the lyrics)."""
    words = _words(body)[1]
    if words.strip():
        return _request(body, spec, "add_vocals", upload_key, custom=True, lyrics=words, idea="", style=body.style)
    return _request(body, spec, "add_vocals", upload_key, custom=False, lyrics="", idea=body.title, style=body.style)
