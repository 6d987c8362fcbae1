"""One sung phrase: a lyric line's spoken syllables paired with the score syllables that sing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tunesmith.engines.base import WordTiming
from tunesmith.engines.builtin.singer.espeak import PhonemeClass
from tunesmith.engines.builtin.singer.phonetics import Phone, SpokenSyllable
from tunesmith.engines.builtin.singer.timemap import Placement, Span, SungNote, Unit
from tunesmith.music.score import LyricWord, Score, SungSyllable

NOISE_CLASSES = frozenset({PhonemeClass.STOP, PhonemeClass.FRICATIVE})
"""Unvoiced consonants: copied from the spoken source rather than re-synthesised (see ``noise_copies``)."""


@dataclass(frozen=True, slots=True)
class PhraseUnit:
    """A :class:`Unit` and the score syllables it sings (several when it holds one vowel over them)."""

    unit: Unit
    sung: tuple[SungSyllable, ...]


def pair_syllables(
    spoken: Sequence[SpokenSyllable], sung: Sequence[SungSyllable]
) -> list[tuple[SpokenSyllable, tuple[SungSyllable, ...]]]:
    """Pair one word's spoken syllables with its score syllables (both in order).

    Equal counts pair one to one. Extra score syllables share the last spoken vowel (a melisma);
    extra spoken syllables merge into the last score syllable, so no score syllable goes unsung.
    """
    if not spoken or not sung:
        return []
    if len(sung) >= len(spoken):
        groups: list[list[SungSyllable]] = [[] for _ in spoken]
        for rank, syllable in enumerate(sung):
            groups[min(rank, len(spoken) - 1)].append(syllable)
        return [(sp, tuple(g)) for sp, g in zip(spoken, groups, strict=True) if g]
    head = list(spoken[: len(sung) - 1]) + [merge_syllables(spoken[len(sung) - 1 :])]
    return [(sp, (s,)) for sp, s in zip(head, sung, strict=True)]


def merge_syllables(syllables: Sequence[SpokenSyllable]) -> SpokenSyllable:
    """Several spoken syllables as one: first onset, everything up to the last vowel as the nucleus."""
    first, last = syllables[0], syllables[-1]
    middle: tuple[Phone, ...] = first.nucleus + first.coda
    for syl in syllables[1:-1]:
        middle += syl.onset + syl.nucleus + syl.coda
    return SpokenSyllable(first.onset, middle + last.onset + last.nucleus, last.coda)


def make_unit(spoken: SpokenSyllable, sung: Sequence[SungSyllable], score: Score, sample_rate: int) -> Unit:
    """The time-map unit of a spoken syllable (source seconds) sung on the notes of ``sung``."""
    core_start, core_end = (t / sample_rate for t in spoken.core())
    onset = (
        _span(spoken.onset, sample_rate) if spoken.nucleus and spoken.onset else Span(core_start, core_start)
    )
    coda = _span(spoken.coda, sample_rate) if spoken.nucleus and spoken.coda else Span(core_end, core_end)
    notes = tuple(
        SungNote(score.seconds(n.start), score.seconds(n.end), n.pitch, n.velocity)
        for syllable in sung
        for n in syllable.notes
    )
    consonants = spoken.onset + spoken.coda if spoken.nucleus else ()
    noise = tuple(_span((p,), sample_rate) for p in consonants if p.kind in NOISE_CLASSES and p.end > p.start)
    return Unit(onset=onset, nucleus=Span(core_start, core_end), coda=coda, notes=notes, noise=noise)


def _span(phones: Sequence[Phone], sample_rate: int) -> Span:
    return Span(phones[0].start / sample_rate, phones[-1].end / sample_rate)


def word_timings(
    units: Sequence[PhraseUnit],
    placements: Sequence[Placement],
    score: Score,
    line: int,
    words: Sequence[LyricWord],
) -> list[WordTiming]:
    """Where each word of the phrase is sung (song seconds), with per-syllable times."""
    per_word: dict[int, list[tuple[str, float, float]]] = {}
    for phrase_unit, placed in zip(units, placements, strict=True):
        for k, syllable in enumerate(phrase_unit.sung):
            start = placed.whole.start if k == 0 else score.seconds(syllable.start)
            end = placed.whole.end if k == len(phrase_unit.sung) - 1 else score.seconds(syllable.end)
            per_word.setdefault(syllable.word, []).append((syllable.text, start, end))
    return [
        WordTiming(
            word=words[w].text, start_s=syls[0][1], end_s=syls[-1][2], line=line, syllables=tuple(syls)
        )
        for w, syls in sorted(per_word.items(), key=lambda item: item[1][0][1])
    ]
