"""The built-in lyricist: writes a title and sectioned lyrics from a free-text idea (EN or ZH).

Template- and word-bank-based: theme words come from the idea, line ends rhyme (CMU dict for English,
pinyin finals for Chinese) and every choice follows the seed, so two seeds give two different songs.
"""

from __future__ import annotations

from tunesmith.engines.builtin.lyricist.chinese import write_chinese
from tunesmith.engines.builtin.lyricist.common import Draft
from tunesmith.engines.builtin.lyricist.english import write_english
from tunesmith.music.lyrics import detect_language

__all__ = ["Draft", "write_lyrics"]


def write_lyrics(idea: str, seed: int, language: str | None = None) -> Draft:
    """Title + lyrics for ``idea`` in ``language`` (detected from the idea when ``None``)."""
    lang = language or detect_language(idea)
    return write_chinese(idea, seed) if lang == "zh" else write_english(idea, seed)
