"""How strictly the genre preset is followed (``styleWeight``) and how adventurous the music gets
(``weirdnessConstraint``): every effect is a formula here, so it can be measured and tested.

Both controls are numbers in 0–1; ``None`` (the field left out) means the defaults below.

styleWeight ``s`` (default 0.65) — how strictly the genre preset is followed:

- **Tempo**: the tempo is drawn from the genre's range re-centred on its middle and scaled by
  ``1.5 − s``: at ``s = 1`` only the middle half of the range, at 0.5 the full range, at 0 half a
  range beyond each end (then clamped to 40–220 BPM). Measured: ``|tempo − centre| ≤ (1.5 − s) ·
  half-width``.
- **Instruments**: per role the genre's first candidate is used with probability
  ``1 − 0.8 · (1 − s)``, otherwise another candidate of that role (or none, when the role is optional
  and there is no other). Named instruments always win.
- **Progressions**: at ``s ≥ 0.5`` a section uses the loops written for its kind when the genre has
  any; below 0.5 every loop of the mode family is a candidate, and below 0.25 the genre-agnostic
  fallback loops join the pool.

weirdnessConstraint ``w`` (default 0.3) — how adventurous harmony, rhythm and form get:

- **Harmony**: each bar's chord (except the last two bars of the song) is replaced by a chromatic
  substitute (borrowed ``bVI``/``bVII``/``iv``, secondary dominant ``II7``, Neapolitan …) with
  probability ``0.4 · w²`` — 0 at ``w = 0``, 3.6 % at the default, 40 % at ``w = 1``. Measured: the
  share of chords with a pitch class outside the key's scale.
- **Rhythm**: the melody turns two 8ths into dotted 8th + 16th with probability ``0.1 + 0.4 · w``, and
  every drum bar gets an extra off-beat ghost kick with probability ``0.5 · w``.
- **Melody**: the melodic span grows by ``round(8 · (w − 0.3))`` semitones (a narrower line below the
  default, wider leaps above it).
- **Form**: at ``w ≥ 0.6`` a 2-bar break is inserted before the last chorus; at ``w ≥ 0.85`` an
  instrumental form also gains a bridge before its last section.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_STYLE_WEIGHT = 0.65
DEFAULT_WEIRDNESS = 0.3
SUBSTITUTION_SCALE = 0.4
BREAK_WEIRDNESS = 0.6
BRIDGE_WEIRDNESS = 0.85
SPECIFIC_LOOPS_WEIGHT = 0.5
FALLBACK_LOOPS_WEIGHT = 0.25


def _unit(value: float | None, default: float) -> float:
    return default if value is None else min(max(float(value), 0.0), 1.0)


@dataclass(frozen=True, slots=True)
class Controls:
    """``style_weight`` and ``weirdness`` in 0–1 with the formulas of the module docstring."""

    style_weight: float = DEFAULT_STYLE_WEIGHT
    weirdness: float = DEFAULT_WEIRDNESS

    @classmethod
    def of(cls, style_weight: float | None, weirdness: float | None) -> Controls:
        """Controls from optional request fields (``None`` = default; values clamped to 0–1)."""
        return cls(_unit(style_weight, DEFAULT_STYLE_WEIGHT), _unit(weirdness, DEFAULT_WEIRDNESS))

    def tempo_window(self, low: float, high: float) -> tuple[float, float]:
        """The BPM range the tempo is drawn from: the genre range scaled by ``1.5 − s`` about its middle."""
        centre, half = (low + high) / 2, (high - low) / 2 * (1.5 - self.style_weight)
        return centre - half, centre + half

    @property
    def first_choice_probability(self) -> float:
        """Probability that a role gets the genre's first candidate instrument."""
        return 1.0 - 0.8 * (1.0 - self.style_weight)

    @property
    def section_specific_loops(self) -> bool:
        """Whether sections stick to the loops written for their kind."""
        return self.style_weight >= SPECIFIC_LOOPS_WEIGHT

    @property
    def fallback_loops(self) -> bool:
        """Whether genre-agnostic loops join the candidates."""
        return self.style_weight < FALLBACK_LOOPS_WEIGHT

    @property
    def substitution_probability(self) -> float:
        """Probability per bar of a chromatic chord substitution."""
        return SUBSTITUTION_SCALE * self.weirdness**2

    @property
    def dotted_probability(self) -> float:
        """Probability that two melody 8ths become dotted 8th + 16th."""
        return 0.1 + 0.4 * self.weirdness

    @property
    def ghost_kick_probability(self) -> float:
        """Probability per drum bar of an extra off-beat ghost kick."""
        return 0.5 * self.weirdness

    @property
    def span_change(self) -> int:
        """Semitones added to the genre's melodic span."""
        return round(8 * (self.weirdness - DEFAULT_WEIRDNESS))

    @property
    def adds_break(self) -> bool:
        """Whether a 2-bar break precedes the last chorus."""
        return self.weirdness >= BREAK_WEIRDNESS

    @property
    def adds_bridge(self) -> bool:
        """Whether an instrumental form gains a bridge before its last section."""
        return self.weirdness >= BRIDGE_WEIRDNESS


DEFAULT_CONTROLS = Controls()
"""The controls of a request that sets neither field."""
