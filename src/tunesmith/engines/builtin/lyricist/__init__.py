"""The built-in lyricist: writes a title and sectioned lyrics from a free-text idea (EN or ZH).

Template- and word-bank-based: theme words come from the idea, line ends rhyme (CMU dict for English,
pinyin finals for Chinese) and every choice follows the seed, so two seeds give two different songs.
"""

from __future__ import annotations

from tunesmith.engines.builtin.lyricist.chinese import write_chinese
from tunesmith.engines.builtin.lyricist.common import Draft
from tunesmith.engines.builtin.lyricist.english import write_english
from tunesmith.music.lyrics import detect_language
from tunesmith.music.styles import strip_style_words

__all__ = ["Draft", "write_lyrics"]


def write_lyrics(idea: str, seed: int, language: str | None = None) -> Draft:
    """Title + lyrics for ``idea`` in ``language`` (detected from the idea when ``None``).

    Genre, mood and instrument words are style, not subject, so they never become theme words.
    """
    lang = language or detect_language(idea)
    subject = strip_style_words(idea)
    return write_chinese(subject, seed) if lang == "zh" else write_english(subject, seed)
