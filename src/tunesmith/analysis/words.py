"""Words with times: the user's lyrics placed in time, or the words Whisper hears, only where a voice sings.

    vocal stem ─▶ mono 16 kHz ─▶ silenced outside the (padded) vocal spans ─▶ Whisper base (faster-whisper,
    int8, word timestamps) ─▶ segments that look like hallucinations dropped ─▶ words outside the spans
    dropped ─▶
        lyrics given:  aligned to the recognised words (:mod:`difflib` over normalised words / characters),
                       words Whisper missed spread over the sung time between their neighbours
        otherwise:     the recognised words, a line per Whisper segment or long pause

Chinese is written in simplified characters (OpenCC ``t2s``) and timed per character, each character
moved onto the onset of a sung note (:func:`snap_to_onsets`: Whisper's times for sung Chinese run early
by 0.4 s on the engine's songs; on its notes the median error is 0.06 s). Silencing the instrumental
passages keeps what Whisper invents on music out of its input, and the song's own timeline keeps its
context: splicing the sung spans together instead (fewer windows to decode) raised the WER of a bench
ballad from 0.18 to 0.47, decoding each phrase group from its own start to 0.45. Language detection
hears the sung spans joined (its first 30 s).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from tunesmith.analysis.base import Spans
from tunesmith.analysis.melody import to_mono_16k
from tunesmith.analysis.types import Lyrics, TimedWord
from tunesmith.dsp.types import Audio

WHISPER_SR = 16000
SILENCE_RMS = 1e-4
"""RMS (full scale 1) below which the vocal is silence and is not transcribed (−80 dBFS)."""
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_UNIT = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_TAG = re.compile(r"\[[^\]]*\]")
_PUNCT = re.compile(r"[^\w']|_")

HALLUCINATIONS = (
    "thank you for watching", "thanks for watching", "subscribe", "subtitles by", "amara.org", "字幕", "订阅",
    "点赞", "小铃铛", "明镜", "谢谢观看", "谢谢收看", "优优独播", "词曲", "作词", "作曲", "编曲",
)
"""Phrases Whisper is known to invent on music and silence (from its subtitle training data): a segment
containing one is dropped."""


@dataclass(frozen=True, slots=True)
class Filters:
    """When a recognised segment is not trusted: ``max_no_speech`` (0–1) together with an ``avg_logprob``
    below ``min_logprob_with_no_speech``; any ``avg_logprob`` below ``min_logprob`` (natural log per token);
    ``compression_ratio`` above ``max_compression`` (gzip ratio: a looping text compresses well); mean word
    probability below ``min_word_probability``."""

    max_no_speech: float = 0.97
    min_logprob_with_no_speech: float = -0.4
    min_logprob: float = -0.8
    max_compression: float = 2.4
    min_word_probability: float = 0.35


# ---- the audio Whisper hears ----------------------------------------------------------------------------


def inside(start: float, end: float, spans: Spans) -> bool:
    """Whether ``start``–``end`` (seconds) overlaps one of ``spans`` (Whisper often stretches a segment's
    first word back into the silence before it, so its middle may lie outside)."""
    return any(start < b and a < max(end, start + 1e-3) for a, b in spans)


def clamp(start: float, end: float, spans: Spans) -> tuple[float, float]:
    """``start``–``end`` cut to the first of ``spans`` it overlaps (unchanged when none)."""
    for a, b in spans:
        if start < b and a < max(end, start + 1e-3):
            return max(start, a), max(min(end, b), max(start, a))
    return start, end


def padded_spans(spans: Spans, duration_s: float, *, pad_s: float = 0.3) -> Spans:
    """``spans`` widened by ``pad_s`` each side (consonants and breaths before the pitch), merged where
    they then touch, kept inside 0–``duration_s``."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        a, b = max(0.0, start - pad_s), min(duration_s, end + pad_s)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        elif b > a:
            out.append((a, b))
    return tuple(out)


def mask(mono: npt.NDArray[np.float32], spans: Spans) -> npt.NDArray[np.float32]:
    """``mono`` (at :data:`WHISPER_SR`) with everything outside ``spans`` (seconds) silenced."""
    keep = np.zeros(mono.size, dtype=np.float32)
    for start, end in spans:
        keep[int(start * WHISPER_SR):int(end * WHISPER_SR)] = 1.0
    return (mono * keep).astype(np.float32, copy=False)


def sung_audio(mono: npt.NDArray[np.float32], spans: Spans) -> npt.NDArray[np.float32]:
    """The parts of ``mono`` (at :data:`WHISPER_SR`) inside ``spans`` joined end to end."""
    parts = [mono[int(a * WHISPER_SR):int(b * WHISPER_SR)] for a, b in spans]
    return np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros(0, np.float32)


# ---- text ----------------------------------------------------------------------------------------------


def simplified(text: str) -> str:
    """``text`` in simplified Chinese characters (OpenCC ``t2s``), NFKC-normalised."""
    import opencc

    return str(opencc.OpenCC("t2s").convert(unicodedata.normalize("NFKC", text)))


def key(text: str) -> str:
    """The form words are compared in: lower case, no punctuation (apostrophes inside words kept)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return _PUNCT.sub("", text).strip("'")


def units(text: str) -> list[str]:
    """Sung units of ``text``: each Chinese character alone, other words whole (punctuation attached)."""
    return _UNIT.findall(text)


def guess_language(text: str) -> str:
    """``zh`` when at least a third of the letters of ``text`` are Chinese characters, else ``en``."""
    letters = [c for c in text if c.isalpha()]
    cjk = sum(1 for c in letters if re.match(rf"[{_CJK}]", c))
    return "zh" if letters and cjk * 3 >= len(letters) else "en"


def lyric_lines(lyrics: str) -> list[str]:
    """The sung lines of ``lyrics``: ``[Section]`` tags removed, blank lines dropped."""
    lines = (_TAG.sub(" ", line).strip() for line in lyrics.splitlines())
    return [line for line in lines if any(key(u) for u in units(line))]


def is_loop(words: Sequence[str], *, min_repeats: int = 4, max_ngram: int = 4) -> bool:
    """Whether ``words`` are mostly one phrase of up to ``max_ngram`` words said ``min_repeats`` or more
    times in a row (Whisper stuck in a loop)."""
    keys = [key(w) for w in words if key(w)]
    for n in range(1, max_ngram + 1):
        for start in range(len(keys) - n * min_repeats + 1):
            gram = keys[start:start + n]
            repeats = 1
            while keys[start + repeats * n:start + (repeats + 1) * n] == gram:
                repeats += 1
            if repeats >= min_repeats and repeats * n * 5 >= len(keys) * 4:
                return True
    return False


def hallucinated(text: str) -> bool:
    """Whether ``text`` contains one of the :data:`HALLUCINATIONS`."""
    folded = simplified(text).lower()
    return any(phrase in folded for phrase in HALLUCINATIONS)


# ---- recognised words ----------------------------------------------------------------------------------


def trusted(segment: Any, filters: Filters, spans: Spans | None = None) -> bool:
    """Whether a faster-whisper ``Segment`` passes ``filters``, is no known hallucination or loop and has
    most of its words inside ``spans`` (not in the silenced rest of the song)."""
    words = list(segment.words or ())
    if not words:
        return False
    if spans is not None and 2 * sum(not inside(w.start, w.end, spans) for w in words) >= len(words):
        return False
    if segment.no_speech_prob > filters.max_no_speech and segment.avg_logprob < filters.min_logprob_with_no_speech:
        return False
    if segment.avg_logprob < filters.min_logprob or segment.compression_ratio > filters.max_compression:
        return False
    if float(np.mean([w.probability for w in words])) < filters.min_word_probability:
        return False
    return not hallucinated(segment.text) and not is_loop([w.word for w in words])


def split_word(text: str, start: float, end: float, probability: float, line: int) -> list[TimedWord]:
    """A recognised word as timed units: a Chinese word becomes its characters, the time shared evenly."""
    parts = [u for u in units(text) if key(u)]
    step = (end - start) / max(len(parts), 1)
    return [TimedWord(p, start + i * step, start + (i + 1) * step, line, probability) for i, p in enumerate(parts)]


def recognised_words(segments: Sequence[Any], spans: Spans, *, language: str, filters: Filters,
                     line_gap_s: float = 0.75) -> tuple[TimedWord, ...]:
    """The words of the trusted ``segments`` inside ``spans`` (seconds), Chinese in simplified
    characters. A new line starts with each segment and after a pause of ``line_gap_s`` seconds."""
    out: list[TimedWord] = []
    line = -1
    for segment in segments:
        if not trusted(segment, filters, spans):
            continue
        line += 1
        for w in segment.words:
            if not inside(w.start, w.end, spans):
                continue
            start, end = clamp(float(w.start), float(w.end), spans)
            if out and out[-1].line == line and start - out[-1].end_s >= line_gap_s:
                line += 1
            text = simplified(w.word) if language == "zh" else w.word.strip()
            out += split_word(text, start, max(end, start), float(w.probability), line)
    return renumber(out)


def renumber(words: Sequence[TimedWord]) -> tuple[TimedWord, ...]:
    """``words`` with their line numbers made consecutive from 0 (in order of appearance)."""
    seen: dict[int, int] = {}
    return tuple(TimedWord(w.text, w.start_s, w.end_s, seen.setdefault(w.line, len(seen)), w.probability)
                 for w in words)


def typical_lag(starts: npt.NDArray[np.float64], marks: npt.NDArray[np.float64], *,
                search_s: tuple[float, float] = (0.0, 0.8), tolerance_s: float = 0.08) -> float:
    """The shift (seconds, within ``search_s``, 20 ms steps) that puts the most ``starts`` within
    ``tolerance_s`` of one of ``marks``; the smallest such shift on a tie. Whisper is early, never late:
    the search starts at 0, because on evenly spaced notes a shift one note earlier fits as well."""
    lags = np.arange(search_s[0], search_s[1] + 1e-9, 0.02)
    lags = lags[np.argsort(np.abs(lags), kind="stable")]
    hits = [int((np.abs(marks[None, :] - (starts + lag)[:, None]).min(axis=1) <= tolerance_s).sum()) for lag in lags]
    return float(lags[int(np.argmax(hits))])


def snap_to_onsets(words: Sequence[TimedWord], onsets: Sequence[float], *, reach_s: float = 0.45,
                   search_s: tuple[float, float] = (0.0, 0.8)) -> tuple[TimedWord, ...]:
    """``words`` (one sung syllable each, in order) moved onto the sung note ``onsets`` (seconds).

    Whisper's times for sung Chinese run early by a few hundred milliseconds and vary: first the typical
    lag is measured (:func:`typical_lag`), then
    each word takes the onset nearest its start plus that lag, within ``reach_s``, after the previous
    word's; a word with no onset in reach just takes the lag. Ends move with their starts and stop at the
    next word's start."""
    marks = np.asarray(sorted(onsets), dtype=np.float64)
    if not words or marks.size == 0:
        return tuple(words)
    lag = typical_lag(np.array([w.start_s for w in words]), marks, search_s=search_s)
    starts: list[float] = []
    for w in words:
        target = w.start_s + lag
        floor = starts[-1] + 0.05 if starts else -np.inf
        near = marks[(marks > floor) & (np.abs(marks - target) <= reach_s)]
        starts.append(float(near[np.argmin(np.abs(near - target))]) if near.size else max(target, floor))
    out = []
    for i, (w, start) in enumerate(zip(words, starts, strict=True)):
        end = max(w.end_s + start - w.start_s, start + 0.02)
        if i + 1 < len(starts):
            end = max(min(end, starts[i + 1]), start + 0.02)
        out.append(TimedWord(w.text, start, end, w.line, w.probability))
    return tuple(out)


# ---- alignment -----------------------------------------------------------------------------------------


def lyric_words(lyrics: str) -> list[TimedWord]:
    """Every sung unit of ``lyrics`` with its line index (times still 0)."""
    return [TimedWord(u, 0.0, 0.0, i, 0.0) for i, line in enumerate(lyric_lines(lyrics)) for u in units(line)
            if key(u)]


def _compare_key(text: str) -> str:
    return key(simplified(text))


def sung_time(spans: Spans, lo: float, hi: float) -> list[tuple[float, float]]:
    """The parts of ``spans`` inside ``lo``–``hi`` (the whole interval when none are)."""
    parts = [(max(a, lo), min(b, hi)) for a, b in spans if min(b, hi) > max(a, lo)]
    return parts or [(lo, max(lo, hi))]


def spread(words: Sequence[TimedWord], lo: float, hi: float, spans: Spans,
           probability: float) -> list[TimedWord]:
    """``words`` laid end to end over the sung time between ``lo`` and ``hi``, each taking a share by its
    length in letters."""
    parts = sung_time(spans, lo, hi)
    edges = np.cumsum([0.0] + [b - a for a, b in parts])
    weights = np.cumsum([0.0] + [max(len(_compare_key(w.text)), 1) for w in words])
    at = weights / weights[-1] * edges[-1]

    def clock(x: float, side: Literal["left", "right"]) -> float:
        i = min(max(int(np.searchsorted(edges, x, side=side)) - 1, 0), len(parts) - 1)
        return float(parts[i][0] + (x - edges[i]))

    return [TimedWord(w.text, clock(at[i], "right"), clock(at[i + 1], "left"), w.line, probability)
            for i, w in enumerate(words)]


def align(lyric: Sequence[TimedWord], heard: Sequence[TimedWord], spans: Spans) -> tuple[TimedWord, ...]:
    """``lyric`` units (with their lines) timed from the ``heard`` units they match.

    Matching runs :class:`difflib.SequenceMatcher` over the compared forms (lower case, no punctuation,
    simplified characters). Equal runs take the heard times; a replaced run of the same length takes them
    one to one, otherwise shares the heard run's time; lyric words nothing matched are spread over the sung
    time (``spans``) between their timed neighbours, with probability 0."""
    if not lyric:
        return ()
    placed: list[TimedWord | None] = [None] * len(lyric)
    a, b = [_compare_key(w.text) for w in lyric], [_compare_key(w.text) for w in heard]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                h = heard[j1 + k]
                p = h.probability if tag == "equal" else h.probability / 2
                placed[i1 + k] = TimedWord(lyric[i1 + k].text, h.start_s, h.end_s, lyric[i1 + k].line, p)
        elif tag == "replace":
            p = float(np.mean([h.probability for h in heard[j1:j2]])) / 2
            placed[i1:i2] = spread(lyric[i1:i2], heard[j1].start_s, heard[j2 - 1].end_s, (), p)
    return tuple(_fill(lyric, placed, spans))


def _fill(lyric: Sequence[TimedWord], placed: list[TimedWord | None], spans: Spans) -> list[TimedWord]:
    """``placed`` with each run of missing words spread between its neighbours (the song's sung time at
    either end)."""
    first = spans[0][0] if spans else 0.0
    last = spans[-1][1] if spans else first
    out = list(placed)
    i = 0
    while i < len(out):
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < len(out) and out[j] is None:
            j += 1
        before, after = (out[i - 1] if i else None), (out[j] if j < len(out) else None)
        lo = before.end_s if before else min(first, after.start_s if after else first)
        hi = after.start_s if after else max(last, lo)
        out[i:j] = spread(lyric[i:j], lo, hi, spans, 0.0)
        i = j
    return [w for w in out if w is not None]


# ---- the analyser --------------------------------------------------------------------------------------


class WhisperLyricsReader:
    """:class:`~tunesmith.analysis.base.LyricsReader` over Whisper base (see the module docstring).

    ``cache_dir``: where the joined model is kept (default :func:`tunesmith.analysis.whisper.default_cache_dir`);
    ``threads``: CPU threads; ``languages``: what language detection may answer (the first is the fallback);
    ``filters``: the hallucination guard's thresholds; ``temperatures``: Whisper's decoding temperatures,
    tried in turn when a window fails its own checks (a window that opens on a long silenced intro can
    loop: the fallback re-decodes it; capped at 0.6 to bound the time on hard passages)."""

    name = "whisper"

    def __init__(self, *, cache_dir: Path | None = None, threads: int = 2,
                 languages: tuple[str, ...] = ("en", "zh"), filters: Filters | None = None,
                 temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6)) -> None:
        self.cache_dir = cache_dir
        self.temperatures = temperatures
        self.threads = threads
        self.languages = languages
        self.filters = filters or Filters()
        self._model: Any = None
        self._melody: Any = None

    def load(self) -> None:
        from tunesmith.analysis.whisper import load_whisper

        if self._model is None:
            self._model = load_whisper(self.cache_dir, cpu_threads=self.threads)

    def note_onsets(self, vocals: Audio, sample_rate: int, vocal_spans: Spans) -> list[float]:
        """The sung notes' onsets (seconds), for a caller that did not pass them (own pitch tracker, lazily)."""
        from tunesmith.analysis.melody import SwiftF0MelodyTranscriber

        if self._melody is None:
            self._melody = SwiftF0MelodyTranscriber(threads=self.threads)
            self._melody.load()
        return [n.onset_s for n in self._melody.transcribe(vocals, sample_rate, tuple(vocal_spans))]

    def read(self, vocals: Audio, sample_rate: int, vocal_spans: Spans, *, lyrics: str | None = None,
             language: str | None = None, onsets: Sequence[float] | None = None) -> Lyrics:
        """Words with times: ``lyrics`` aligned when given, else transcribed; nothing where no one sings."""
        language = language or (guess_language(lyrics) if lyrics and lyric_lines(lyrics) else None)
        if not vocal_spans:
            return Lyrics(language or "", "none")
        mono = to_mono_16k(vocals, sample_rate)
        spans = padded_spans(vocal_spans, mono.size / WHISPER_SR)
        audio = mask(mono, spans)
        if audio.size == 0 or float(np.sqrt(np.mean(np.square(audio)))) < SILENCE_RMS:
            return Lyrics(language or "", "none")
        self.load()
        language = language or self.detect_language(sung_audio(mono, spans))
        heard = recognised_words(self.transcribe(audio, language), spans, language=language, filters=self.filters)
        if language == "zh":  # one character, one sung syllable: set each on its note's onset
            if onsets is None:
                onsets = self.note_onsets(vocals, sample_rate, vocal_spans)
            heard = snap_to_onsets(heard, list(onsets))
        if lyrics and lyric_lines(lyrics):
            return Lyrics(language, "aligned", align(lyric_words(lyrics), heard, tuple(vocal_spans)))
        return Lyrics(language, "transcribed", heard) if heard else Lyrics(language, "none")

    def detect_language(self, audio: npt.NDArray[np.float32]) -> str:
        """The most likely of :attr:`languages` for the sung parts of ``audio`` (16 kHz mono)."""
        _, _, ranked = self._model.detect_language(audio=audio)
        scores = dict(ranked)
        return max(self.languages, key=lambda code: scores.get(code, 0.0))

    def transcribe(self, audio: npt.NDArray[np.float32], language: str) -> list[Any]:
        """Whisper's segments (with words) for ``audio`` (16 kHz mono), in seconds."""
        segments, _ = self._model.transcribe(
            audio, language=language, beam_size=5, word_timestamps=True, vad_filter=False,
            condition_on_previous_text=False, temperature=list(self.temperatures),
        )
        return list(segments)
