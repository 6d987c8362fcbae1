"""The engine registry is data: a name maps to an importable ``module:Class``. Imports happen only
when an engine is asked for, so a server without an optional engine's dependencies still starts."""

from __future__ import annotations

import importlib
from typing import Any

from tunesmith.engines.base import SongEngine

ENGINES: dict[str, str] = {
    "builtin": "tunesmith.engines.builtin.engine:BuiltinEngine",
}


class UnknownEngineError(ValueError):
    """No engine is registered under the requested name."""


def engine_factory(name: str) -> type[SongEngine]:
    """The engine class registered as ``name`` (picklable by reference, for worker processes).

    Raises :class:`UnknownEngineError` for names not in :data:`ENGINES`.
    """
    try:
        target = ENGINES[name]
    except KeyError:
        raise UnknownEngineError(
            f"unknown engine {name!r}; available: {', '.join(sorted(ENGINES))}"
        ) from None
    module, _, attr = target.partition(":")
    cls: type[SongEngine] = getattr(importlib.import_module(module), attr)
    return cls


def load_engine(name: str, **options: Any) -> SongEngine:
    """Instantiate the engine ``name`` with ``options`` (not yet loaded; call ``load()``)."""
    engine = engine_factory(name)(**options)
    if not isinstance(engine, SongEngine):
        raise TypeError(f"{ENGINES[name]} does not implement the SongEngine protocol")
    return engine
