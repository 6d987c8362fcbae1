"""From a sound prompt to a plan: which recipe, how long, and (for loops) tempo, key and bars.

Recipes are data: each names the words that select it, what kind of sound it is and its defaults.
Explicit request fields win over what the prompt says ("… in Am at 85 bpm"), which wins over defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tunesmith.music.score import Key
from tunesmith.music.theory import parse_pitch_class

MIN_LOOP_S = 6.0  # a loop gets the fewest bars (1, 2, 4 or 8) that last at least this long
MAX_BARS = 8
MAX_ONE_SHOT_S = 30.0


@dataclass(frozen=True)
class Recipe:
    name: str
    words: tuple[str, ...]  # any of these (as a word prefix) in the prompt selects the recipe
    kind: str  # "texture" (steady noise-based), "oneshot" (an event) or "music" (tempo and key)
    seconds: float  # default length when not looping
    tempo_bpm: int = 100


RECIPES: tuple[Recipe, ...] = (
    Recipe("drums", ("drum", "808", "beat", "kick", "snare", "hi-hat", "hihat", "percussion", "trap", "boom bap"),
           "music", 8.0, 90),
    Recipe("bass", ("bass", "bassline"), "music", 8.0, 100),
    Recipe("arp", ("arp", "arpeggio", "sequence"), "music", 8.0, 120),
    Recipe("keys", ("piano", "keys", "rhodes", "chord", "pad", "strings", "guitar", "synth", "organ", "melody"),
           "music", 8.0, 90),
    Recipe("rain", ("rain", "drizzle", "downpour", "storm"), "texture", 10.0),
    Recipe("thunder", ("thunder",), "oneshot", 6.0),
    Recipe("wind", ("wind", "breeze", "gust", "howl"), "texture", 10.0),
    Recipe("ocean", ("ocean", "wave", "sea", "surf", "beach", "shore"), "texture", 12.0),
    Recipe("fire", ("fire", "crackl", "campfire", "fireplace", "bonfire"), "texture", 10.0),
    Recipe("whoosh", ("whoosh", "swoosh", "swish", "woosh", "transition", "riser", "swipe"), "oneshot", 2.0),
    Recipe("impact", ("impact", "boom", "hit", "explosion", "slam", "thud", "punch", "crash"), "oneshot", 3.0),
    Recipe("laser", ("laser", "zap", "blaster", "pew", "sci-fi", "scifi"), "oneshot", 1.0),
    Recipe("chime", ("chime", "bell", "ding", "notification", "beep", "alert", "ping", "success", "coin"),
           "oneshot", 2.5),
    Recipe("click", ("click", "tick", "tap", "button"), "oneshot", 0.4),
    Recipe("noise", ("noise", "static", "hiss", "white", "pink", "brown", "ambience", "ambient", "room"),
           "texture", 10.0),
)
FALLBACK = Recipe("keys", (), "music", 8.0, 90)
MINOR_WORDS = ("sad", "dark", "minor", "melanchol", "moody", "lo-fi", "lofi", "eerie", "tense")


@dataclass(frozen=True)
class SoundPlan:
    recipe: Recipe
    words: frozenset[str]  # lower-case words of the prompt
    loop: bool
    tempo_bpm: float
    key: Key
    samples: int  # the sound's length (a loop's period)
    bars: int | None  # loops: whole bars at ``tempo_bpm`` (4/4)
    tempo_given: bool  # the tempo came from the request or the prompt (not a default)


def make_plan(prompt: str, *, loop: bool, tempo_bpm: int | None, key: str, sample_rate: int) -> SoundPlan:
    """``key``: ``Any`` or a ``soundKey`` name such as ``C#m``; ``tempo_bpm``: ``soundTempo`` or None."""
    text = prompt.lower()
    recipe = choose_recipe(text)
    looping = loop or bool(re.search(r"\bloop", text))
    prompt_tempo = _prompt_tempo(text)
    tempo = tempo_bpm or prompt_tempo or recipe.tempo_bpm
    chosen = _sound_key(key) or _prompt_key(prompt) or _default_key(text)
    bars = loop_bars(tempo) if looping or recipe.kind == "music" else None
    seconds = bars * bar_seconds(tempo) if bars else _one_shot_seconds(text, recipe)
    return SoundPlan(recipe, frozenset(re.findall(r"[a-z0-9#-]+", text)), looping, float(tempo), chosen,
                     max(1, round(seconds * sample_rate)), bars, bool(tempo_bpm or prompt_tempo))


def choose_recipe(text: str) -> Recipe:
    """The recipe with the earliest word in ``text`` ("808 drum loop" → drums; "rain" → rain), else
    :data:`FALLBACK` (a chord loop)."""
    hits = [(m.start(), i) for i, recipe in enumerate(RECIPES) for word in recipe.words
            if (m := re.search(rf"(?<![a-z]){re.escape(word)}", text))]
    return RECIPES[min(hits)[1]] if hits else FALLBACK


def bar_seconds(tempo_bpm: float) -> float:
    return 4 * 60.0 / tempo_bpm


def loop_bars(tempo_bpm: float) -> int:
    """The fewest bars from 1, 2, 4, 8 lasting at least ``MIN_LOOP_S`` (8 at very fast tempos)."""
    for bars in (1, 2, 4, MAX_BARS):
        if bars * bar_seconds(tempo_bpm) >= MIN_LOOP_S:
            return bars
    return MAX_BARS


def _prompt_tempo(text: str) -> int | None:
    match = re.search(r"(\d{1,3}(?:\.\d+)?)\s*bpm", text)
    return max(1, min(300, round(float(match.group(1))))) if match else None


def _one_shot_seconds(text: str, recipe: Recipe) -> float:
    match = re.search(r"(\d+(?:\.\d+)?)\s*(?:s|sec|secs|second|seconds)\b", text)
    return min(MAX_ONE_SHOT_S, max(0.2, float(match.group(1)))) if match else recipe.seconds


def _sound_key(name: str) -> Key | None:
    """A ``soundKey`` value (``Any``, ``C``, ``C#``, ``Cm``, ``C#m`` …)."""
    if not name or name == "Any":
        return None
    minor = name.endswith("m")
    return Key(parse_pitch_class(name[:-1] if minor else name), "minor" if minor else "major")


def _prompt_key(prompt: str) -> Key | None:
    """"in Am", "in F# minor", "in Eb major", "key of D" in the prompt."""
    match = re.search(r"\b(?:in|key of)\s+([A-Ga-g])([#b♯♭]?)\s*(major|minor|maj|min|m)?(?![a-z])", prompt)
    if match is None:
        return None
    letter, accidental, quality = match.groups()
    minor = quality is not None and quality.lower() in ("minor", "min", "m")
    return Key(parse_pitch_class(letter + accidental), "minor" if minor else "major")


def _default_key(text: str) -> Key:
    return Key(9, "minor") if any(w in text for w in MINOR_WORDS) else Key(0, "major")
