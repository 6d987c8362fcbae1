"""Schema-only declarations: the enums and limits that the wire models check in code, written into their
JSON schema (and so into ``/openapi.json``) without touching validation.

The wire models keep plain types (``model: str``, ``styleWeight: float``) and check enums and lengths in
code, because the hosted API's answer depends on which rule failed and for which model: a length over the
model's limit is 413 naming that limit, a bad enum 400 naming the field, and some pages answer 422 for
everything. Pydantic constraints would answer first with their own generic message, so they are not used;
instead each field carries a :class:`~pydantic.WithJsonSchema` that describes what the code accepts.

Where a limit depends on ``model`` the schema declares the largest one any model allows, and the field's
description gives the table (:func:`limits_by_model`), so a schema-valid value may still be too long for
the model sent.

Use the annotation on the field's own type, inside ``| None``, so that ``null`` stays allowed::

    vocalGender: Annotated[str, one_of(VOCAL_GENDERS)] | None = None
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import WithJsonSchema

from tunesmith.tasks.catalog import MODELS

VOCAL_GENDERS = ("m", "f")
PERSONA_MODELS = ("style_persona", "voice_persona")
VARIETY = (0, 4)
"""Era C ``variety``: an integer from 0 (off, exact) to 4 (max); the hosted default is 1."""
STEP = 0.01
"""The step of the 0–1 weights and of replace-section's times (two decimals)."""


def one_of(values: Iterable[str | int]) -> WithJsonSchema:
    """A string (or integer) that must be one of ``values``."""
    listed = list(values)
    kind = "integer" if all(isinstance(v, int) for v in listed) else "string"
    return WithJsonSchema({"type": kind, "enum": listed})


def text(max_length: int | None = None, *, min_length: int = 0) -> WithJsonSchema:
    """A string of ``min_length``–``max_length`` characters (no upper bound when ``max_length`` is None)."""
    schema: dict[str, Any] = {"type": "string"}
    if min_length:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    return WithJsonSchema(schema)


def numeric(minimum: float | None = None, maximum: float | None = None, *, multiple_of: float | None = None,
           integer: bool = False) -> WithJsonSchema:
    """A number (an integer if ``integer``) within ``minimum``–``maximum``, in steps of ``multiple_of``."""
    schema: dict[str, Any] = {"type": "integer" if integer else "number"}
    for key, value in (("minimum", minimum), ("maximum", maximum), ("multipleOf", multiple_of)):
        if value is not None:
            schema[key] = value
    return WithJsonSchema(schema)


def callback(*, required: bool = False) -> WithJsonSchema:
    """``callBackUrl``: blank means no callback, unless ``required``."""
    schema: dict[str, Any] = {"type": "string", "description": (
        "An http(s) URL that the task's callbacks are POSTed to; a host or port that the server's egress policy "
        "refuses answers 400. " + ("Required, not blank." if required else "Blank: no callback."))}
    if required:
        schema["minLength"] = 1
    return WithJsonSchema(schema)


def limits_by_model(attribute: str, models: Iterable[str] = MODELS) -> tuple[int, str]:
    """The largest of the :class:`~tunesmith.tasks.catalog.ModelSpec` limit ``attribute`` over ``models``, and
    the limit table in words ("3000 for V3_5, V4; 5000 for V4_5, …"), smallest limit first."""
    by_limit: dict[int, list[str]] = {}
    for name in models:
        by_limit.setdefault(getattr(MODELS[name], attribute), []).append(name)
    table = "; ".join(f"{limit} for {', '.join(names)}" for limit, names in sorted(by_limit.items()))
    return max(by_limit), table


def per_model(attribute: str, models: Iterable[str] = MODELS, *, min_length: int = 0) -> WithJsonSchema:
    """A string whose length limit is the model's ``attribute``: the largest of ``models`` as ``maxLength``."""
    return text(limits_by_model(attribute, models)[0], min_length=min_length)


def per_model_note(attribute: str, models: Iterable[str] = MODELS) -> str:
    """The sentence a description gives about a per-model length limit (over it answers 413)."""
    return f"At most, in characters, by model: {limits_by_model(attribute, models)[1]} (over the limit: 413)."


CallbackUrl = Annotated[str, callback()]
ModelName = Annotated[str, one_of(MODELS)]
VocalGender = Annotated[str, one_of(VOCAL_GENDERS)]
PersonaModel = Annotated[str, one_of(PERSONA_MODELS)]
Weight = Annotated[float, numeric(0, 1, multiple_of=STEP)]
Variety = Annotated[int, numeric(*VARIETY, integer=True)]
