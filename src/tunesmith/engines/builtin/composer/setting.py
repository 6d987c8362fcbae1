"""Tempo, meter and key for a track: the user's explicit choices, else seeded picks from the style."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tunesmith.music.score import TICKS_PER_BEAT, Key
from tunesmith.music.styles import ResolvedStyle
from tunesmith.music.styles.controls import DEFAULT_CONTROLS, Controls
from tunesmith.music.styles.parse import TEMPO_LIMITS


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


def choose_setting(style: ResolvedStyle, rng: random.Random, controls: Controls = DEFAULT_CONTROLS) -> Setting:
    """Explicit tempo/meter/key win; otherwise a whole-BPM tempo from the style-weight window of the
    genre's (mood-nudged) range, a meter and mode from the genre's weighted pools, any of 12 tonics."""
    low, high = controls.tempo_window(*style.tempo_range)
    low, high = max(low, TEMPO_LIMITS[0]), min(high, TEMPO_LIMITS[1])
    tempo = style.tempo_bpm if style.tempo_bpm is not None else float(rng.randint(round(low), round(high)))
    meter = style.meter or rng.choice(style.genre.meters)
    mode = style.mode or rng.choice(style.modes)
    tonic = style.tonic if style.tonic is not None else rng.randrange(12)
    return Setting(tempo, meter, Key(tonic, mode))
