"""Sung-lyrics intelligibility: Whisper-base transcription (offline) and WER/CER.

The model is the CTranslate2 conversion of Whisper base shipped on PyPI in two wheels, loaded by the
product's :mod:`tunesmith.analysis.whisper` (which joins and hash-checks ``model.bin``); the bench keeps its
own cache folder (:func:`default_cache_dir`).
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from bench.metrics.audio import Audio, as_channels
from tunesmith.analysis import whisper
from tunesmith.digest import file_sha256

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

Language = Literal["en", "zh"]

WHISPER_SR = whisper.WHISPER_SR
MODEL_SHA256 = whisper.MODEL_SHA256
_sha256 = file_sha256
_SECTION_TAG = re.compile(r"\[[^\]]*\]|\([^)]*\)")


def default_cache_dir() -> Path:
    """Where the bench's joined model lives: ``$TUNESMITH_BENCH_CACHE`` or ``~/.cache/tunesmith-bench``."""
    root = os.environ.get("TUNESMITH_BENCH_CACHE") or Path.home() / ".cache" / "tunesmith-bench"
    return Path(root) / "whisper-base-ct2"


def model_dir(cache_dir: Path | None = None) -> Path:
    """A folder holding the complete, hash-checked Whisper-base model (:func:`tunesmith.analysis.whisper.model_dir`
    in the bench's cache unless ``cache_dir`` is given)."""
    return whisper.model_dir(cache_dir or default_cache_dir())


def load_whisper(cache_dir: Path | None = None, *, cpu_threads: int = 2) -> WhisperModel:
    """Whisper base on CPU with int8 weights, loaded strictly offline (from the bench's cache)."""
    return whisper.load_whisper(cache_dir or default_cache_dir(), cpu_threads=cpu_threads)


def transcribe(model: WhisperModel, audio: Audio, sr: int, *, language: Language) -> str:
    """Text Whisper hears in ``audio`` (any rate; mixed to mono and resampled to 16 kHz)."""
    import librosa

    mono = as_channels(audio).mean(axis=0)
    if sr != WHISPER_SR:
        mono = librosa.resample(mono, orig_sr=sr, target_sr=WHISPER_SR)
    segments, _info = model.transcribe(
        mono.astype(np.float32),
        language=language,
        beam_size=5,
        vad_filter=False,
        condition_on_previous_text=False,
    )
    return " ".join(segment.text.strip() for segment in segments).strip()


def lyrics_reference(lyrics: str) -> str:
    """The words meant to be sung: section tags like ``[Chorus]`` and ``(ad-libs)`` removed."""
    return " ".join(_SECTION_TAG.sub(" ", lyrics).split())


def normalise_en(text: str) -> list[str]:
    """Words as Whisper's own English normaliser writes them (OpenAI's ``EnglishTextNormalizer``, from the
    ``whisper-normalizer`` package): lower case, no punctuation, contractions expanded (``we're`` → ``we
    are``), British spellings and spelled-out numbers standardised, hesitations (``uh``, ``hmm``) dropped.

    It is the normaliser Whisper's published word error rates are computed with. Lyrics write ``we are``
    where Whisper writes ``we're``: without it each correctly heard contraction counted as two errors
    (:func:`normalise_en_strict` keeps that reading, reported next to it)."""
    return _english_normaliser()(text).split()


def normalise_en_strict(text: str) -> list[str]:
    """Lower-case words without punctuation (apostrophes inside words kept): ``we're`` ≠ ``we are``."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = re.sub(r"[^\w\s']|_", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


@functools.cache
def _english_normaliser() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    normaliser: Callable[[str], str] = EnglishTextNormalizer()
    return normaliser


_ONE_TRADITIONAL_CHARACTER = str.maketrans({"著": "着"})
"""Simplified pairs that are one character in traditional script, folded on both sides after OpenCC.

Traditional writes the aspect particle 着 (zhe, 唱着) as 著; OpenCC's ``t2s`` keeps 著 unless a phrase
table entry says otherwise (著 is also a simplified character: 著名), so Whisper's 亮著/帶著 scored as a
wrong character against the lyrics' 亮着/带着. Both sides are folded, so the metric cannot tell 着 from 著
either way — as traditional script cannot."""


def normalise_zh(text: str) -> list[str]:
    """Simplified Chinese characters only (Whisper often writes traditional ones); Latin words kept whole."""
    import opencc

    simplified = opencc.OpenCC("t2s").convert(unicodedata.normalize("NFKC", text))
    simplified = simplified.translate(_ONE_TRADITIONAL_CHARACTER)
    return re.findall(r"[\u3400-\u9fff]|[a-z0-9']+", simplified.lower())


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance (substitutions + deletions + insertions) between two token sequences."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def error_rate(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """Edit distance divided by the reference length (0 = perfect; can exceed 1)."""
    if not reference:
        raise ValueError("empty reference")
    return edit_distance(reference, hypothesis) / len(reference)


def wer(reference: str, hypothesis: str, *, strict: bool = False) -> float:
    """English word error rate after :func:`normalise_en` (``strict``: :func:`normalise_en_strict`)."""
    normalise = normalise_en_strict if strict else normalise_en
    return error_rate(normalise(reference), normalise(hypothesis))


def cer(reference: str, hypothesis: str) -> float:
    """Chinese character error rate after :func:`normalise_zh`."""
    return error_rate(normalise_zh(reference), normalise_zh(hypothesis))


def lyrics_error_rate(reference_lyrics: str, hypothesis: str, language: Language, *, strict: bool = False) -> float:
    """WER (``en``; ``strict``: with :func:`normalise_en_strict`) or CER (``zh``) of a transcription against
    the lyrics as written."""
    reference = lyrics_reference(reference_lyrics)
    return wer(reference, hypothesis, strict=strict) if language == "en" else cer(reference, hypothesis)
