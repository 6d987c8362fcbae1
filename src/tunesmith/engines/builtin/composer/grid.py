"""The time grid every composer module shares: 16th-note steps inside bars, swing, and per-bar context."""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.music.score import TICKS_PER_BEAT, ChordSymbol

STEP_TICKS = TICKS_PER_BEAT // 4
"""Ticks per 16th-note step (120 at 480 ticks per quarter)."""

MIN_TICKS = STEP_TICKS // 4
"""Shortest note any part may get after swing, in ticks."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the song with its harmony and place in the form.

    ``start`` is in ticks; ``chord`` sounds for the whole bar; ``next_chord`` is the following bar's
    chord (the same chord on the final bar); ``first``/``last`` mark section edges, ``final`` the song end;
    ``occurrence`` counts earlier sections of the same kind, ``last_of_kind`` marks the kind's last
    section; ``energy`` is the velocity factor of the dynamic arc (about 0.6–1.15); ``next_kind`` is
    the kind of the following section (``""`` at the end).
    """

    index: int
    start: int
    chord: ChordSymbol
    next_chord: ChordSymbol
    section: int
    kind: str
    first: bool
    last: bool
    final: bool
    occurrence: int = 0
    last_of_kind: bool = False
    energy: float = 1.0
    next_kind: str = ""


def steps_per_bar(meter: tuple[int, int]) -> int:
    """16th steps in one bar: 16 for 4/4, 12 for 3/4 and 6/8."""
    beats, unit = meter
    return beats * 16 // unit


def beat_steps(meter: tuple[int, int]) -> int:
    """16th steps per felt beat: a quarter (4), or a dotted quarter (6) in compound meters like 6/8."""
    beats, unit = meter
    compound = unit == 8 and beats % 3 == 0 and beats > 3
    return 16 // unit * (3 if compound else 1)


def swung(step: int, swing: float) -> int:
    """Tick offset of ``step`` inside its bar, delaying off-beat 8ths by ``swing`` (0–0.45) of an 8th."""
    delay = round(swing * 2 * STEP_TICKS) if step % 4 == 2 else 0
    return step * STEP_TICKS + delay


def span_ticks(bar_start: int, step: int, length: int, swing: float) -> tuple[int, int]:
    """(start tick, duration ticks) of an event covering ``length`` steps from ``step``, swing applied."""
    start = bar_start + swung(step, swing)
    end = bar_start + swung(step + length, swing)
    return start, max(end - start, MIN_TICKS)


def pattern_events(pattern: str) -> list[tuple[int, int, str]]:
    """A pattern string → (step, length in steps, symbol) per event; ``-`` extends, ``.`` rests."""
    events: list[tuple[int, int, str]] = []
    for step, symbol in enumerate(pattern):
        if symbol == "-" and events and events[-1][0] + events[-1][1] == step:
            events[-1] = (events[-1][0], events[-1][1] + 1, events[-1][2])
        elif symbol not in "-.":
            events.append((step, 1, symbol))
    return events
