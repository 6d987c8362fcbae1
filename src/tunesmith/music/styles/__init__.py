"""Style knowledge: the genre and mood tables, EN/ZH vocabulary, the style-prompt parser, the
styleWeight/weirdness controls and the style booster."""

from tunesmith.music.styles.boost import boost_style
from tunesmith.music.styles.controls import Controls
from tunesmith.music.styles.genres import DEFAULT_GENRE, FILLS, GENRES, GENRES_BY_NAME, TRIPLE_DEFAULT
from tunesmith.music.styles.model import (
    CRASH_NOTE,
    DRUM_HITS,
    DRUM_ROLES,
    REQUIRED_ROLES,
    ROLES,
    DrumFill,
    Genre,
    Instrument,
    Mood,
    Progression,
    RhythmPatterns,
)
from tunesmith.music.styles.parse import ResolvedStyle, parse_style, strip_style_words, style_vocabulary
from tunesmith.music.styles.vocabulary import MOODS

__all__ = [
    "CRASH_NOTE",
    "DEFAULT_GENRE",
    "DRUM_HITS",
    "DRUM_ROLES",
    "FILLS",
    "GENRES",
    "GENRES_BY_NAME",
    "MOODS",
    "REQUIRED_ROLES",
    "ROLES",
    "TRIPLE_DEFAULT",
    "Controls",
    "DrumFill",
    "Genre",
    "Instrument",
    "Mood",
    "Progression",
    "ResolvedStyle",
    "RhythmPatterns",
    "boost_style",
    "parse_style",
    "strip_style_words",
    "style_vocabulary",
]
