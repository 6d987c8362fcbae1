"""The built-in voices. A voice id is stable: a persona can store it and get the same voice back."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Voice:
    """A singing voice.

    ``low``/``high`` bound the comfortable melody range (MIDI note numbers); ``espeak_variant`` is the
    espeak-ng voice variant used where espeak is the speech source; ``formant_shift`` warps the spectral
    envelope (> 1 brighter/smaller, < 1 darker/larger) so voices differ in timbre, not just pitch.
    ``neural_en_shift`` replaces it where the source is the neural English voice (:mod:`.english`): one
    male voice speaks for all four, so the female voices shift further there. ``neural_zh_shift`` is the
    same for the neural Mandarin voice (:mod:`.mandarin`), which is female: the female voices shift
    little there (f-clear 1.05 / f-warm 1.00 read CER 0.193 against 0.237 with the espeak shifts).
    """

    id: str
    gender: str  # "f" | "m"
    espeak_variant: str
    low: int
    high: int
    formant_shift: float
    neural_en_shift: float
    neural_zh_shift: float


VOICES: dict[str, Voice] = {
    v.id: v
    for v in (
        Voice("f-clear", "f", "f3", 57, 74, 1.10, 1.18, 1.05),
        Voice("f-warm", "f", "f1", 55, 72, 1.04, 1.12, 1.00),
        Voice("m-bright", "m", "m3", 47, 64, 1.0, 1.0, 1.0),
        Voice("m-deep", "m", "m1", 43, 60, 0.93, 0.93, 0.93),
    )
}


def choose_voice(gender: str | None, seed: int) -> Voice:
    """Pick a voice for ``gender`` (``"m"``/``"f"``/``None`` = either), deterministically from ``seed``."""
    pool = [v for v in VOICES.values() if gender in (None, v.gender)] or list(VOICES.values())
    return random.Random(seed).choice(sorted(pool, key=lambda v: v.id))
