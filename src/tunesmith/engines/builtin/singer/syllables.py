"""Syllabification the way the built-in singer sings: one syllable per vowel espeak-ng will speak.

English words are counted by speaking the whole line with espeak (so ``fire`` is one syllable and
``hour`` two, exactly as sung) and their spelling is cut into that many approximate orthographic
chunks. Chinese gets one syllable per Han character; Latin words inside a Chinese line are counted
as the Chinese voice speaks them. Numbers are spelled out, section tags and punctuation dropped.
"""

from __future__ import annotations

import re

from tunesmith.engines.builtin.singer.espeak import espeak
from tunesmith.engines.builtin.singer.numbers import spell_numbers
from tunesmith.engines.builtin.singer.phonetics import espeak_voice, is_han, segment, spoken_text
from tunesmith.music.score import LyricWord

_SECTION_TAG = re.compile(r"\[[^\]]*\]")
_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_](?:[^\W_\u3400-\u9fff]|['\-](?=[^\W_]))*"
)
_VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+", re.IGNORECASE)
_ONSETS = frozenset(
    [
        "th",
        "sh",
        "ch",
        "ph",
        "wh",
        "gh",
        "wr",
        "kn",
        "bl",
        "br",
        "cl",
        "cr",
        "dr",
        "fl",
        "fr",
        "gl",
        "gr",
        "pl",
        "pr",
        "tr",
        "st",
        "sk",
        "sp",
        "sl",
        "sm",
        "sn",
        "sw",
        "tw",
        "qu",
        "tl",
        "dl",
    ]
)


def normalise_line(line: str, language: str) -> list[str]:
    """The sung words of ``line``: section tags and punctuation removed, numbers spelled out."""
    text = _SECTION_TAG.sub(" ", line).replace("’", "'").replace("&", " and " if language == "en" else "和")
    return _TOKEN.findall(spell_numbers(text, language))


class EspeakSyllabifier:
    """The :class:`~tunesmith.engines.base.Syllabifier` of the built-in singer.

    Thread-safe (espeak calls are serialised); the first call initialises espeak-ng (~50 ms).
    """

    def syllabify(self, line: str, language: str) -> list[LyricWord]:
        """Split ``line`` (``language`` ``"en"`` or ``"zh"``) into sung words and syllables."""
        words = normalise_line(line, language)
        if not words:
            return []
        counts = syllable_counts(words, language)
        return [_lyric_word(word, count) for word, count in zip(words, counts, strict=True)]


def syllable_counts(words: list[str], language: str) -> list[int]:
    """How many vowels espeak sings in each word (≥ 1; a Han character is always exactly 1)."""
    text, spans = spoken_text(words)
    utterance = espeak().speak(text, voice=espeak_voice(language))
    spoken = segment(utterance, spans)
    return [1 if is_han(word) else max(1, len(syls)) for word, syls in zip(words, spoken, strict=True)]


def _lyric_word(word: str, count: int) -> LyricWord:
    return LyricWord(text=word, syllables=tuple(split_spelling(word, count)))


def split_spelling(word: str, count: int) -> list[str]:
    """Cut ``word`` into ``count`` non-empty chunks at plausible syllable boundaries.

    Boundaries go between vowel groups (``beau|ti|ful``); a silent-looking lone ``e`` loses its
    boundary first when there are too many, and the longest chunk is halved when there are too few.
    """
    if count <= 1 or len(word) < 2:
        return [word]
    cuts = _vowel_cuts(word)
    while len(cuts) > count - 1:
        cuts.remove(_least_likely_cut(word, cuts))
    chunks = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
    while len(chunks) < min(count, len(word)):
        longest = max(range(len(chunks)), key=lambda i: len(chunks[i]))
        piece = chunks[longest]
        chunks[longest : longest + 1] = [piece[: len(piece) // 2], piece[len(piece) // 2 :]]
    return chunks


def _vowel_cuts(word: str) -> list[int]:
    groups = list(_VOWEL_GROUP.finditer(word))
    cuts = []
    for a, b in zip(groups, groups[1:], strict=False):
        consonants = word[a.end() : b.start()]
        cuts.append(a.end() + _coda_length(consonants.lower()))
    return cuts


def _coda_length(consonants: str) -> int:
    """How many of the consonants between two vowel groups close the first syllable."""
    if len(consonants) <= 1:
        return 0
    return len(consonants) - (2 if consonants[-2:] in _ONSETS else 1)


def _least_likely_cut(word: str, cuts: list[int]) -> int:
    """The boundary to drop: before a lone ``e`` (``fi|re``, ``ev|e|ry``) if any, else the last."""
    lower = word.lower()
    for cut in reversed(cuts):
        group = _VOWEL_GROUP.search(lower, cut)
        if group and group.group() == "e":
            return cut
    return cuts[-1]
