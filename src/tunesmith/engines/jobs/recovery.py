"""Recovery (§3.21): check that each track's stored audio is still there and decodes, so that fresh
links are only handed out for files that will play."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import soundfile

from tunesmith.engines.jobs import JobOutput

DAMAGED = "clip_error: the stored audio file cannot be decoded"


def recover_links(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload["tracks"]``: ``[{id, title, key, error}]`` in the task's order (``error`` already set
    for tracks the submission found unrecoverable); ``payload["inputs"]``: track id → local file."""
    inputs: dict[str, str] = payload.get("inputs", {})
    return JobOutput(data={"tracks": [_check(track, inputs.get(track["id"])) for track in payload["tracks"]]})


def _check(track: dict[str, Any], path: str | None) -> dict[str, Any]:
    item = {"id": track["id"], "title": track["title"], "key": track["key"]}
    if track["error"] or path is None:
        return {**item, "status": "failed", "error": track["error"] or "no_audio_id_mappings"}
    try:
        info = soundfile.info(path)
    except (RuntimeError, OSError):  # soundfile.LibsndfileError is a RuntimeError
        return {**item, "status": "failed", "error": DAMAGED}
    if info.frames <= 0:
        return {**item, "status": "failed", "error": DAMAGED}
    return {**item, "status": "success", "error": "", "duration": round(info.frames / info.samplerate, 2)}
