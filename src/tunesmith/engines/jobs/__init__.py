"""Jobs: work on finished tracks (WAV, stems, MIDI, video, cover images, lyrics …), as data.

A job is a plain function ``(payload, workdir) -> JobOutput``. ``payload`` is JSON-safe; the worker adds
``payload["inputs"]``: local paths of the blobs the submission named in ``payload["input_keys"]``.
Output files are written into ``workdir`` and stored by the worker; ``data`` is kept with the task.
Which function runs which operation is data in the operation registry (``tunesmith.api.operations``): a
``module:function`` target, imported lazily in the worker process.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class JobOutput:
    files: dict[str, Path] = field(default_factory=dict)  # output name -> file in workdir
    data: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[[dict[str, Any], Path], JobOutput]


def job_function(target: str) -> JobFunction:
    """The job function named by ``target`` (``module:function``)."""
    module, sep, attr = target.partition(":")
    if not sep:
        raise ValueError(f"job target {target!r} is not 'module:function'")
    fn: JobFunction = getattr(importlib.import_module(module), attr)
    return fn


def run_job(target: str, payload: dict[str, Any], workdir: Path) -> JobOutput:
    """Run the job function ``target`` (``module:function``) on ``payload`` in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    return job_function(target)(payload, workdir)
