"""An analysis in the engine's own terms: a :class:`~tunesmith.music.score.Score` on the recording's beat grid.

Ticks count beats of the detected grid (``TICKS_PER_BEAT`` per beat), not seconds at one tempo, so a note the
singer placed between two drifting beats keeps its place in the bar; :class:`BeatClock` converts both ways.
Tick 0 is a whole beat at or before the start of the recording, so every event has a tick ≥ 0. The score
carries the clock's beat times (``Score.beat_times``), so its own seconds, and its MIDI export, follow the
recording.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tunesmith.analysis.types import SongAnalysis, TempoMap
from tunesmith.music.score import (
    TICKS_PER_BEAT,
    ChordSymbol,
    Key,
    LyricLine,
    LyricWord,
    Note,
    Part,
    Score,
    Section,
    StemFamily,
)
from tunesmith.music.theory import chord_pitch_classes

VOCAL_PROGRAM = 53  # GM "Voice Oohs": how a DAW plays the sung line from the MIDI export
CHORD_PROGRAM = 0  # GM "Acoustic Grand Piano" for the chord track
CHORD_ROOT_OCTAVE = 48  # the chord track's roots sit in the octave from C3


@dataclass(frozen=True)
class BeatClock:
    """Seconds ↔ ticks along a tempo map; ``origin`` is the (whole, ≤ 0) beat index at tick 0."""

    tempo: TempoMap
    origin: int
    ticks_per_beat: int = TICKS_PER_BEAT

    @classmethod
    def of(cls, tempo: TempoMap, ticks_per_beat: int = TICKS_PER_BEAT) -> BeatClock:
        return cls(tempo, min(0, math.floor(tempo.beat_at(0.0))), ticks_per_beat)

    def tick(self, seconds: float) -> int:
        return max(0, round((self.tempo.beat_at(seconds) - self.origin) * self.ticks_per_beat))

    def seconds(self, tick: int) -> float:
        return self.tempo.seconds_at(tick / self.ticks_per_beat + self.origin)


@dataclass(frozen=True)
class ScoreMaterial:
    """The analysis as a score (key, chords, sections, the vocal melody as a part, the lyric lines) and the
    clock that places its ticks on the recording."""

    score: Score
    clock: BeatClock


def to_score(analysis: SongAnalysis, *, ticks_per_beat: int = TICKS_PER_BEAT) -> ScoreMaterial:
    """Convert ``analysis``; ``tempo_bpm`` is the median tempo and ``beat_times`` the clock's beats."""
    clock = BeatClock.of(analysis.tempo, ticks_per_beat)
    chords = tuple(ChordSymbol(start, end - start, c.root, c.quality)
                   for c in analysis.chords if c.root >= 0
                   for start, end in [(clock.tick(c.start_s), clock.tick(c.end_s))] if end > start)
    sections = tuple(Section(s.kind, s.label, start, end)
                     for s in analysis.sections
                     for start, end in [(clock.tick(s.start_s), clock.tick(s.end_s))] if end > start)
    score = Score(
        tempo_bpm=analysis.tempo.bpm, meter=analysis.tempo.meter,
        key=Key(analysis.key.tonic, analysis.key.mode), sections=sections, chords=chords,
        parts=_melody_part(analysis, clock) + _chord_part(chords), ticks_per_beat=ticks_per_beat,
        beat_times=_beat_times(clock),
        metadata={"source": "analysis", "lyrics": analysis.lyrics.text, "language": analysis.lyrics.language},
    )
    return ScoreMaterial(score, clock)


def _beat_times(clock: BeatClock) -> tuple[float, ...]:
    """Seconds of the score's beats 0, 1, … through the tempo map's last beat (none without a map)."""
    beats = len(clock.tempo.beats)
    if beats < 2:
        return ()
    return tuple(clock.seconds(i * clock.ticks_per_beat) for i in range(beats - clock.origin))


def lyric_lines(analysis: SongAnalysis) -> tuple[LyricLine, ...]:
    """The words as the engine's lyric lines (one syllable per word: the recogniser hears words)."""
    lines: dict[int, list[LyricWord]] = {}
    for w in analysis.lyrics.words:
        lines.setdefault(w.line, []).append(LyricWord(w.text, (w.text,)))
    joiner = "" if analysis.lyrics.language == "zh" else " "
    return tuple(LyricLine(joiner.join(x.text for x in words), tuple(words), 0) for _, words in sorted(lines.items()))


def _melody_part(analysis: SongAnalysis, clock: BeatClock) -> tuple[Part, ...]:
    notes = []
    for n in analysis.melody:
        start, end = clock.tick(n.onset_s), clock.tick(n.offset_s)
        pitch = round(n.pitch)
        if end > start and 0 <= pitch <= 127:
            notes.append(Note(start, end - start, pitch))
    if not notes:
        return ()
    return (Part("vocal melody", StemFamily.VOCALS, VOCAL_PROGRAM, tuple(notes)),)


def _chord_part(chords: tuple[ChordSymbol, ...]) -> tuple[Part, ...]:
    """The detected chords as close-position triads (for a DAW; the engine voices its own)."""
    notes = tuple(Note(c.start, c.duration, CHORD_ROOT_OCTAVE + pc if pc >= c.root else CHORD_ROOT_OCTAVE + 12 + pc,
                       72)
                  for c in chords for pc in chord_pitch_classes(c.root, c.quality))
    return (Part("chords", StemFamily.KEYBOARD, CHORD_PROGRAM, notes),) if notes else ()
