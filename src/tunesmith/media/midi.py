"""Standard MIDI files from a score: one track per instrument part, the score's own ticks and tempo.

The file uses the score's resolution (``ticks_per_beat``) and single tempo, so every note lands on
exactly the tick the composer wrote; a DAW, ``mido`` or ``pretty_midi`` reads back the same seconds.
Drum parts go to the General MIDI percussion channel (10, index 9); the lead vocal becomes a
"Voice Oohs" part holding the sung melody (one note per sung note, melismas included).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import mido

from tunesmith.music.score import Note, Score, StemFamily

DRUM_CHANNEL = 9
VOICE_PROGRAM = 53  # GM "Voice Oohs" (0-based)
MELODIC_CHANNELS = tuple(c for c in range(16) if c != DRUM_CHANNEL)


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
    midi.tracks.append(_conductor(score))
    melodic = iter(MELODIC_CHANNELS * (len(parts) // len(MELODIC_CHANNELS) + 1))
    for part in parts:
        midi.tracks.append(_track(part, DRUM_CHANNEL if part.is_drum else next(melodic)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    midi.save(str(path))
    return path


def _conductor(score: Score) -> mido.MidiTrack:
    beats, unit = score.meter
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=score.metadata.get("title", "Tunesmith"), time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(score.tempo_bpm), time=0))
    track.append(mido.MetaMessage("time_signature", numerator=beats, denominator=unit, time=0))
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _track(part: MidiPart, channel: int) -> mido.MidiTrack:
    """One part: its name, program and notes; offs sort before ons at the same tick."""
    events = sorted([(n.start, 1, n.pitch, n.velocity) for n in part.notes]
                    + [(n.end, 0, n.pitch, 0) for n in part.notes])
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
