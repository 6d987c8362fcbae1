"""The built-in engine: plan → compose → render instruments → sing → mix → master → MP3, stems, cover.

Everything runs on the CPU with pip-installed parts (tinysoundfont + a GM SoundFont, espeak-ng + WORLD,
pedalboard, lameenc, Pillow). Heavy modules are imported on first use; :meth:`BuiltinEngine.load` warms
them so the first request does not pay for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, TypeVar, cast

import numpy as np

from tunesmith.dsp.effects import MixPreset
from tunesmith.dsp.presets import presets_for
from tunesmith.dsp.progressive import MixResult, Phrase, PhraseSpan, ProgressiveMix
from tunesmith.dsp.resample import resample
from tunesmith.dsp.types import Audio, fit_length
from tunesmith.engines.base import (
    AUDIO_IN_OPERATIONS,
    PhraseSinger,
    ProgressSink,
    Singer,
    SongPlan,
    SongRequest,
    SungPhrases,
    Syllabifier,
    TrackPlan,
    TrackResult,
    WordTiming,
)
from tunesmith.engines.builtin.renderer import default_soundfont, load_soundfont, render_stems
from tunesmith.music.score import Score, StemFamily

K = TypeVar("K", bound=str)
AUDIBLE_PEAK = 10 ** (-90 / 20)  # a stem whose peak stays under −90 dBFS is silent and not written
AUDIO_FILE, COVER_FILE, SCORE_FILE, STEMS_DIR = "audio.mp3", "cover.jpg", "score.json", "stems"
MASTER_FILE = "master.flac"
MP3_HEADROOM_DBTP = -1.6
"""True-peak ceiling of the master before MP3 encoding: the codec's ringing adds up to ~0.5 dB, and the
delivered MP3 must stay at or below −1 dBTP."""


class BuiltinEngine:
    """The :class:`~tunesmith.engines.base.SongEngine` that needs no model downloads.

    ``soundfont``: an SF2/SF3 file for the instruments (``None`` = TimGM6mb from ``pretty_midi``);
    ``sample_rate``: the internal rate in Hz (the MP3 is always 44 100 Hz); ``chunk_seconds``: audio
    seconds per streamed MP3 chunk; ``analysis``: which analysers listen to the user's audio (capability →
    name, :meth:`tunesmith.config.AnalysisSettings.choice`) and ``analysis_cache_dir`` where their results are
    kept (``None``: not kept). Thread-safe: ``render`` keeps no state between calls.
    """

    name = "builtin"

    def __init__(self, *, soundfont: Path | None = None, sample_rate: int = 44100, chunk_seconds: float = 2.0,
                 analysis: Mapping[str, str] | None = None, analysis_cache_dir: Path | None = None):
        self.soundfont = Path(soundfont) if soundfont is not None else default_soundfont()
        self.sample_rate = sample_rate
        self.chunk_seconds = chunk_seconds
        self.analysis = dict(analysis or {})
        self.analysis_cache_dir = Path(analysis_cache_dir) if analysis_cache_dir is not None else None
        self._voice: tuple[Syllabifier, Singer] | None = None
        self._voice_lock = threading.Lock()

    def load(self) -> None:
        """Parse the SoundFont, start espeak-ng and warm the neural voices once, so the first render is
        not slower than the rest."""
        from tunesmith.engines.builtin.singer.synth import warm_up

        load_soundfont(self.soundfont)
        self._voice_parts()[0].syllabify("la la", "en")
        warm_up()

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

        if request.operation in AUDIO_IN_OPERATIONS:
            from tunesmith.engines.builtin.accompany import plan_audio_in

            return plan_audio_in(self, request)
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
        if plan.request.operation in AUDIO_IN_OPERATIONS:  # a band for the user's vocal, a voice for their band
            from tunesmith.engines.builtin.accompany import render_audio_in

            return render_audio_in(self, plan, index, Path(workdir), stream)
        if plan.request.operation != "generate":  # extend / replace_section: splice into the source track
            from tunesmith.engines.builtin.continuation import render_edit

            return render_edit(self, plan, index, Path(workdir), stream)
        from tunesmith.engines.builtin.composer import compose

        track, workdir, timer = plan.tracks[index], Path(workdir), _StageTimer()
        syllabifier, _ = self._voice_parts()
        with timer("compose"):
            score = compose(track, plan.request, syllabifier)
        return self.render_score(score, track, workdir, stream, timer)

    def render_score(self, score: Score, track: TrackPlan, workdir: Path, stream: ProgressSink, timer: _StageTimer,
                     *, own: Mapping[str, Audio] | None = None, lead_over_db: float | None = None,
                     sung_shift_db: float = 0.0, words: list[WordTiming] | None = None) -> TrackResult:
        """Render, sing, mix, master and encode ``score`` into ``workdir`` (see :meth:`render`).

        ``own``: the user's audio as extra stems (name → (1|2, n) at ``sample_rate``, placed from sample 0),
        mixed *untouched* (:mod:`tunesmith.dsp.progressive`); with ``lead_over_db`` the first of them is the
        lead, set that far above the band. ``sung_shift_db`` moves the sung parts' level over the rest (the user's
        audio weight). ``words``: the word times of a vocal the score does not sing (the user's), instead of the
        singer's."""
        workdir.mkdir(parents=True, exist_ok=True)
        _, singer = self._voice_parts()
        audio_path = workdir / AUDIO_FILE
        with audio_path.open("wb") as file:
            encoder = _Mp3Out(self.sample_rate, _Tee(stream, file))

            def encode(chunk: Audio) -> None:
                with timer("encode"):
                    encoder.write(chunk)

            mixed, sung_words = self._mix(score, singer, timer, encode, own=own, lead_over_db=lead_over_db,
                                          sung_shift_db=sung_shift_db)
            with timer("encode"):
                encoder.close()
        with timer("stems"):
            stem_files = _write_stems(mixed.mastered_stems, workdir / STEMS_DIR, self.sample_rate)
            master_file = _write_master(mixed.mastered, workdir / MASTER_FILE, self.sample_rate)
        with timer("cover"):
            cover = _cover(track.title, track.tags, track.seed, workdir / COVER_FILE)
        return TrackResult(
            duration_s=mixed.mastered.shape[1] / self.sample_rate,
            audio_mp3=audio_path,
            cover_image=cover,
            score_json=_write_score(score, workdir / SCORE_FILE),
            stems=stem_files,
            master_audio=master_file,
            words=sung_words if words is None else words,
            stage_seconds=timer.seconds,
        )

    def _make_audio(
        self, score: Score, singer: Singer, timer: _StageTimer
    ) -> tuple[dict[StemFamily, Audio], Audio, list[WordTiming]]:
        """Score → (mastered stems, mastered mix, the lead's word times), all at ``sample_rate``."""
        mixed, words = self._mix(score, singer, timer, lambda chunk: None)  # no own stems: every key a family
        return cast(dict[StemFamily, Audio], mixed.mastered_stems), mixed.mastered, words

    def _mix(
        self, score: Score, singer: Singer, timer: _StageTimer, on_chunk: Callable[[Audio], None], *,
        own: Mapping[str, Audio] | None = None, lead_over_db: float | None = None, sung_shift_db: float = 0.0,
    ) -> tuple[MixResult[str], list[WordTiming]]:
        """Render, sing, mix and master ``score`` (with the user's ``own`` stems, see :meth:`render_score`),
        handing every mastered piece to ``on_chunk`` as soon as it is final (the singing starts first and
        runs alongside the instruments and the mix)."""
        own = dict(own or {})
        sung = _Singing(score, singer, self.sample_rate)
        with timer("render"):
            band = render_stems(score, sample_rate=self.sample_rate, soundfont=self.soundfont)
        bed: dict[str, Audio] = {**{family: audio for family, audio in band.items()}, **own}
        spans = cast(list[PhraseSpan[str]], sung.spans())  # a StemFamily is its str name
        length = max([a.shape[1] for a in bed.values()] + [s.stop for s in spans], default=0)
        bed = {family: fit_length(audio, length) for family, audio in bed.items()}
        presets = presets_for([*bed, *(s.family for s in spans)], score.metadata.get("mix"))
        presets.update({name: OWN_AUDIO_PRESET for name in own})
        for family in dict.fromkeys(span.family for span in spans):
            preset = presets[family]
            if sung_shift_db and preset.level_over_rest_db is not None:
                presets[family] = replace(preset, level_over_rest_db=preset.level_over_rest_db + sung_shift_db)
        lead = (next(iter(own)), lead_over_db) if own and lead_over_db is not None else None
        mix = ProgressiveMix(bed, spans, presets, self.sample_rate, length, ceiling_dbtp=MP3_HEADROOM_DBTP,
                             untouched=frozenset(own), lead=lead)
        for chunk in mix.run(cast(Iterator[Phrase[str]], sung.phrases()), chunk_s=self.chunk_seconds):
            on_chunk(chunk)
        for stage, seconds in {**mix.seconds, "sing": sung.seconds}.items():
            timer.seconds[stage] = round(timer.seconds.get(stage, 0.0) + seconds, 4)
        return mix.result(), sung.words


OWN_AUDIO_PRESET = MixPreset()
"""The channel of the user's own audio: no filter, EQ, dynamics or send, so it stays the upload times a gain."""


class _Singing:
    """The lead and the backing part of a score, sung phrase by phrase on ``workers`` background threads
    from the moment this is made, in the order the phrases start (a singer without
    :class:`PhraseSinger` sings each part whole, as one phrase).

    ``seconds``: wall time from the start until the last phrase was handed over.
    """

    def __init__(self, score: Score, singer: Singer, sample_rate: int, workers: int = 2) -> None:
        from tunesmith.engines.builtin.singer.backing import backing_score

        self._started, self.seconds = time.perf_counter(), 0.0
        parts: list[tuple[StemFamily, SungPhrases]] = []
        if _has_vocal(score):
            parts.append((StemFamily.VOCALS, _sing_phrases(singer, score, sample_rate)))
            backing = backing_score(score)
            if backing is not None:
                parts.append((StemFamily.BACKING_VOCALS, _sing_phrases(singer, backing, sample_rate)))
        self.words = list(parts[0][1].words) if parts else []
        jobs = sorted(
            ((PhraseSpan(family, a, b), render) for family, part in parts
             for (a, b), render in zip(part.spans, part.render, strict=True)),
            key=lambda job: job[0].start,
        )  # fmt: skip
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sing", initializer=_run_behind)
        self._jobs = [(span, pool.submit(render)) for span, render in jobs]
        pool.shutdown(wait=False)  # the threads finish the submitted phrases, then exit

    def spans(self) -> list[PhraseSpan[StemFamily]]:
        return [span for span, _ in self._jobs]

    def phrases(self) -> Iterator[Phrase[StemFamily]]:
        """Every phrase of both parts in the order they start, each as soon as it is sung."""
        for span, future in self._jobs:
            audio = future.result()
            self.seconds = time.perf_counter() - self._started
            yield Phrase(span, audio)


SINGER_NICENESS = 5
"""How much lower the singing threads run than the mixing thread: they sing ahead in the background,
and the mix of what is already sung (the next streamed bytes) always gets the CPU first."""


def _run_behind() -> None:
    """Lower the calling thread's scheduling priority by :data:`SINGER_NICENESS` (Linux: per thread)."""
    import os

    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + SINGER_NICENESS)
    except (AttributeError, OSError):  # no per-thread priorities here: the threads just compete evenly
        pass


def _sing_phrases(singer: Singer, score: Score, sample_rate: int) -> SungPhrases:
    """``singer``'s phrases of ``score``; a plain :class:`Singer`'s whole vocal counts as one phrase."""
    if isinstance(singer, PhraseSinger):
        return singer.phrases(score, sample_rate=sample_rate)
    vocal = singer.sing(score, sample_rate=sample_rate)
    audio = resample(vocal.audio, vocal.sample_rate, sample_rate)
    return SungPhrases([(0, audio.shape[1])], list(vocal.words), [lambda: audio])


class _Mp3Out:
    """The MP3 encoder the mastered pieces go to: straight through at 44.1 kHz; at any other internal
    rate the pieces are kept and resampled once at the end (the stream then starts at the end)."""

    def __init__(self, sample_rate: int, sink: ProgressSink) -> None:
        from tunesmith.media.mp3 import MP3_SAMPLE_RATE, Mp3Stream

        self._rate, self._stream = sample_rate, Mp3Stream(sink)
        self._held: list[Audio] | None = None if sample_rate == MP3_SAMPLE_RATE else []

    def write(self, chunk: Audio) -> None:
        if self._held is None:
            self._stream.write(chunk)
        else:
            self._held.append(np.array(chunk))

    def close(self) -> None:
        from tunesmith.media.mp3 import MP3_SAMPLE_RATE

        if self._held:
            self._stream.write(resample(np.concatenate(self._held, axis=1), self._rate, MP3_SAMPLE_RATE))
        self._stream.close()


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


def _write_stems(stems: Mapping[K, Audio], folder: Path, sample_rate: int) -> dict[str, Path]:
    """Write every audible mastered stem as 24-bit FLAC ``folder/<family>.flac``."""
    from tunesmith.media.audio_io import write_flac

    return {
        _name(family): write_flac(folder / f"{_name(family)}.flac", audio, sample_rate, bits=24)
        for family, audio in stems.items()
        if audio.size and float(np.max(np.abs(audio))) > AUDIBLE_PEAK
    }


def _name(family: str) -> str:
    """A stem's file name: a :class:`StemFamily`'s value, or the user's stem name as it is."""
    return family.value if isinstance(family, StemFamily) else family


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
