"""One route module per hosted-API family; each exposes ``router``. The app includes every module here, so a
new endpoint is a new module (or a route in an existing one), an operation in ``api/operations.py`` and its
schema — no list to keep in step."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

FIRST = ("generate",)
"""Modules whose routes come first in the OpenAPI document (the hosted API's main endpoint)."""


def routers() -> list[APIRouter]:
    """Every route module's ``router``: :data:`FIRST`, then the rest by module name."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    ordered = [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]
    found = []
    for name in ordered:
        router = getattr(importlib.import_module(f"{__name__}.{name}"), "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"route module {name} has no APIRouter named 'router'")
        found.append(router)
    return found
