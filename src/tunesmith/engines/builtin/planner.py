"""The text stage: a :class:`SongRequest` → a :class:`SongPlan` of two tracks (title, lyrics, tags, seed).

Custom mode keeps the user's lyrics and title verbatim; non-custom mode writes them from the idea with
the lyricist, one variant per track. Track seeds derive from ``request.seed`` so a seed reproduces the
whole task and the two tracks still differ.
"""

from __future__ import annotations

import hashlib
import random

from tunesmith.engines.base import SongPlan, SongRequest, TrackPlan
from tunesmith.engines.builtin.lyricist import write_lyrics
from tunesmith.music.lyrics import detect_language, parse_lyrics
from tunesmith.music.styles import parse_style

TRACKS_PER_TASK = 2
"""The hosted API yields two tracks per generate request."""
SEED_LIMIT = 2**31
"""Seeds are non-negative and below this."""
TITLE_WORDS = 6
"""Words of the first lyric line used as a title when custom mode has none."""


def track_seed(base: int, index: int) -> int:
    """A stable per-track seed in ``[0, 2**31)`` derived from the task seed and track index."""
    digest = hashlib.sha256(f"tunesmith:{base}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % SEED_LIMIT


def base_seed(request: SongRequest) -> int:
    """The request's seed, or a fresh random one when it has none."""
    return request.seed if request.seed is not None else random.SystemRandom().randrange(SEED_LIMIT)


def fallback_title(lyrics: str, style: str) -> str:
    """A title for custom mode without one: the first sung words, else the style's genre."""
    parsed = parse_lyrics(lyrics)
    first = next((line.text for s in parsed.sections for line in s.lines if not line.backing), "")
    if first:
        return " ".join(first.split()[:TITLE_WORDS]) if parsed.language == "en" else first[:12]
    return parse_style(style).genre.display


def _custom_track(request: SongRequest, index: int, seed: int) -> TrackPlan:
    lyrics = "" if request.instrumental else request.lyrics
    language = detect_language(lyrics or request.title or request.style)
    title = request.title or fallback_title(lyrics, request.style)
    return TrackPlan(index, title, lyrics, request.style, language, seed)


def _generated_track(request: SongRequest, index: int, seed: int) -> TrackPlan:
    idea = request.idea or request.style
    language = detect_language(request.lyrics or idea)
    draft = write_lyrics(idea, seed, language)
    lyrics = "" if request.instrumental else request.lyrics or draft.lyrics
    tags = request.style or parse_style(f"{idea} {request.style}").tags()
    return TrackPlan(index, draft.title, lyrics, tags, language, seed)


def make_plan(request: SongRequest) -> SongPlan:
    """Plan the two tracks of a generate request."""
    base = base_seed(request)
    build = _custom_track if request.custom else _generated_track
    tracks = tuple(build(request, i, track_seed(base, i)) for i in range(TRACKS_PER_TASK))
    return SongPlan(request, tracks)
