"""Mandarin lexical tones kept in the sung pitch: each Han syllable bends toward its tone around its note.

Singing sets the pitch from the melody, so the tone of a character is otherwise lost; a listener (and an
ASR model) then has only the segments of a weak synthetic voice to go on. Here each syllable gets a
short pitch gesture at the start of its vowel — a rise for tone 2, a dip for tone 3, a fall for tone 4 —
that returns to the written note well before the middle of the note, so the melody stays in tune. Tones
come from ``pypinyin`` (with its tone-sandhi rules: 3-3 → 2-3, 一/不 changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from tunesmith.engines.builtin.singer.phonetics import is_han

Floats = npt.NDArray[np.float64]
NO_TONE = 0  # a syllable without a lexical tone (Latin words, neutral tone)


@dataclass(frozen=True, slots=True)
class ToneShape:
    """A tone's pitch gesture: semitone offsets from the note at evenly spaced points of the gesture."""

    points: tuple[float, ...]


# Offsets in semitones relative to the sung note over the gesture; the last point is always 0 so the
# gesture lands on the note. Depths follow the relative heights of Chao's tone letters (55, 35, 214, 51).
TONE_SHAPES: dict[int, ToneShape] = {
    1: ToneShape((0.6, 0.3, 0.0)),
    2: ToneShape((-3.0, -2.2, -0.8, 0.0)),
    3: ToneShape((-1.5, -3.5, -3.0, -1.0, 0.0)),
    4: ToneShape((3.5, 2.0, 0.5, 0.0)),
}


def line_tones(words: Sequence[str]) -> list[int]:
    """The tone (1–4, or :data:`NO_TONE`) of each word of a lyric line; only single Han characters get one.

    Consecutive Han characters are read together so pypinyin picks the reading and sandhi of the phrase.
    """
    tones = [NO_TONE] * len(words)
    run: list[int] = []
    for index, word in enumerate([*words, ""]):
        if index < len(words) and is_han(word):
            run.append(index)
            continue
        if run:
            for position, tone in zip(run, _phrase_tones("".join(words[i] for i in run)), strict=True):
                tones[position] = tone
            run = []
    return tones


@cache
def _phrase_tones(text: str) -> tuple[int, ...]:
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    if len(readings) != len(text):
        return (NO_TONE,) * len(text)
    return tuple(_tone_number(r) for r in readings)


def _tone_number(reading: str) -> int:
    last = reading[-1:] if reading else ""
    return int(last) if last in "1234" else NO_TONE


def tone_offsets(
    tone: int,
    times: Floats,
    start_s: float,
    vowel_end_s: float,
    *,
    depth: float = 1.0,
    max_gesture_s: float = 0.22,
    max_share: float = 0.4,
) -> Floats:
    """Semitone offsets at ``times`` (s) for a syllable of ``tone`` whose vowel starts at ``start_s``.

    The gesture lasts ``min(max_gesture_s, max_share × vowel length)`` seconds from ``start_s`` and is
    scaled by ``depth``; it is 0 outside that window and for :data:`NO_TONE`/unknown tones.
    """
    shape = TONE_SHAPES.get(tone)
    out = np.zeros_like(times)
    length = min(max_gesture_s, max_share * (vowel_end_s - start_s))
    if shape is None or length <= 0:
        return out
    inside = (times >= start_s) & (times < start_s + length)
    u = (times[inside] - start_s) / length * (len(shape.points) - 1)
    out[inside] = depth * np.interp(u, np.arange(len(shape.points)), np.asarray(shape.points))
    return out
