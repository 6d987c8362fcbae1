"""One-line scores for the singer's tests."""

from __future__ import annotations

from tunesmith.engines.builtin.singer.syllables import EspeakSyllabifier
from tunesmith.music.score import Key, LyricLine, Note, Score, Section, SungSyllable, VocalLine

BEAT = 480  # ticks; one beat is 0.5 s at 120 bpm


def one_line_score(text: str, language: str, voice: str) -> Score:
    """One line, one beat per syllable from beat 2, on a C major scale."""
    words = tuple(EspeakSyllabifier().syllabify(text, language))
    refs = [(w, s, syl) for w, word in enumerate(words) for s, syl in enumerate(word.syllables)]
    base = 57 if voice.startswith("f") else 48
    notes = [Note((2 + k) * BEAT, BEAT, base + (0, 2, 4, 5, 7, 9, 11, 12)[k % 8]) for k in range(len(refs))]
    sung = tuple(SungSyllable(0, w, s, syl, (note,)) for (w, s, syl), note in zip(refs, notes, strict=True))
    vocal = VocalLine(language, voice, (LyricLine(text, words, 0),), sung)
    end = (len(refs) + 4) * BEAT
    return Score(120.0, (4, 4), Key(0, "major"), (Section("verse", "Verse", 0, end),), (), (), vocal)
