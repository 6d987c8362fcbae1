"""Instrument rendering: every Part of a Score played through a SoundFont, summed per stem family.

tinysoundfont is imported lazily, inside :func:`load_soundfont`, so importing this module stays cheap.
A SoundFont file is parsed once per process and per path; every render works on a clone of it (clones
share the sample data, so they are nearly free and independent of each other).
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import Audio, db_to_gain
from tunesmith.music.score import Part, Score, StemFamily

DEFAULT_TAIL_S = 2.0  # release tail after the last note-off, seconds
_DRUM_BANK = 128  # where SoundFonts keep percussion kits (the GM percussion bank)
_MELODIC_CHANNEL, _DRUM_CHANNEL = 0, 9
_MAX_VOICES = 96
_load_lock = threading.Lock()


@dataclass(frozen=True, order=True, slots=True)
class _Event:
    """A note switching on or off at ``sample``; offs sort before ons at the same sample."""

    sample: int
    is_on: bool
    pitch: int
    velocity: int


def default_soundfont() -> Path:
    """The General MIDI SoundFont TimGM6mb.sf2 that ships inside the installed ``pretty_midi`` package."""
    spec = importlib.util.find_spec("pretty_midi")  # locate only: importing pretty_midi is slow and noisy
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the pretty_midi package (which ships TimGM6mb.sf2) is not installed")
    path = Path(spec.origin).parent / "TimGM6mb.sf2"
    if not path.is_file():
        raise FileNotFoundError(f"pretty_midi does not ship {path.name} at {path}")
    return path


@cache
def _parsed(path: str) -> Any:
    from tinysoundfont import _tinysoundfont

    return _tinysoundfont.SoundFont(path)


def load_soundfont(path: Path) -> Any:
    """Parse ``path`` (SF2/SF3) once per process and return the shared, never-played master copy."""
    resolved = Path(path).resolve()
    if not resolved.is_file():
        raise FileNotFoundError(f"SoundFont not found: {resolved}")
    with _load_lock:
        return _parsed(str(resolved))


def _fresh_player(soundfont_path: Path, sample_rate: int) -> Any:
    """An independent player (clone of the cached SoundFont) producing stereo float32 at ``sample_rate``."""
    from tinysoundfont import _tinysoundfont

    player = _tinysoundfont.SoundFont(load_soundfont(soundfont_path))
    player.set_output(_tinysoundfont.OutputMode.StereoInterleaved, sample_rate, 0.0)
    player.set_max_voices(_MAX_VOICES)
    return player


def render_stems(
    score: Score, *, sample_rate: int = 44100, soundfont: Path, tail_s: float = DEFAULT_TAIL_S
) -> dict[StemFamily, Audio]:
    """Render every Part and sum them per stem family.

    Returns float32 ``(2, n)`` arrays, one per family that has at least one note, all of the same
    length ``n`` = score duration + ``tail_s`` seconds (so releases and decays ring out). Drum parts play
    on the GM percussion bank (``Part.program`` chooses the kit). ``Part.pan`` and ``Part.gain_db`` are
    applied here, because the family sum no longer knows its parts.
    """
    samples = int(np.ceil((score.duration_s + tail_s) * sample_rate))
    stems: dict[StemFamily, Audio] = {}
    for part in score.parts:
        if not part.notes:
            continue
        audio = render_part(part, score, sample_rate=sample_rate, soundfont=soundfont, samples=samples)
        stems[part.family] = audio if part.family not in stems else stems[part.family] + audio
    return stems


def render_part(part: Part, score: Score, *, sample_rate: int, soundfont: Path, samples: int) -> Audio:
    """Render one Part to float32 ``(2, samples)`` audio at ``sample_rate`` Hz."""
    player = _fresh_player(soundfont, sample_rate)
    channel = _select_program(player, part)
    player.channel_set_pan(channel, (part.pan + 1.0) / 2.0)
    player.channel_set_volume(channel, db_to_gain(part.gain_db))
    frames = np.zeros((samples, 2), dtype=np.float32)  # the interleaved layout tinysoundfont writes
    position = 0
    for event in _events(part, score, sample_rate, samples):
        position = _render_until(player, frames, position, event.sample)
        if event.is_on:
            player.channel_note_on(channel, event.pitch, event.velocity / 127.0)
        else:
            player.channel_note_off(channel, event.pitch)
    _render_until(player, frames, position, samples)
    return np.ascontiguousarray(frames.T)


def _select_program(player: Any, part: Part) -> int:
    """Put the part's instrument on a channel (falling back to preset 0 if the bank lacks it)."""
    channel = _DRUM_CHANNEL if part.is_drum else _MELODIC_CHANNEL
    bank = _DRUM_BANK if part.is_drum else 0
    program = part.program if player.get_preset_index(bank, part.program) >= 0 else 0
    player.channel_set_preset_number(channel, program, part.is_drum)
    return channel


def _events(part: Part, score: Score, sample_rate: int, samples: int) -> list[_Event]:
    """Note-on/off events of ``part`` in sample time, sorted, clipped to the buffer."""

    def at(tick: int) -> int:
        return min(samples, int(round(score.seconds(tick) * sample_rate)))

    events = [_Event(at(n.start), True, n.pitch, n.velocity) for n in part.notes]
    events += [_Event(at(n.end), False, n.pitch, 0) for n in part.notes]
    return sorted(events)


def _render_until(player: Any, frames: npt.NDArray[np.float32], position: int, stop: int) -> int:
    """Let the synth run from ``position`` to ``stop`` (sample indices), writing into ``frames``."""
    if stop > position:
        player.render(frames[position:stop], False)
    return max(position, stop)
