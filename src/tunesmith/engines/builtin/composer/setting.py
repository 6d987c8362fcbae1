"""Tempo, meter and key for a track: the user's explicit choices, else seeded picks from the style."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tunesmith.music.score import TICKS_PER_BEAT, Key
from tunesmith.music.styles import ResolvedStyle


@dataclass(frozen=True, slots=True)
class Setting:
    """``tempo_bpm`` in quarter notes per minute; ``meter`` as (beats, unit)."""

    tempo_bpm: float
    meter: tuple[int, int]
    key: Key

    @property
    def ticks_per_bar(self) -> int:
        beats, unit = self.meter
        return TICKS_PER_BEAT * beats * 4 // unit

    @property
    def bar_seconds(self) -> float:
        return self.ticks_per_bar * 60.0 / (self.tempo_bpm * TICKS_PER_BEAT)


def choose_setting(style: ResolvedStyle, rng: random.Random) -> Setting:
    """Explicit tempo/meter/key win; otherwise a whole-BPM tempo in range, a meter and mode from the
    genre's weighted pools, and any of the 12 tonics."""
    low, high = style.tempo_range
    tempo = style.tempo_bpm if style.tempo_bpm is not None else float(rng.randint(round(low), round(high)))
    meter = style.meter or rng.choice(style.genre.meters)
    mode = style.mode or rng.choice(style.modes)
    tonic = style.tonic if style.tonic is not None else rng.randrange(12)
    return Setting(tempo, meter, Key(tonic, mode))
