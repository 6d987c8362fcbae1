"""English lyrics from an idea: theme words from the idea, template lines fitted to per-section
syllable targets (CMU syllable counts), rhyme schemes from CMU rhyming parts."""

from __future__ import annotations

import random
import re
from functools import cache

import pronouncing

from tunesmith.engines.builtin.lyricist.common import (
    STRUCTURES,
    Draft,
    SectionSpec,
    fit_lines,
    rhyme_groups,
    scheme_ends,
    song_text,
    write_sections,
)

STOP_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from",
    "about", "song", "songs", "track", "tune", "music", "write", "make", "me", "my", "i", "you", "your",
    "we", "our", "it", "its", "is", "are", "be", "was", "were", "this", "that", "these", "those",
    "some", "something", "like", "please", "want", "need", "called", "titled", "lyrics", "lyric",
    "tell", "story", "one", "two", "into", "over", "under", "very", "really", "just", "feel", "feeling",
    "style", "genre", "vibe", "sound", "all", "every", "much", "many", "more", "most", "get", "got", "go",
    "going", "gonna", "let", "lets", "made", "can", "will", "would", "could", "should", "have", "has",
    "had", "do", "does", "did", "not", "yes", "up", "down", "out", "off", "again", "ever", "never",
    "always", "only", "also", "too", "here", "there", "when", "where", "what", "who", "how", "why",
    "they", "them", "their", "he", "she", "him", "her", "his", "us", "than", "then", "long", "way",
    "kind", "sort", "lot", "bit", "thing", "things", "someone", "everything", "anything", "nothing",
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

TEMPLATES: dict[str, tuple[str, ...]] = {
    "verse": (
        "{Theme} is calling through the {end}", "I can feel it in the {end}", "We were running from the {end}",
        "Holding on to every {end}", "Underneath a silver {end}", "Like a whisper in the {end}",
        "Chasing {theme} across the {end}", "Every {theme} becomes a {end}", "Take me back into the {end}",
        "Dreaming of the {theme} and the {end}", "Waiting by the open {end}", "Singing softly to the {end}",
        "All the {theme} we left behind the {end}", "Counting down the hours to the {end}",
        "Painted {theme} upon the {end}", "Walking slowly down the {end}", "I remember {theme} and the {end}",
        "Streetlights fading on the {end}", "Little {theme} beside the {end}", "Morning breaking on the {end}",
    ),
    "pre": (
        "Can you feel it in the {end}", "Something's rising in the {end}", "Hold your breath before the {end}",
        "Now the {theme} is in the {end}", "Every heartbeat finds the {end}", "Here we go into the {end}",
        "Closer, closer to the {end}", "Let the {theme} become the {end}",
    ),
    "chorus": (
        "Oh, this {theme} is our {end}", "Sing it out into the {end}", "We will never lose the {end}",
        "Hold me close beneath the {end}", "Let the {theme} light up the {end}", "Tonight we own the {end}",
        "Turn it up and find the {end}", "Oh-oh, {theme} and the {end}", "Carry me across the {end}",
        "Forever in the {theme} {end}", "Say it loud into the {end}", "We are burning like the {end}",
    ),
    "bridge": (
        "When the {theme} is gone, I still see the {end}", "Maybe we were made to find the {end}",
        "If the {theme} should fall, I'll be your {end}", "Every road leads back into the {end}",
        "Even in the dark I hear the {end}", "All I ever wanted was the {end}",
    ),
}  # fmt: skip
"""Line templates per section pool; ``{end}`` is the rhyming line end, ``{theme}`` a theme word."""
SYLLABLE_TARGETS: dict[str, int] = {"verse": 8, "pre": 7, "chorus": 7, "bridge": 9}
"""Syllables per line each pool aims at (the seed shifts a song's targets by −1…+1)."""
DEFAULT_THEMES = ("love", "night", "summer")


@cache
def rhyme_key(word: str) -> str | None:
    """The CMU rhyming part of ``word`` (last stressed vowel onward), or ``None`` if not in the dict."""
    phones = pronouncing.phones_for_word(word.lower())
    return pronouncing.rhyming_part(phones[0]) if phones else None


@cache
def word_syllables(word: str) -> int:
    """Syllables of one word: CMU dict, else vowel groups (at least 1)."""
    phones = pronouncing.phones_for_word(word.lower())
    if phones:
        return int(pronouncing.syllable_count(phones[0]))
    return max(1, len(re.findall(r"[aeiouy]+", word.lower().rstrip("e"))))


def line_syllables(line: str) -> int:
    """Syllables of a lyric line (sum over its words)."""
    return sum(word_syllables(w) for w in re.findall(r"[A-Za-z']+", line))


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
    """A title and sectioned lyrics on the idea's themes: a seeded structure (verse/pre-chorus/chorus/
    bridge), each section in its rhyme scheme, lines near the section's syllable target, the title in
    the chorus's first line."""
    rng = random.Random(seed)
    themes = theme_words(idea)
    groups = rhyme_groups(END_NOUNS + tuple(themes), rhyme_key)
    title = title_for(themes, rng)
    shift = rng.choice((-1, 0, 1))

    def write(spec: SectionSpec) -> list[str]:
        ends = scheme_ends(spec.scheme, groups, rng)
        target = SYLLABLE_TARGETS[spec.pool] + shift
        lines = fit_lines(TEMPLATES[spec.pool], ends, themes, target, line_syllables, rng)
        if spec.pool == "chorus":
            lines[0] = f"{title}, {lines[0][0].lower()}{lines[0][1:]}"
        return lines

    structure = rng.choice(STRUCTURES)
    return Draft(title, song_text(write_sections(structure, write, "en")), "en")
