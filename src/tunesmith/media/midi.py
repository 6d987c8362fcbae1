"""Standard MIDI files from a score: one track per instrument part, the score's own ticks and tempo.

The file uses the score's resolution (``ticks_per_beat``), so every note lands on exactly the tick the
composer wrote, and its time 0 is the audio's; a DAW, ``mido`` or ``pretty_midi`` reads back the seconds
the song sounds at. A score with a single tempo gets one tempo event. A score on a tempo map
(``beat_times``) gets a tempo event at every beat whose value makes that beat fall on its time: each
value is rounded against the time already elapsed, so the µs rounding never adds up (every beat within
a microsecond). Where the map puts tick 0 after 0 s, whole bars of lead-in come first (the notes move by
those bars in ticks, not in seconds); where it puts tick 0 before 0 s, what lies before 0 s is squeezed
into the instant (under a tick) before the first tick that sounds at or after 0 s.
Drum parts go to the General MIDI percussion channel (10, index 9); the lead vocal becomes a
"Voice Oohs" part holding the sung melody (one note per sung note, melismas included).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import mido

from tunesmith.music.score import Note, Score, StemFamily

DRUM_CHANNEL = 9
VOICE_PROGRAM = 53  # GM "Voice Oohs" (0-based)
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)
MAX_TEMPO_US = 0xFFFFFF
"""The longest quarter note a MIDI tempo event holds, microseconds."""


@dataclass(frozen=True)
class MidiPart:
    """An instrument of the file: ``program`` GM 0–127, notes in score ticks."""

    name: str
    family: StemFamily
    program: int
    is_drum: bool
    notes: tuple[Note, ...]


def score_parts(score: Score, families: Collection[StemFamily] | None = None) -> list[MidiPart]:
    """The score's parts with notes (and the lead vocal's melody), limited to ``families`` when given."""
    parts = [MidiPart(p.name, p.family, p.program, p.is_drum, p.notes) for p in score.parts if p.notes]
    if score.vocal is not None and score.vocal.syllables:
        melody = tuple(n for s in score.vocal.syllables for n in s.notes)
        parts.insert(0, MidiPart("lead vocal", StemFamily.VOCALS, VOICE_PROGRAM, False, melody))
    return [p for p in parts if families is None or p.family in families]


def write_midi(score: Score, parts: list[MidiPart], path: Path) -> Path:
    """Write ``parts`` of ``score`` as a type-1 MIDI file at ``path``; returns ``path``."""
    midi = mido.MidiFile(type=1, ticks_per_beat=score.ticks_per_beat)
    lead = _lead_in(score)
    midi.tracks.append(_conductor(score, lead))
    melodic = iter(MELODIC_CHANNELS * (len(parts) // len(MELODIC_CHANNELS) + 1))
    for part in parts:
        midi.tracks.append(_track(part, DRUM_CHANNEL if part.is_drum else next(melodic), lead))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.save(str(path))
    return path


def _lead_in(score: Score) -> int:
    """File ticks before the score's tick 0: whole bars lasting ``score.seconds(0)`` when that is after 0 s."""
    start = score.seconds(0)
    if start <= 0:
        return 0
    bar_quarters = score.ticks_per_bar / score.ticks_per_beat
    return max(1, math.ceil(start * 1e6 / (MAX_TEMPO_US * bar_quarters))) * score.ticks_per_bar


def _anchors(score: Score, lead: int) -> list[tuple[int, float]]:
    """(file tick, seconds) points the file's clock must pass through, linear between them: 0 s at tick 0,
    the first score tick at or after 0 s, then every beat, and one beat past the map (its last period)."""
    tpb = score.ticks_per_beat
    first = score.tick_at(0.0)
    if score.seconds(first) < 0:
        first += 1
    beats = (i * tpb for i in range(len(score.beat_times) + 1))
    points = [(t + lead, score.seconds(t)) for t in (first, *(b for b in beats if b > first))]
    return points if points[0][0] == 0 else [(0, 0.0), *points]


def _tempi(score: Score, lead: int) -> list[tuple[int, int]]:
    """(file tick, µs per quarter note) tempo events, each rounded against the time already elapsed."""
    if len(score.beat_times) < 2:
        return [(0, mido.bpm2tempo(score.tempo_bpm))]
    events: list[tuple[int, int]] = []
    elapsed_us = 0.0
    for (start, _), (end, seconds) in pairwise(_anchors(score, lead)):
        quarters = (end - start) / score.ticks_per_beat
        tempo = min(max(round((seconds * 1e6 - elapsed_us) / quarters), 1), MAX_TEMPO_US)
        elapsed_us += tempo * quarters
        if not events or events[-1][1] != tempo:
            events.append((start, tempo))
    return events


def _conductor(score: Score, lead: int) -> mido.MidiTrack:
    beats, unit = score.meter
    track = mido.MidiTrack()
    (_, tempo), *changes = _tempi(score, lead)
    track.append(mido.MetaMessage("track_name", name=score.metadata.get("title", "Tunesmith"), time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.MetaMessage("time_signature", numerator=beats, denominator=unit, time=0))
    now = 0
    for tick, tempo in changes:
        track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _track(part: MidiPart, channel: int, lead: int) -> mido.MidiTrack:
    """One part: its name, program and notes (``lead`` ticks later); offs sort before ons at the same tick."""
    events = sorted([(n.start + lead, 1, n.pitch, n.velocity) for n in part.notes]
                    + [(n.end + lead, 0, n.pitch, 0) for n in part.notes])
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=part.name, time=0))
    if not part.is_drum:
        track.append(mido.Message("program_change", channel=channel, program=part.program, time=0))
    now = 0
    for tick, is_on, pitch, velocity in events:
        kind = "note_on" if is_on else "note_off"
        track.append(mido.Message(kind, channel=channel, note=pitch, velocity=velocity, time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track
