"""Spoken syllables: espeak's phoneme events grouped into onset, vowel nucleus and coda per word.

Both the syllabifier (which counts the syllables the melody needs) and the singer (which re-times
them) read this one segmentation, so the number of notes and the number of sung vowels always agree.
Positions are samples of the espeak utterance (22 050 Hz).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tunesmith.engines.builtin.singer.espeak import PhonemeClass, Utterance, WordEvent

ESPEAK_LANGUAGES = {"en": "en-us", "zh": "cmn"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Phone:
    """One phoneme of an utterance, ``start``/``end`` in samples."""

    name: str
    kind: PhonemeClass
    start: int
    end: int

    @property
    def vowel(self) -> bool:
        return self.kind == PhonemeClass.VOWEL


@dataclass(frozen=True, slots=True)
class SpokenSyllable:
    """A syllable as espeak spoke it: ``onset`` consonants, ``nucleus`` vowel(s), ``coda`` consonants.

    ``nucleus`` is empty only for a word that espeak spoke without any vowel; then its consonants
    stand in for it (see :meth:`core`).
    """

    onset: tuple[Phone, ...]
    nucleus: tuple[Phone, ...]
    coda: tuple[Phone, ...]

    @property
    def start(self) -> int:
        return (self.onset or self.nucleus or self.coda)[0].start

    @property
    def end(self) -> int:
        return (self.coda or self.nucleus or self.onset)[-1].end

    def core(self) -> tuple[int, int]:
        """The sample span sung on the note(s): the vowel(s), or the whole syllable when vowel-less."""
        phones = self.nucleus or self.onset + self.coda
        return phones[0].start, phones[-1].end


def espeak_voice(language: str, variant: str = "") -> str:
    """The espeak voice name for a score language (``"en"``/``"zh"``) and variant (``"f3"``)."""
    base = ESPEAK_LANGUAGES.get(language, language)
    return f"{base}+{variant}" if variant else base


def is_han(text: str) -> bool:
    """Whether ``text`` is a single Han (Chinese) character."""
    return len(text) == 1 and _HAN.fullmatch(text) is not None


def spoken_text(words: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join words into the text espeak speaks, with each word's ``(start, end)`` character span.

    Consecutive Han characters are joined without spaces so espeak finds Chinese dictionary words
    (tone sandhi, polyphones); everything else is separated by spaces.
    """
    text, spans = "", []
    for i, word in enumerate(words):
        if i and not (is_han(word) and is_han(words[i - 1])):
            text += " "
        spans.append((len(text), len(text) + len(word)))
        text += word
    return text, spans


def segment(utterance: Utterance, spans: Sequence[tuple[int, int]]) -> list[list[SpokenSyllable]]:
    """The spoken syllables of each word of ``spans`` (character spans from :func:`spoken_text`)."""
    phones_per_word = _phones_per_word(utterance, spans)
    return [_syllables(phones) for phones in phones_per_word]


def _phones(utterance: Utterance) -> list[tuple[Phone, int]]:
    """Every phoneme with its span, tagged with the index of the WORD event it belongs to (-1: none).

    A WORD event shares its sample with the word's first phoneme, so a phoneme belongs to the last
    WORD event at or before it.
    """
    events = utterance.phonemes
    word_samples = [w.sample for w in utterance.words]
    out: list[tuple[Phone, int]] = []
    for i, ev in enumerate(events):
        end = events[i + 1].sample if i + 1 < len(events) else utterance.samples
        owner = bisect.bisect_right(word_samples, ev.sample) - 1
        out.append((Phone(ev.name, ev.kind, ev.sample, max(end, ev.sample)), owner))
    return out


def _phones_per_word(utterance: Utterance, spans: Sequence[tuple[int, int]]) -> list[list[Phone]]:
    groups: list[list[Phone]] = [[] for _ in utterance.words]
    for phone, owner in _phones(utterance):
        if owner >= 0 and phone.kind not in (PhonemeClass.PAUSE, PhonemeClass.STRESS, PhonemeClass.OTHER):
            groups[owner].append(phone)
    covered = _covered_words(utterance.words, spans)
    out: list[list[Phone]] = [[] for _ in spans]
    for phones, words in zip(groups, covered, strict=True):
        for word, part in zip(words, _split_phones(phones, len(words)), strict=True):
            out[word].extend(part)
    return out


def _covered_words(events: Sequence[WordEvent], spans: Sequence[tuple[int, int]]) -> list[list[int]]:
    """For each WORD event, the words of ``spans`` it speaks.

    Usually one; a Chinese dictionary word covers several Han characters (up to the next event's
    word); several events on one written word (``well-known``) each cover just that word.
    """
    if not spans:
        return [[] for _ in events]
    starts = [s for s, _ in spans]
    firsts = [_word_at(ev.text_position, spans, starts) for ev in events]
    covered = []
    for k, first in enumerate(firsts):
        later = [f for f in firsts[k + 1 :] if f != first]
        stop = later[0] if later else len(spans)
        alone = firsts.count(first) == 1
        covered.append(list(range(first, stop)) if alone and stop > first else [first])
    return covered


def _word_at(position: int, spans: Sequence[tuple[int, int]], starts: list[int]) -> int:
    index = max(bisect.bisect_right(starts, position) - 1, 0)
    if index < len(spans) and position >= spans[index][1] and index + 1 < len(spans):
        return index + 1  # the position falls in the gap after a word
    return index


def _split_phones(phones: list[Phone], parts: int) -> list[list[Phone]]:
    """Split one espeak word over ``parts`` written words (Han characters): one vowel group each."""
    if parts <= 1:
        return [phones] * parts
    syllables = _syllables(phones)
    out: list[list[Phone]] = [[] for _ in range(parts)]
    for k, syl in enumerate(syllables):
        out[min(k, parts - 1)].extend(syl.onset + syl.nucleus + syl.coda)
    return out


def _syllables(phones: list[Phone]) -> list[SpokenSyllable]:
    """Group one word's phones around its vowels; consonants between vowels split by maximal onset."""
    vowels = [i for i, p in enumerate(phones) if p.vowel]
    if not vowels:
        return [SpokenSyllable((), (), tuple(phones))] if phones else []
    cuts = [0] + [_onset_cut(phones, a, b) for a, b in zip(vowels, vowels[1:], strict=False)] + [len(phones)]
    return [
        SpokenSyllable(tuple(phones[cuts[k] : v]), (phones[v],), tuple(phones[v + 1 : cuts[k + 1]]))
        for k, v in enumerate(vowels)
    ]


def _onset_cut(phones: list[Phone], vowel_a: int, vowel_b: int) -> int:
    """Where the next syllable starts between two vowels: it takes half the consonants, rounded up."""
    consonants = vowel_b - vowel_a - 1
    return vowel_b - (consonants + 1) // 2
