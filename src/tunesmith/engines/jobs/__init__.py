"""Jobs: work on finished tracks (WAV, stems, MIDI, video, cover images, lyrics …), as data.

A job is a plain function ``(payload, workdir) -> JobOutput``. ``payload`` is JSON-safe; the worker adds
``payload["inputs"]``: local paths of the blobs the submission named in ``payload["input_keys"]``.
Output files are written into ``workdir`` and stored by the worker; ``data`` is kept with the task.
The registry maps operation names to ``module:function`` and imports lazily.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOBS: dict[str, str] = {
    "wav": "tunesmith.engines.jobs.wav:export_wav",
    "mp4": "tunesmith.engines.jobs.video:make_video",
    "cover_image": "tunesmith.engines.jobs.covers:make_cover_images",
    "recovery": "tunesmith.engines.jobs.recovery:recover_links",
    "sounds": "tunesmith.engines.jobs.sounds:make_sounds",
    "separate_vocal": "tunesmith.engines.jobs.stems:separate",
    "split_stem": "tunesmith.engines.jobs.stems:separate",
    "midi": "tunesmith.engines.jobs.midi:export_midi",
    "lyrics": "tunesmith.engines.jobs.lyrics:write_lyrics_job",
}


@dataclass
class JobOutput:
    files: dict[str, Path] = field(default_factory=dict)  # output name -> file in workdir
    data: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[[dict[str, Any], Path], JobOutput]


def is_job(operation: str) -> bool:
    return operation in JOBS


def job_function(operation: str) -> JobFunction:
    module, _, attr = JOBS[operation].partition(":")
    fn: JobFunction = getattr(importlib.import_module(module), attr)
    return fn


def run_job(operation: str, payload: dict[str, Any], workdir: Path) -> JobOutput:
    """Run the job registered as ``operation``."""
    if operation not in JOBS:
        raise KeyError(f"no job registered for operation {operation!r}")
    workdir.mkdir(parents=True, exist_ok=True)
    return job_function(operation)(payload, workdir)
