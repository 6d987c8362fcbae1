"""Style knowledge: the genre table, EN/ZH vocabulary and the style-prompt parser."""

from tunesmith.music.styles.genres import DEFAULT_GENRE, GENRES, GENRES_BY_NAME, TRIPLE_DEFAULT
from tunesmith.music.styles.model import (
    CRASH_NOTE,
    DRUM_HITS,
    ROLES,
    Genre,
    Instrument,
    Mood,
    Progression,
    RhythmPatterns,
)
from tunesmith.music.styles.parse import ResolvedStyle, parse_style, strip_style_words, style_vocabulary

__all__ = [
    "CRASH_NOTE",
    "DEFAULT_GENRE",
    "DRUM_HITS",
    "GENRES",
    "GENRES_BY_NAME",
    "ROLES",
    "TRIPLE_DEFAULT",
    "Genre",
    "Instrument",
    "Mood",
    "Progression",
    "ResolvedStyle",
    "RhythmPatterns",
    "parse_style",
    "strip_style_words",
    "style_vocabulary",
]
