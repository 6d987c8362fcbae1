"""Free-text style prompt (EN/ZH) → a resolved style the composer can act on.

Reads, in English and Chinese: genre keywords (the longest-covering genre wins; genres named in the
negative tags are never chosen), mood words, explicit tempo (``92 bpm``, ``每分钟90拍``), key
(``in D minor``, ``F#m``, ``降E大调``) and meter (``6/8``, ``waltz``), named instruments (they take over
their role, so they sound), vocal descriptors (``female vocals``, ``男声``), "instrumental" words, and
exclusions — the negative tags, plus negated phrases in the style (``no drums``, ``不要鼓``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from tunesmith.music.score import StemFamily
from tunesmith.music.styles.genres import DEFAULT_GENRE, GENRES, GENRES_BY_NAME
from tunesmith.music.styles.model import Genre, Instrument, Mood
from tunesmith.music.styles.vocabulary import (
    FAMILY_WORDS,
    INSTRUMENT_WORDS,
    INSTRUMENTAL_WORDS,
    MOODS,
    NEGATIONS_EN,
    NEGATIONS_ZH,
    VOICE_WORDS,
)
from tunesmith.music.theory import MODE_FAMILY, PITCH_CLASS_SPELLING, SCALES, parse_pitch_class

TEMPO_LIMITS = (40.0, 220.0)
"""Quarter-note BPM bounds for any explicit or mood-nudged tempo."""

MODE_WORDS: dict[str, str] = {
    "major": "major", "maj": "major", "minor": "minor", "min": "minor", "dorian": "dorian",
    "mixolydian": "mixolydian", "lydian": "lydian", "phrygian": "phrygian", "大调": "major", "小调": "minor",
}  # fmt: skip
METER_WORDS: dict[str, tuple[int, int]] = {"waltz": (3, 4), "华尔兹": (3, 4), "圆舞曲": (3, 4)}
ZH_ACCIDENTALS: dict[str, str] = {"升": "#", "降": "b", "": ""}

_BPM_RES = (
    re.compile(r"(\d{2,3}(?:\.\d+)?)\s*(?:bpm|beats per minute)", re.I),
    re.compile(r"(?:bpm|tempo|速度)\s*[:=：]?\s*(\d{2,3}(?:\.\d+)?)", re.I),
    re.compile(r"每分钟\s*(\d{2,3})\s*拍"),
)
_KEY_WITH_MODE_RE = re.compile(
    r"(?<![A-Za-z])([A-Ga-g])\s*([#b♯♭]?)\s*(major|minor|dorian|mixolydian|lydian|phrygian)\b", re.I
)
_KEY_AFTER_IN_RE = re.compile(r"\b(?:in|key of|key)\s+([A-G])([#b♯♭]?)(m)?(?![A-Za-z])")
_KEY_ZH_RE = re.compile(r"(升|降)?([A-G])\s*([#b♯♭]?)\s*(大调|小调)")
_MODE_ONLY_RE = re.compile(r"\b(major|minor|dorian|mixolydian|lydian|phrygian)\b(?:\s+key)?|(大调|小调)", re.I)
_METER_RE = re.compile(r"\b(2|3|4|5|6|7|9|12)\s*/\s*(2|4|8|16)\b")


@dataclass(frozen=True)
class ResolvedStyle:
    """A style prompt resolved against the genre table.

    ``tempo_bpm``/``tonic``/``mode``/``meter`` are explicit user overrides (``None`` = composer chooses);
    ``tempo_range`` (quarter-note BPM) and ``modes`` are the genre's, already nudged by mood words.
    ``excluded`` families must never sound; ``preferred`` families were named positively; ``named``
    are the instruments the prompt names (``named_words`` the words that named them); ``voice`` is a
    vocal gender descriptor (``"f"``/``"m"``) and ``instrumental`` asks for no voice at all.
    """

    genre: Genre
    tempo_range: tuple[float, float]
    modes: tuple[str, ...]
    moods: tuple[str, ...] = ()
    tempo_bpm: float | None = None
    tonic: int | None = None
    mode: str | None = None
    meter: tuple[int, int] | None = None
    excluded: frozenset[StemFamily] = frozenset()
    preferred: frozenset[StemFamily] = frozenset()
    named: tuple[Instrument, ...] = ()
    named_words: tuple[str, ...] = ()
    voice: str | None = None
    instrumental: bool = False

    def candidates(self, role: str) -> list[Instrument]:
        """Non-excluded instruments for ``role``: named ones first, then preferred families, then the
        genre's own order."""
        own = [i for i in self.genre.instruments_for(role) if i.family not in self.excluded]
        own.sort(key=lambda i: i.family not in self.preferred)
        return [i for i in self.named if i.role == role and i.family not in self.excluded] + own

    def instrument_for(self, role: str) -> Instrument | None:
        """The first candidate for ``role`` (see :meth:`candidates`), or ``None``."""
        found = self.candidates(role)
        return found[0] if found else None

    def tags(self) -> str:
        """A comma-separated tag list describing this style, parseable back to the same genre."""
        parts = [*self.genre.tags, *self.moods, *self.named_words]
        parts += [w for w, g in VOICE_WORDS.items() if g == self.voice][:1]
        parts += ["instrumental"] if self.instrumental else []
        if self.tempo_bpm is not None:
            parts.append(f"{self.tempo_bpm:g} bpm")
        if self.tonic is not None:
            parts.append(f"in {PITCH_CLASS_SPELLING[self.tonic]} {self.mode or ''}".rstrip())
        if self.meter is not None:
            parts.append(f"{self.meter[0]}/{self.meter[1]}")
        parts += [f"no {f.value.replace('_', ' ')}" for f in sorted(self.excluded, key=lambda f: f.value)]
        return ", ".join(dict.fromkeys(parts))


@cache
def _word_re(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")


def contains_word(text: str, word: str) -> bool:
    """Whole-word match for Latin words (``text`` lower-cased), substring match for Chinese."""
    return bool(_word_re(word).search(text)) if word.isascii() else word in text


@cache
def style_vocabulary() -> frozenset[str]:
    """Every genre keyword, mood word and instrument word (EN lower-case and ZH) the parser knows."""
    words = {w for g in GENRES for w in (*g.keywords_en, *g.keywords_zh, *g.tags)}
    words |= {w for m in MOODS for w in (*m.words_en, *m.words_zh)}
    return frozenset(words | set(FAMILY_WORDS) | set(INSTRUMENT_WORDS) | set(VOICE_WORDS))


def strip_style_words(text: str) -> str:
    """``text`` with every :func:`style_vocabulary` word blanked out (longest first)."""
    lowered = text.lower()
    for word in sorted(style_vocabulary(), key=len, reverse=True):
        lowered = _word_re(word).sub(" ", lowered) if word.isascii() else lowered.replace(word, " ")
    return lowered


def genre_scores(text: str) -> dict[str, int]:
    """Per genre name: how many characters of ``text`` its keywords cover (0 = not mentioned)."""
    lowered = text.lower()
    return {g.name: sum(len(k) for k in (*g.keywords_en, *g.keywords_zh) if contains_word(lowered, k)) for g in GENRES}


def match_genre(text: str, excluded: frozenset[str] = frozenset()) -> Genre:
    """The genre whose keywords cover the most characters of ``text``, never one in ``excluded``;
    the default genre (or the first allowed one) when nothing matches."""
    scores = {name: score for name, score in genre_scores(text).items() if name not in excluded}
    best = max(scores, key=lambda name: scores[name], default=None)
    if best is not None and scores[best] > 0:
        return GENRES_BY_NAME[best]
    fallback = DEFAULT_GENRE if DEFAULT_GENRE not in excluded else next(iter(scores), DEFAULT_GENRE)
    return GENRES_BY_NAME[fallback]


def named_genres(text: str) -> frozenset[str]:
    """Names of every genre a keyword of ``text`` mentions."""
    return frozenset(name for name, score in genre_scores(text).items() if score > 0)


def match_moods(text: str) -> tuple[Mood, ...]:
    lowered = text.lower()
    return tuple(m for m in MOODS if any(contains_word(lowered, w) for w in (*m.words_en, *m.words_zh)))


def _blank(text: str, word: str) -> str:
    return _word_re(word).sub(" ", text) if word.isascii() else text.replace(word, " ")


def families_named(text: str) -> frozenset[StemFamily]:
    """Every stem family a family or instrument word in ``text`` names (longest words first)."""
    lowered = text.lower()
    found: set[StemFamily] = set()
    words: dict[str, tuple[StemFamily, ...]] = {w: (i.family,) for w, i in INSTRUMENT_WORDS.items()}
    words.update(FAMILY_WORDS)
    for word in sorted(words, key=len, reverse=True):
        if contains_word(lowered, word):
            found.update(words[word])
            lowered = _blank(lowered, word)
    return frozenset(found)


def instruments_named(text: str) -> tuple[tuple[str, Instrument], ...]:
    """(word, instrument) for every instrument word in ``text``, longest words first, each once."""
    lowered = text.lower()
    found: list[tuple[str, Instrument]] = []
    for word in sorted(INSTRUMENT_WORDS, key=len, reverse=True):
        if contains_word(lowered, word):
            found.append((word, INSTRUMENT_WORDS[word]))
            lowered = _blank(lowered, word)
    return tuple(found)


def voice_named(text: str) -> str | None:
    """``"f"``/``"m"`` when a vocal descriptor (``female vocals``, ``男声``) appears, longest first."""
    lowered = text.lower()
    ordered = sorted(VOICE_WORDS, key=len, reverse=True)
    return next((VOICE_WORDS[w] for w in ordered if contains_word(lowered, w)), None)


def asks_instrumental(text: str) -> bool:
    """Whether ``text`` has an "instrumental" style word (``instrumental``, ``纯音乐`` …)."""
    lowered = text.lower()
    return any(contains_word(lowered, w) for w in INSTRUMENTAL_WORDS)


def negated_phrases(text: str) -> list[str]:
    """The phrases following a negation (``no drums``, ``without bass and piano``, ``不要鼓``)."""
    lowered = text.lower()
    en = "|".join(NEGATIONS_EN)
    zh = "|".join(NEGATIONS_ZH)
    phrases = re.findall(rf"\b(?:{en})[\s\-]+([^,，.。;；!！?？|/\n]+)", lowered)
    phrases += re.findall(rf"(?:{zh})([^,，.。;；!！?？|/\n]+)", lowered)
    return phrases


def explicit_tempo(text: str) -> float | None:
    """``"92 bpm"``, ``"tempo 120"``, ``"每分钟90拍"`` → BPM clamped to :data:`TEMPO_LIMITS`."""
    for pattern in _BPM_RES:
        found = pattern.search(text)
        if found:
            return min(max(float(found.group(1)), TEMPO_LIMITS[0]), TEMPO_LIMITS[1])
    return None


def explicit_key(text: str) -> tuple[int | None, str | None]:
    """``in D minor``, ``key of Eb``, ``in F#m``, ``降E大调`` → (tonic pc, mode); either may be None."""
    zh = _KEY_ZH_RE.search(text)
    if zh:
        name = zh.group(2) + (ZH_ACCIDENTALS[zh.group(1) or ""] or zh.group(3))
        return parse_pitch_class(name), MODE_WORDS[zh.group(4)]
    with_mode = _KEY_WITH_MODE_RE.search(text)
    if with_mode:
        return parse_pitch_class(with_mode.group(1) + with_mode.group(2)), MODE_WORDS[with_mode.group(3).lower()]
    after_in = _KEY_AFTER_IN_RE.search(text)
    if after_in:
        mode = "minor" if after_in.group(3) else None
        return parse_pitch_class(after_in.group(1) + after_in.group(2)), mode
    mode_only = _MODE_ONLY_RE.search(text)
    return None, (MODE_WORDS[(mode_only.group(1) or mode_only.group(2)).lower()] if mode_only else None)


def explicit_meter(text: str) -> tuple[int, int] | None:
    """``"6/8"``, ``"3/4"``, ``"waltz"`` → (beats, unit)."""
    found = _METER_RE.search(text)
    if found:
        return int(found.group(1)), int(found.group(2))
    lowered = text.lower()
    return next((m for w, m in METER_WORDS.items() if contains_word(lowered, w)), None)


def _nudged(genre: Genre, moods: Iterable[Mood]) -> tuple[tuple[float, float], tuple[str, ...]]:
    factor, modes = 1.0, genre.modes
    for mood in moods:
        factor *= mood.tempo_factor
        if mood.family is not None:
            modes = tuple(m for m in modes if MODE_FAMILY[m] == mood.family) or (mood.family,)
    low, high = (min(max(t * factor, TEMPO_LIMITS[0]), TEMPO_LIMITS[1]) for t in genre.tempo)
    return (low, high), modes


def parse_style(text: str, negative: str = "") -> ResolvedStyle:
    """Resolve a style prompt (and the separate negative-tags text) against the genre table.

    Negative tags remove every family their instrument words name; in ``text`` only negated words
    (``no drums``, ``不要鼓``) remove families.
    """
    text, negative = text or "", negative or ""
    negated = "，".join(negated_phrases(text))
    instrumental = asks_instrumental(text)
    voiceless = frozenset({StemFamily.VOCALS, StemFamily.BACKING_VOCALS}) if instrumental else frozenset()
    excluded = families_named(negative) | families_named(negated) | voiceless
    positive = families_named(text) - families_named(negated)
    named = tuple((w, i) for w, i in instruments_named(text) if i.family not in excluded)
    moods = match_moods(text)
    genre = match_genre(text, named_genres(negative) | named_genres(negated))
    tempo_range, modes = _nudged(genre, moods)
    tonic, mode = explicit_key(text)
    if mode is not None and mode not in SCALES:
        mode = None
    return ResolvedStyle(
        genre=genre,
        tempo_range=tempo_range,
        modes=(mode,) if mode else modes,
        moods=tuple(m.name for m in moods),
        tempo_bpm=explicit_tempo(text),
        tonic=tonic,
        mode=mode,
        meter=explicit_meter(text),
        excluded=excluded,
        preferred=positive,
        named=tuple(i for _, i in named),
        named_words=tuple(w for w, _ in named),
        voice=voice_named(text),
        instrumental=instrumental,
    )
