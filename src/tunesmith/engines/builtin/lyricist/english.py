"""English lyrics from an idea: theme words from the idea, template lines, CMU-dict rhymes."""

from __future__ import annotations

import random
import re
from functools import cache

import pronouncing

from tunesmith.engines.builtin.lyricist.common import Draft, fill_lines, rhyme_groups, rhyming_ends, song_text

STOP_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from",
    "about", "song", "songs", "track", "tune", "music", "write", "make", "me", "my", "i", "you", "your",
    "we", "our", "it", "its", "is", "are", "be", "was", "were", "this", "that", "these", "those",
    "some", "something", "like", "please", "want", "need", "called", "titled", "lyrics", "lyric",
    "tell", "story", "one", "two", "into", "over", "under", "very", "really", "just", "feel", "feeling",
    "style", "genre", "vibe", "sound",
})  # fmt: skip
"""Words that never become theme words."""

END_NOUNS: tuple[str, ...] = (
    "night", "light", "sky", "fire", "heart", "rain", "sea", "day", "way", "home", "road", "dream", "time",
    "sun", "moon", "shore", "door", "sound", "ground", "town", "eyes", "skies", "stars", "car", "guitar",
    "line", "sign", "wine", "flame", "name", "game", "street", "beat", "heat", "tide", "side", "ride",
    "air", "chair", "prayer", "song", "dawn", "lawn", "rose", "snow", "glow", "show", "soul",
    "goal", "storm", "morning", "wave", "cave", "breeze", "trees", "place", "space", "face", "grace",
    "hand", "land", "sand", "band", "mind", "kind", "view", "blue", "truth", "youth", "spring", "ring",
    "wing", "bay", "ray", "gold", "cold", "mile", "smile", "while", "star", "bar", "scar", "wall", "fall",
)  # fmt: skip
"""Concrete nouns a line may end on; grouped by rhyme at first use."""

VERSE_TEMPLATES: tuple[str, ...] = (
    "{Theme} is calling through the {end}",
    "I can feel it in the {end}",
    "We were running from the {end}",
    "Holding on to every {end}",
    "Underneath a silver {end}",
    "Like a whisper in the {end}",
    "Chasing {theme} across the {end}",
    "Every {theme} becomes a {end}",
    "Take me back into the {end}",
    "Dreaming of the {theme} and the {end}",
    "Waiting by the open {end}",
    "Singing softly to the {end}",
    "All the {theme} we left behind the {end}",
    "You and I and the {theme} by the {end}",
    "Counting down the hours to the {end}",
    "Painted {theme} upon the {end}",
)  # fmt: skip
CHORUS_TEMPLATES: tuple[str, ...] = (
    "Oh, this {theme} is our {end}",
    "Sing it out into the {end}",
    "We will never lose the {end}",
    "Hold me close beneath the {end}",
    "Let the {theme} light up the {end}",
    "Tonight we own the {end}",
    "Turn it up and find the {end}",
    "Oh-oh, {theme} and the {end}",
    "Carry me across the {end}",
    "Forever in the {theme} {end}",
)  # fmt: skip
DEFAULT_THEMES = ("love", "night", "summer")


@cache
def rhyme_key(word: str) -> str | None:
    """The CMU rhyming part of ``word`` (last stressed vowel onward), or ``None`` if not in the dict."""
    phones = pronouncing.phones_for_word(word.lower())
    return pronouncing.rhyming_part(phones[0]) if phones else None


def singular(word: str) -> str:
    """A light singular form (``nights`` → ``night``) so theme words fit ``the {theme}`` slots."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def theme_words(idea: str) -> list[str]:
    """Content words of the idea in order, singular, without stop words; defaults if none."""
    words = [singular(w) for w in re.findall(r"[a-z']+", idea.lower()) if w not in STOP_WORDS and len(w) > 2]
    return list(dict.fromkeys(words)) or list(DEFAULT_THEMES)


def title_for(themes: list[str], rng: random.Random) -> str:
    """A short title from one or two theme words."""
    options = [[w] for w in themes] + [list(pair) for pair in zip(themes, themes[1:], strict=False)]
    return " ".join(w.capitalize() for w in rng.choice(options))


def write_english(idea: str, seed: int) -> Draft:
    """A title and [Verse]/[Chorus]/[Verse 2]/[Chorus] lyrics (4 lines each) on the idea's themes."""
    rng = random.Random(seed)
    themes = theme_words(idea)
    groups = rhyme_groups(END_NOUNS + tuple(themes), rhyme_key)
    verse_ends = rhyming_ends(groups, 2, rng) + rhyming_ends(groups, 2, rng)
    chorus_ends = rhyming_ends(groups, 4, rng, avoid=frozenset(verse_ends))
    verse2_ends = rhyming_ends(groups, 2, rng) + rhyming_ends(groups, 2, rng)
    title = title_for(themes, rng)
    chorus = fill_lines(CHORUS_TEMPLATES, chorus_ends, themes, rng)
    chorus[0] = f"{title}, {chorus[0][0].lower()}{chorus[0][1:]}"
    sections = [
        ("Verse", fill_lines(VERSE_TEMPLATES, verse_ends, themes, rng)),
        ("Chorus", chorus),
        ("Verse 2", fill_lines(VERSE_TEMPLATES, verse2_ends, themes, rng)),
        ("Chorus", chorus),
    ]
    return Draft(title, song_text(sections), "en")
