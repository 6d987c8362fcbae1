"""Loads the WORLD vocoder (``pyworld``) without its package ``__init__``.

pyworld 0.3.5's ``__init__`` imports ``pkg_resources`` only to read its own version; setuptools ≥ 81
no longer ships ``pkg_resources`` (and older ones warn on import), so the package fails to import in
this environment. The compiled extension module itself has no such dependency, so it is loaded
directly from the installed package folder.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
from functools import cache
from pathlib import Path
from types import ModuleType

_load_lock = threading.Lock()


@cache
def world() -> ModuleType:
    """The compiled ``pyworld.pyworld`` extension (``cheaptrick``, ``d4c``, ``synthesize``, …).

    Loaded once per process under a lock: the singing threads reach it together, and a compiled extension
    cannot be initialised twice ("Re-initialisation is not supported")."""
    with _load_lock:
        loaded = sys.modules.get("pyworld.pyworld")
        if loaded is not None:
            return loaded
        package = importlib.util.find_spec("pyworld")
        if package is None or not package.submodule_search_locations:
            raise ModuleNotFoundError("pyworld is not installed")
        module = _load_extension(Path(next(iter(package.submodule_search_locations))))
        sys.modules["pyworld.pyworld"] = module
        return module


def _load_extension(folder: Path) -> ModuleType:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"pyworld{suffix}"
        if path.exists():
            spec = importlib.util.spec_from_file_location("pyworld.pyworld", path)
            if spec is None or spec.loader is None:
                break
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise ModuleNotFoundError(f"no compiled pyworld extension in {folder}")
