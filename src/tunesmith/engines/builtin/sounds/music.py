"""Musical loops: synthesised drums on a 16-step grid and tonal parts (chords, bass, arpeggios) written as
a small :class:`~tunesmith.music.score.Score` and played through the General MIDI SoundFont.

Everything is placed on the plan's tempo grid and the tonal parts follow the plan's key. The buffer
returned is longer than the loop (it holds the last notes' release); the caller folds that tail onto
the start for a seamless loop, or keeps it as a natural ending.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tunesmith.dsp.synth import kick, noise_hit, normalise_peak, place, snare
from tunesmith.dsp.types import Audio, fit_length
from tunesmith.engines.builtin.renderer import render_stems
from tunesmith.engines.builtin.sounds.effects import Ctx
from tunesmith.engines.builtin.sounds.plan import SoundPlan
from tunesmith.music.score import TICKS_PER_BEAT, Note, Part, Score, Section, StemFamily
from tunesmith.music.theory import progression_chords

TAIL_S = 3.0  # seconds of release kept after the loop (an 808 rings ~2.7 s)
STEPS_PER_BAR = 16
PROGRESSIONS = {"major": ("I", "IV", "V", "I"), "minor": ("i", "VI", "iv", "V")}


@dataclass(frozen=True)
class DrumPattern:
    """One bar of 16 steps per voice: ``x`` loud, ``o`` soft, ``.`` rest."""

    kick: str
    snare: str
    hat: str


DRUM_STYLES: dict[str, DrumPattern] = {
    "trap": DrumPattern("x......x..x.....", "........x.......", "xoxoxoxoxxxoxoxo"),
    "four": DrumPattern("x...x...x...x...", "....x.......x...", "..x...x...x...x."),
    "boom_bap": DrumPattern("x.........x.x...", "....x.......x...", "x.x.x.x.x.x.x.x."),
    "rock": DrumPattern("x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x."),
}
STYLE_WORDS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"808", "trap", "drill"}), "trap"),
    (frozenset({"house", "techno", "edm", "disco", "dance", "club"}), "four"),
    (frozenset({"hip", "hop", "boom", "lo-fi", "lofi", "chill", "jazzy"}), "boom_bap"),
)
INSTRUMENTS: tuple[tuple[frozenset[str], int, StemFamily], ...] = (
    (frozenset({"rhodes", "electric", "lo-fi", "lofi", "ep"}), 4, StemFamily.KEYBOARD),
    (frozenset({"pad", "ambient", "atmospheric"}), 89, StemFamily.SYNTH),
    (frozenset({"strings", "string", "orchestral", "cinematic"}), 48, StemFamily.STRINGS),
    (frozenset({"guitar", "acoustic"}), 25, StemFamily.GUITAR),
    (frozenset({"organ"}), 16, StemFamily.KEYBOARD),
    (frozenset({"synth", "lead", "retro", "synthwave"}), 81, StemFamily.SYNTH),
)
PIANO = (0, StemFamily.KEYBOARD)
BASS = (38, StemFamily.BASS)


def render_music(plan: SoundPlan, ctx: Ctx, soundfont: Path) -> Audio:
    """The loop's layers for ``plan.recipe`` mixed, ``(2, samples + tail)``."""
    total = ctx.samples + int(TAIL_S * ctx.sample_rate)
    layers: list[tuple[Audio, float]] = []
    name = plan.recipe.name
    if name == "drums":
        layers.append((drums(plan, ctx, total), 0.9))
    else:
        layers.append((_tonal(plan, soundfont, ctx.sample_rate, total), 0.8))
    if plan.words & {"lo-fi", "lofi", "vinyl", "dusty"}:
        layers.append((_crackle(ctx, total), 0.08))
    mix = np.zeros((2, total), dtype=np.float32)
    for audio, gain in layers:
        mix += gain * normalise_peak(fit_length(audio, total), peak_db=0.0)
    return mix


def _grid(plan: SoundPlan, sample_rate: int) -> float:
    """Samples per 16th-note step."""
    return 60.0 / plan.tempo_bpm / 4 * sample_rate


def drums(plan: SoundPlan, ctx: Ctx, total: int) -> Audio:
    """The drum style the prompt names (trap/808, four-on-the-floor, boom bap, else rock) for every bar.

    An 808 kick is tuned to the key's tonic, so the boom is in key too."""
    style = next((s for words, s in STYLE_WORDS if plan.words & words), "rock")
    pattern, step = DRUM_STYLES[style], _grid(plan, ctx.sample_rate)
    sr = ctx.sample_rate
    tonic_hz = 440.0 * 2 ** ((33 + ctx.key.tonic - 69) / 12)  # the tonic between A1 and G#2 (55–104 Hz)
    voices = {
        "kick": kick(sr, tune_hz=tonic_hz / 2 if tonic_hz > 80 else tonic_hz, tau_s=0.45)
        if style == "trap" else kick(sr, tune_hz=52.0, tau_s=0.16),
        "snare": snare(sr, ctx.rng),
        "hat": noise_hit(sr, ctx.rng, low_hz=7000.0, high_hz=14000.0, tau_s=0.025),
    }
    out = np.zeros((2, total), dtype=np.float32)
    for bar in range(plan.bars or 1):
        for voice, steps, gain, pan in (("kick", pattern.kick, 1.0, 0.0), ("snare", pattern.snare, 0.8, 0.05),
                                        ("hat", pattern.hat, 0.35, 0.3)):
            for i, mark in enumerate(steps):
                if mark != ".":
                    at = round((bar * STEPS_PER_BAR + i) * step)
                    place(out, voices[voice], at, gain=gain * (1.0 if mark == "x" else 0.55), pan=pan)
    return out


def _tonal(plan: SoundPlan, soundfont: Path, sample_rate: int, total: int) -> Audio:
    stems = render_stems(_score(plan), sample_rate=sample_rate, soundfont=soundfont, tail_s=TAIL_S)
    mix = np.zeros((2, total), dtype=np.float32)
    for audio in stems.values():
        mix += fit_length(audio, total)
    return mix


def _score(plan: SoundPlan) -> Score:
    """Chords (or an arpeggio, or a bass line) over the loop's bars, one chord per bar (four per loop at
    least), with the chord roots doubled low so the key is unmistakable."""
    bars = plan.bars or 1
    loop_ticks = bars * 4 * TICKS_PER_BEAT
    chords = progression_chords(PROGRESSIONS.get(plan.key.mode, PROGRESSIONS["major"]), plan.key)
    per_chord = loop_ticks // max(4, bars)
    slots = [(i * per_chord, chords[i % len(chords)]) for i in range(loop_ticks // per_chord)]
    program, family = next(((p, f) for words, p, f in INSTRUMENTS if plan.words & words), PIANO)
    parts: list[Part] = []
    if plan.recipe.name == "bass":
        parts.append(Part("bass", BASS[1], BASS[0], _bass_line(slots, per_chord)))
    elif plan.recipe.name == "arp":
        parts.append(Part("arp", family, program if program != 0 else 81, _arpeggio(slots, per_chord)))
        parts.append(Part("roots", StemFamily.BASS, 33, _roots(slots, per_chord, velocity=70)))
    else:
        parts.append(Part("chords", family, program, _block_chords(slots, per_chord)))
        parts.append(Part("roots", family, program, _roots(slots, per_chord, velocity=80)))
    return Score(tempo_bpm=plan.tempo_bpm, meter=(4, 4), key=plan.key,
                 sections=(Section("loop", "loop", 0, loop_ticks),), chords=(), parts=tuple(parts))


Slot = tuple[int, tuple[int, str]]


def _chord_pitches(root: int, quality: str, around: int) -> list[int]:
    third = 3 if quality.startswith("min") else 4
    base = around - (around - root) % 12
    return [base, base + third, base + 7]


def _block_chords(slots: list[Slot], length: int) -> tuple[Note, ...]:
    return tuple(Note(start, length - 10, p, 78) for start, (root, q) in slots for p in _chord_pitches(root, q, 60))


def _roots(slots: list[Slot], length: int, *, velocity: int) -> tuple[Note, ...]:
    return tuple(Note(start, length - 10, 36 + (root - 36) % 12, velocity) for start, (root, _) in slots)


def _bass_line(slots: list[Slot], length: int) -> tuple[Note, ...]:
    """Root on the beat, fifth and octave on the off-beats (8th notes)."""
    eighth = TICKS_PER_BEAT // 2
    notes = []
    for start, (root, _) in slots:
        low = 36 + (root - 36) % 12
        for i in range(length // eighth):
            pitch = (low, low + 12, low + 7, low + 12)[i % 4]
            notes.append(Note(start + i * eighth, eighth - 20, pitch, 100 if i % 2 == 0 else 80))
    return tuple(notes)


def _arpeggio(slots: list[Slot], length: int) -> tuple[Note, ...]:
    """Chord tones up and down in 16th notes."""
    sixteenth = TICKS_PER_BEAT // 4
    notes = []
    for start, (root, q) in slots:
        tones = _chord_pitches(root, q, 60)
        order = [*tones, tones[0] + 12, *reversed(tones[1:])]
        for i in range(length // sixteenth):
            notes.append(Note(start + i * sixteenth, sixteenth - 10, order[i % len(order)], 90 if i % 4 == 0 else 70))
    return tuple(notes)


def _crackle(ctx: Ctx, total: int) -> Audio:
    """Vinyl dust: sparse tiny clicks over the whole buffer."""
    out = np.zeros((2, total), dtype=np.float32)
    for _ in range(int(12 * total / ctx.sample_rate)):
        hit = noise_hit(ctx.sample_rate, ctx.rng, low_hz=2000.0, high_hz=10000.0, tau_s=0.0008)
        place(out, hit, int(ctx.rng.integers(ctx.samples)), gain=float(ctx.rng.uniform(0.2, 1.0)),
              pan=float(ctx.rng.uniform(-0.7, 0.7)))
    return out
