"""Engine capability Protocols and the engine-side request/result types.

The API layer translates wire requests into :class:`SongRequest`; the task layer calls an engine
through these Protocols and stores :class:`TrackResult`. Engines never see wire shapes or storage
records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from tunesmith.music.score import LyricWord, Score

Audio = npt.NDArray[np.float32]  # shape (channels, samples)


@dataclass(frozen=True)
class SongRequest:
    """What the user asked for, engine-side. Lengths are already validated by the API."""

    custom: bool
    instrumental: bool
    model: str
    lyrics: str = ""  # custom mode: verbatim lyrics with [Section] tags
    idea: str = ""  # non-custom mode: the free-text idea
    style: str = ""
    title: str = ""
    negative_tags: str = ""
    vocal_gender: str | None = None  # "m" | "f" | None
    style_weight: float | None = None
    weirdness: float | None = None
    audio_weight: float | None = None
    max_duration_s: float = 240.0
    target_duration_s: float | None = None
    seed: int | None = None
    voice: str | None = None  # a persona's voice id (engines.builtin.singer.voices); wins over vocal_gender
    persona_style: str = ""  # a persona's style fingerprint as style text (genre, moods, tempo, key)
    # Edits of a finished track (extend, replace_section); "generate" makes a song from nothing.
    operation: str = "generate"
    source: dict[str, str] = field(default_factory=dict)  # role (see source_roles) → blob key
    source_paths: dict[str, str] = field(default_factory=dict)  # the same roles → local files; set by the worker
    source_words: str = "[]"  # the source track's sung word times (WordTiming list as JSON)
    continue_at: float | None = None  # extend: seconds of the source kept (rounded up to a bar line)
    infill_start_s: float | None = None  # replace_section: the regenerated window, seconds
    infill_end_s: float | None = None
    full_lyrics: str = ""  # replace_section: the whole song's lyrics after the edit (shown as the prompt)


SOURCE_MASTER, SOURCE_SCORE, SOURCE_STEM = "master", "score", "stem:"
"""Roles in ``SongRequest.source``: the mastered mix (FLAC), score.json, and ``stem:<family>`` (FLAC)."""
SOURCE_UPLOAD = "upload"
"""Role in ``SongRequest.source`` of the user's own audio (any format ffmpeg reads): the blob key that
:func:`tunesmith.tasks.sources.resolve_upload_url` resolved ``uploadUrl`` to."""
AUDIO_IN_OPERATIONS = frozenset({"add_instrumental", "add_vocals"})
"""Operations that start from the user's audio (``source[SOURCE_UPLOAD]``): the engine listens to it first.

* ``add_instrumental``: the upload is a vocal (a full song is separated and its vocal kept); ``style`` is the
  backing's style (the wire field ``tags``); the tracks are the vocal, unchanged, with a new band.
* ``add_vocals``: the upload is an instrumental; ``lyrics`` are sung over it in ``style``; the tracks are the
  instrumental, unchanged, with a new vocal."""


def source_roles(master: str, score: str, stems: dict[str, str]) -> dict[str, str]:
    """``SongRequest.source`` for a finished track: its master, score and stem blob keys by role."""
    return {SOURCE_MASTER: master, SOURCE_SCORE: score, **{SOURCE_STEM + f: key for f, key in stems.items()}}


@dataclass(frozen=True)
class TrackPlan:
    """One of the tracks a task yields: title, lyrics, tags and the seed that makes it differ."""

    index: int
    title: str
    lyrics: str  # with section tags; "" for instrumentals
    tags: str
    language: str
    seed: int


@dataclass(frozen=True)
class SongPlan:
    """The text stage: enough to answer TEXT_SUCCESS before any audio exists."""

    request: SongRequest
    tracks: tuple[TrackPlan, ...]


@dataclass(frozen=True)
class WordTiming:
    """Where a word is actually sung, in seconds from the start of the track."""

    word: str
    start_s: float
    end_s: float
    line: int
    syllables: tuple[tuple[str, float, float], ...] = ()


@dataclass
class TrackResult:
    """Everything a rendered track leaves behind in its working directory.

    ``audio_mp3`` is the final MP3 (byte-identical to what the stream served); ``stems`` maps stem family
    names to FLAC files of the mastered stems, which sum to the mastered mix (``master_audio``).
    """

    duration_s: float
    audio_mp3: Path
    cover_image: Path
    score_json: Path
    stems: dict[str, Path] = field(default_factory=dict)
    master_audio: Path | None = None  # lossless mastered mix (FLAC), the source of WAV exports
    words: list[WordTiming] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)


class ProgressSink(Protocol):
    """Receives encoded MP3 bytes as they are produced, so the stream URL can play early."""

    def write(self, chunk: bytes) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class SongEngine(Protocol):
    """Makes songs: a fast text stage, then each track rendered independently."""

    name: str

    def load(self) -> None:
        """Import heavy modules and load models; called once per worker process."""

    def plan(self, request: SongRequest) -> SongPlan: ...

    def render(self, plan: SongPlan, index: int, workdir: Path, stream: ProgressSink) -> TrackResult: ...


class Syllabifier(Protocol):
    """Splits a lyric line into words and syllables the way the singer will sing them."""

    def syllabify(self, line: str, language: str) -> list[LyricWord]: ...


@dataclass(frozen=True)
class SungVocal:
    audio: Audio  # (1, samples) mono at ``sample_rate``
    sample_rate: int
    words: list[WordTiming]


class Singer(Protocol):
    """Sings the vocal line of a score."""

    def sing(self, score: Score, *, sample_rate: int) -> SungVocal: ...


@dataclass
class SungPhrases:
    """A vocal to be sung phrase by phrase. ``spans`` are samples ``[start, stop)`` of each phrase, in
    order, not overlapping; ``render[i]()`` sings phrase ``i`` into mono audio (1, stop − start) and
    may run on any thread; ``words`` are the word times."""

    spans: list[tuple[int, int]]
    words: list[WordTiming]
    render: list[Callable[[], Audio]]


@runtime_checkable
class PhraseSinger(Singer, Protocol):
    """A singer that can hand over its phrases as they are sung, so a mix can start before the end."""

    def phrases(self, score: Score, *, sample_rate: int) -> SungPhrases: ...
