"""The genre table. Adding a genre means adding one entry to a module of :mod:`.library`; no code
elsewhere changes.

Pattern strings are documented in :mod:`tunesmith.music.styles.model`; programs are General MIDI
(0-based). Progressions are Roman numerals against the parent major/minor scale.
"""

from __future__ import annotations

from tunesmith.music.styles.library.band import BAND_GENRES
from tunesmith.music.styles.library.common import FILLS, TRIPLE_DEFAULT
from tunesmith.music.styles.library.electronic import ELECTRONIC_GENRES
from tunesmith.music.styles.library.groove import GROOVE_GENRES
from tunesmith.music.styles.library.urban import URBAN_GENRES
from tunesmith.music.styles.library.world import WORLD_GENRES
from tunesmith.music.styles.model import Genre

GENRES: tuple[Genre, ...] = BAND_GENRES + GROOVE_GENRES + URBAN_GENRES + ELECTRONIC_GENRES + WORLD_GENRES
DEFAULT_GENRE = "pop"
GENRES_BY_NAME: dict[str, Genre] = {g.name: g for g in GENRES}

__all__ = ["DEFAULT_GENRE", "FILLS", "GENRES", "GENRES_BY_NAME", "TRIPLE_DEFAULT"]
