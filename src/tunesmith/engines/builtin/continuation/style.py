"""What new material inherits from the source: tempo, key, meter, genre, voice and instrument sounds.

The style parser reads explicit ``92 bpm``, ``in D minor`` and ``6/8`` (the first mention wins), so the
source's setting is written out as style text. An extension keeps each of these only where the new
style says nothing about it; a replaced section always keeps tempo, key and meter so that its bars line
up with the song around it.
"""

from __future__ import annotations

from dataclasses import replace

from tunesmith.engines.base import SongRequest
from tunesmith.engines.builtin.singer.voices import VOICES
from tunesmith.music.score import Part, Score
from tunesmith.music.styles import GENRES_BY_NAME, parse_style
from tunesmith.music.styles.parse import named_genres
from tunesmith.music.theory import PITCH_CLASS_SPELLING


def _setting_words(source: Score, tags: str, *, forced: bool) -> list[str]:
    """Tempo, key and meter of ``source`` as style words, each only where ``tags`` leaves it open
    (all of them when ``forced``)."""
    asked = parse_style(tags)
    words = []
    if forced or asked.tempo_bpm is None:
        words.append(f"{source.tempo_bpm:g} bpm")
    if forced or asked.tonic is None:
        mode = source.key.mode if forced or asked.mode is None else asked.mode
        words.append(f"in {PITCH_CLASS_SPELLING[source.key.tonic]} {mode}")
    if forced or asked.meter is None:
        words.append(f"{source.meter[0]}/{source.meter[1]}")
    return words


def _genre_words(source: Score, tags: str) -> list[str]:
    """The source genre's own tags when ``tags`` names no genre."""
    genre = GENRES_BY_NAME.get(source.metadata.get("genre", ""))
    return list(genre.tags) if genre is not None and not named_genres(tags) else []


def inherited_style(source: Score, tags: str, *, forced: bool) -> str:
    """Style text for new material that follows ``source``: ``tags`` plus what it leaves open.

    ``forced`` puts the source's tempo, key and meter first, so they win over anything in ``tags``.
    """
    setting = _setting_words(source, tags, forced=forced)
    genre = _genre_words(source, tags)
    ordered = [*setting, tags, *genre] if forced else [tags, *setting, *genre]
    return ", ".join(p for p in (w.strip() for w in ordered) if p)


def inherited_voice(request: SongRequest, source: Score) -> str | None:
    """The voice id to sing with: a persona's voice, else the source's unless another gender is asked."""
    if request.voice:
        return request.voice
    own = VOICES.get(source.vocal.voice) if source.vocal is not None else None
    if own is None:
        return None
    wanted = request.vocal_gender or parse_style(request.style).voice
    return own.id if wanted in (None, own.gender) else None


def same_sounds(score: Score, source: Score) -> Score:
    """``score`` played on ``source``'s instruments: the n-th part of each stem family (drums and
    pitched parts apart) takes the program, name, pan and gain of the source's n-th part of that family.
    Only used when both share a genre, whose mix presets assume those families."""
    pools: dict[tuple[str, bool], list[Part]] = {}
    for p in source.parts:
        pools.setdefault((p.family.value, p.is_drum), []).append(p)
    used: dict[tuple[str, bool], int] = {}
    parts = []
    for p in score.parts:
        key = (p.family.value, p.is_drum)
        n = used.get(key, 0)
        used[key] = n + 1
        pool = pools.get(key, [])
        if n < len(pool):
            own = pool[n]
            p = replace(p, name=own.name, program=own.program, pan=own.pan, gain_db=own.gain_db)
        parts.append(p)
    return replace(score, parts=tuple(parts))
