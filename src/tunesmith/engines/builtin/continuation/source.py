"""The finished track an edit starts from, read from the files the worker resolved for the request.

Roles in ``SongRequest.source_paths`` (``engines.base.source_roles``): the mastered mix (FLAC at 44.1 kHz),
score.json and the mastered stems (FLAC at the engine's rate, summing to the master).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tunesmith.dsp.resample import resample
from tunesmith.dsp.types import Audio
from tunesmith.engines.base import SOURCE_MASTER, SOURCE_SCORE, SOURCE_STEM, SongRequest, WordTiming
from tunesmith.engines.codec import words_from_json
from tunesmith.errors import EngineError
from tunesmith.media.audio_io import read_audio
from tunesmith.media.mp3 import MP3_SAMPLE_RATE
from tunesmith.music.score import Score
from tunesmith.music.score_io import score_from_json


@dataclass(frozen=True)
class SourceTrack:
    """``master`` (channels, n) at :data:`MP3_SAMPLE_RATE`; ``stems`` family → (channels, m) at the
    engine's rate; ``words`` where the source's words are sung (seconds)."""

    master: Audio
    stems: dict[str, Audio]
    score: Score
    words: list[WordTiming]

    @property
    def duration_s(self) -> float:
        return float(self.master.shape[1] / MP3_SAMPLE_RATE)


def _path(request: SongRequest, role: str) -> Path:
    found = request.source_paths.get(role)
    if not found or not Path(found).is_file():
        raise EngineError(f"the source track's {role} file is missing (expired or deleted)")
    return Path(found)


def _audio(path: Path, rate: int) -> Audio:
    audio, file_rate = read_audio(path)
    return resample(audio, file_rate, rate) if file_rate != rate else audio


def load_source(request: SongRequest, sample_rate: int) -> SourceTrack:
    """Read the source track of an edit request; stems are brought to ``sample_rate`` Hz."""
    stems = {
        role[len(SOURCE_STEM) :]: _audio(_path(request, role), sample_rate)
        for role in request.source
        if role.startswith(SOURCE_STEM)
    }
    return SourceTrack(
        master=_audio(_path(request, SOURCE_MASTER), MP3_SAMPLE_RATE),
        stems=stems,
        score=score_from_json(_path(request, SOURCE_SCORE).read_text(encoding="utf-8")),
        words=words_from_json(request.source_words or "[]"),
    )
