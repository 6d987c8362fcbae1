"""The built-in engine: plan → compose → render instruments → sing → mix → master → MP3, stems, cover.

Everything runs on the CPU with pip-installed parts (tinysoundfont + a GM SoundFont, espeak-ng + WORLD,
pedalboard, lameenc, Pillow). Heavy modules are imported on first use; :meth:`BuiltinEngine.load` warms
them so the first request does not pay for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np

from tunesmith.dsp.master import master_stems
from tunesmith.dsp.mix import mix_stems, trim_to_headroom
from tunesmith.dsp.presets import presets_for
from tunesmith.dsp.resample import resample
from tunesmith.dsp.types import Audio, fit_length
from tunesmith.engines.base import (
    ProgressSink,
    Singer,
    SongPlan,
    SongRequest,
    SungVocal,
    Syllabifier,
    TrackResult,
)
from tunesmith.engines.builtin.renderer import default_soundfont, load_soundfont, render_stems
from tunesmith.music.score import Score, StemFamily

AUDIBLE_PEAK = 10 ** (-90 / 20)  # a stem whose peak stays under −90 dBFS is silent and not written
AUDIO_FILE, COVER_FILE, SCORE_FILE, STEMS_DIR = "audio.mp3", "cover.jpg", "score.json", "stems"
BACKING_LEVEL = 0.5  # backing-vocal amplitude relative to the lead's (−6 dB) before the mix presets
MASTER_FILE = "master.flac"
MP3_HEADROOM_DBTP = -1.6
"""True-peak ceiling of the master before MP3 encoding: the codec's ringing adds up to ~0.5 dB, and the
delivered MP3 must stay at or below −1 dBTP."""


class BuiltinEngine:
    """The :class:`~tunesmith.engines.base.SongEngine` that needs no model downloads.

    ``soundfont``: an SF2/SF3 file for the instruments (``None`` = TimGM6mb from ``pretty_midi``);
    ``sample_rate``: the internal rate in Hz (the MP3 is always 44 100 Hz); ``chunk_seconds``: audio
    seconds per streamed MP3 chunk. Thread-safe: ``render`` keeps no state between calls.
    """

    name = "builtin"

    def __init__(
        self, *, soundfont: Path | None = None, sample_rate: int = 44100, chunk_seconds: float = 2.0
    ):
        self.soundfont = Path(soundfont) if soundfont is not None else default_soundfont()
        self.sample_rate = sample_rate
        self.chunk_seconds = chunk_seconds
        self._voice: tuple[Syllabifier, Singer] | None = None
        self._voice_lock = threading.Lock()

    def load(self) -> None:
        """Parse the SoundFont and start espeak-ng once, so the first render is not slower than the rest."""
        load_soundfont(self.soundfont)
        self._voice_parts()[0].syllabify("la la", "en")

    def _voice_parts(self) -> tuple[Syllabifier, Singer]:
        """The syllabifier and singer, created on first use (importing them loads espeak-ng and WORLD)."""
        with self._voice_lock:
            if self._voice is None:
                from tunesmith.engines.builtin.singer.syllables import EspeakSyllabifier
                from tunesmith.engines.builtin.singer.synth import WorldSinger

                self._voice = (EspeakSyllabifier(), WorldSinger())
            return self._voice

    def plan(self, request: SongRequest) -> SongPlan:
        """The text stage: titles, lyrics, tags and seeds of the task's tracks."""
        from tunesmith.engines.builtin.planner import make_plan

        if request.operation != "generate":
            from tunesmith.engines.builtin.continuation import plan_edit

            return plan_edit(request)
        return make_plan(request)

    def render(self, plan: SongPlan, index: int, workdir: Path, stream: ProgressSink) -> TrackResult:
        """Render track ``index`` of ``plan`` into ``workdir``, streaming the MP3 into ``stream`` as it is
        encoded (``stream`` is closed when the last byte is written). ``workdir/audio.mp3`` is
        byte-identical to the streamed bytes."""
        if not 0 <= index < len(plan.tracks):
            raise IndexError(f"track index {index} outside the plan's {len(plan.tracks)} tracks")
        if plan.request.operation != "generate":  # extend / replace_section: splice into the source track
            from tunesmith.engines.builtin.continuation import render_edit

            return render_edit(self, plan, index, Path(workdir), stream)
        from tunesmith.engines.builtin.composer import compose

        track, workdir, timer = plan.tracks[index], Path(workdir), _StageTimer()
        syllabifier, singer = self._voice_parts()
        workdir.mkdir(parents=True, exist_ok=True)
        with timer("compose"):
            score = compose(track, plan.request, syllabifier)
        processed, mastered, vocal = self._make_audio(score, singer, timer)
        with timer("encode"):
            audio_path = self._encode(mastered, workdir / AUDIO_FILE, stream)
        with timer("stems"):
            stem_files = _write_stems(processed, workdir / STEMS_DIR, self.sample_rate)
            master_file = _write_master(mastered, workdir / MASTER_FILE, self.sample_rate)
        with timer("cover"):
            cover = _cover(track.title, track.tags, track.seed, workdir / COVER_FILE)
        return TrackResult(
            duration_s=mastered.shape[1] / self.sample_rate,
            audio_mp3=audio_path,
            cover_image=cover,
            score_json=_write_score(score, workdir / SCORE_FILE),
            stems=stem_files,
            master_audio=master_file,
            words=list(vocal.words) if vocal else [],
            stage_seconds=timer.seconds,
        )

    def _make_audio(
        self, score: Score, singer: Singer, timer: _StageTimer
    ) -> tuple[dict[StemFamily, Audio], Audio, SungVocal | None]:
        """Score → (pre-master stems, mastered mix, sung vocal or ``None``), all at ``sample_rate``."""
        with timer("render"):
            stems = render_stems(score, sample_rate=self.sample_rate, soundfont=self.soundfont)
        with timer("sing"):
            vocal = singer.sing(score, sample_rate=self.sample_rate) if _has_vocal(score) else None
            backing = _sing_backing(score, singer, self.sample_rate) if vocal is not None else None
        with timer("mix"):
            stems = _common_length(_with_vocal(stems, vocal, backing, self.sample_rate))
            presets = presets_for(stems, score.metadata.get("mix"))
            processed, premaster = trim_to_headroom(*mix_stems(stems, presets, self.sample_rate))
        with timer("master"):
            processed, mastered = master_stems(processed, premaster, self.sample_rate, ceiling_dbtp=MP3_HEADROOM_DBTP)
        return processed, mastered, vocal

    def _encode(self, mastered: Audio, path: Path, stream: ProgressSink) -> Path:
        """Encode once; every chunk goes to the stream and to ``path``, so both hold the same bytes."""
        from tunesmith.media.mp3 import MP3_SAMPLE_RATE, encode_progressive

        audio = resample(mastered, self.sample_rate, MP3_SAMPLE_RATE)
        with path.open("wb") as file:
            encode_progressive(audio, MP3_SAMPLE_RATE, _Tee(stream, file), chunk_seconds=self.chunk_seconds)
        return path


class _Tee:
    """A ProgressSink that copies every chunk to the stream and to an open file."""

    def __init__(self, stream: ProgressSink, file: BinaryIO) -> None:
        self._stream, self._file = stream, file

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._file.flush()
        self._stream.write(chunk)

    def close(self) -> None:
        self._file.close()
        self._stream.close()


class _StageTimer:
    """Wall-clock seconds per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = round(self.seconds.get(stage, 0.0) + time.perf_counter() - start, 4)


def _has_vocal(score: Score) -> bool:
    return score.vocal is not None and bool(score.vocal.syllables)


def _sing_backing(score: Score, singer: Singer, sample_rate: int) -> SungVocal | None:
    """The backing part (parenthesised answers, chorus harmonies) sung by a second voice, if any."""
    from tunesmith.engines.builtin.singer.backing import backing_score

    part = backing_score(score)
    return singer.sing(part, sample_rate=sample_rate) if part is not None else None


def _with_vocal(
    stems: dict[StemFamily, Audio], vocal: SungVocal | None, backing: SungVocal | None, sample_rate: int
) -> dict[StemFamily, Audio]:
    """Add the sung lead and backing part (mono, resampled to ``sample_rate``) as the two vocal stems.

    The backing part is scaled by :data:`BACKING_LEVEL` so that it sits under the lead.
    """
    out = dict(stems)
    if vocal is not None:
        out[StemFamily.VOCALS] = resample(vocal.audio, vocal.sample_rate, sample_rate)
    if backing is not None:
        out[StemFamily.BACKING_VOCALS] = resample(backing.audio, backing.sample_rate, sample_rate) * BACKING_LEVEL
    return out


def _common_length(stems: dict[StemFamily, Audio]) -> dict[StemFamily, Audio]:
    """Zero-pad every stem to the longest one (the backing normally, which carries the release tail)."""
    samples = max((a.shape[1] for a in stems.values()), default=0)
    return {family: fit_length(audio, samples) for family, audio in stems.items()}


def _write_stems(stems: dict[StemFamily, Audio], folder: Path, sample_rate: int) -> dict[str, Path]:
    """Write every audible pre-master stem as 24-bit FLAC ``folder/<family>.flac``."""
    from tunesmith.media.audio_io import write_flac

    return {
        family.value: write_flac(folder / f"{family.value}.flac", audio, sample_rate, bits=24)
        for family, audio in stems.items()
        if audio.size and float(np.max(np.abs(audio))) > AUDIBLE_PEAK
    }


def _write_master(mastered: Audio, path: Path, sample_rate: int) -> Path:
    """The mastered mix as 24-bit FLAC at 44.1 kHz: the lossless source of WAV exports."""
    from tunesmith.media.audio_io import write_flac
    from tunesmith.media.mp3 import MP3_SAMPLE_RATE

    return write_flac(path, resample(mastered, sample_rate, MP3_SAMPLE_RATE), MP3_SAMPLE_RATE, bits=24)


def _cover(title: str, style: str, seed: int, path: Path) -> Path:
    from tunesmith.media.cover import make_cover

    return make_cover(title, style, seed, path)


def _write_score(score: Score, path: Path) -> Path:
    from tunesmith.music.score_io import score_to_json

    path.write_text(score_to_json(score), encoding="utf-8")
    return path
