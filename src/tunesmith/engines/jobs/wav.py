"""WAV export: the track's lossless master as 44.1 kHz 16-bit PCM WAV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunesmith.engines.jobs import JobOutput
from tunesmith.media.audio_io import read_audio, write_wav


def export_wav(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload["inputs"]["master"]``: the master FLAC; ``payload["file_name"]``: the WAV's name."""
    audio, sample_rate = read_audio(Path(payload["inputs"]["master"]))
    out = write_wav(workdir / payload.get("file_name", "audio.wav"), audio, sample_rate, subtype="PCM_16")
    return JobOutput(files={"wav": out}, data={"duration": round(audio.shape[1] / sample_rate, 2)})
