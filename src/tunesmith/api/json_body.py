"""Reading a request body as a JSON object so that no malformed input can reach a 500.

Python's :func:`json.loads` recurses once per nested array or object (RecursionError near 1000 levels),
accepts ``NaN``/``Infinity`` (and turns ``1e400`` into infinity), raises a plain ``ValueError`` for an
integer over 4300 digits, and decodes a ``\\ud800`` escape into a lone surrogate that no UTF-8 encoder (the
database's included) accepts. Here each of those is refused up front with a 400 that says why; a body that
is not JSON at all (by its ``Content-Type``) is refused with a 415 before it is read.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from tunesmith.errors import BadRequest, UnsupportedMediaType

MAX_DEPTH = 64
"""Most arrays and objects one inside the other (the body object counts as one); no request needs 3."""

_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_CLOSED_PREFIX = re.compile(rf"(?:[^\"]++|{_STRING})*+", re.DOTALL)
"""Everything up to the first string that never closes (all of a well-formed text)."""
_STRINGS = re.compile(_STRING, re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def require_json_type(content_type: str | None) -> None:
    """Accept ``application/json`` and ``application/*+json`` (any parameters, any case); else 415."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    if kind == "application" and (subtype == "json" or (subtype.endswith("+json") and len(subtype) > 5)):
        return
    sent = f"got {content_type!r}" if content_type else "none was sent"
    raise UnsupportedMediaType(f"Content-Type must be application/json for this endpoint; {sent}")


def parse_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object: UTF-8, nested at most :data:`MAX_DEPTH` deep, finite numbers, valid
    Unicode in every string and key; anything else is a :class:`BadRequest` naming the problem."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"request body is not valid UTF-8 (byte {exc.start})") from exc
    if nesting_exceeds(text, MAX_DEPTH):
        raise BadRequest(f"request body is nested more than {MAX_DEPTH} levels deep")
    data = _loads(text)
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    if _SURROGATE_ESCAPE.search(text):
        _check_unicode(data, "")
    return data


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether a JSON parser reading ``text`` would go more than ``limit`` arrays/objects deep. O(n).

    Brackets inside strings do not count. The scan stops where the text stops being JSON that a parser would
    read on (a string that never closes, a closer with no opener), so it never understates the depth a
    parser reaches before it fails."""
    closed = _CLOSED_PREFIX.match(text)  # always matches (the empty prefix at least)
    prefix = text[: closed.end()] if closed else ""
    brackets = _NOT_BRACKET.sub("", _STRINGS.sub("", prefix))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def _loads(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except ValueError as exc:  # int() refusing more than sys.get_int_max_str_digits() digits
        raise BadRequest("request body has a number with too many digits") from exc


def _refuse_constant(name: str) -> float:
    raise BadRequest(f"request body has the number {name}; numbers must be finite")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise BadRequest(f"request body has a number too large for a float: {literal[:40]}")
    return value


def _check_unicode(value: Any, path: str) -> None:
    """Refuse a lone UTF-16 surrogate (``"\\ud800"``) in any string or key, naming where it is."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise BadRequest(f"{path or 'body'}: invalid Unicode (a lone UTF-16 surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                raise BadRequest(f"{path or 'body'}: invalid Unicode in a field name (a lone UTF-16 surrogate)")
            _check_unicode(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_unicode(item, f"{path}.{index}")
