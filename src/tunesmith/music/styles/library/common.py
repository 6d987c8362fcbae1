"""Data shared by many genres: drum kits and common instruments, chord loops, drum fills, the
triple-meter groove. Programs are General MIDI (0-based); loops are Roman numerals against the parent
major/minor scale (see :mod:`tunesmith.music.theory`)."""

from __future__ import annotations

from tunesmith.music.score import StemFamily as F
from tunesmith.music.styles.model import DrumFill, Instrument, Progression, RhythmPatterns


def prog(numerals: str, family: str, *sections: str) -> Progression:
    """``"I V vi IV"`` → a :class:`Progression` for ``family`` suiting ``sections`` (none = any)."""
    return Progression(tuple(numerals.split()), family, tuple(sections))


def inst(role: str, family: F, program: int, name: str, gain_db: float = 0.0) -> Instrument:
    """An :class:`Instrument` (``gain_db`` is a part-level trim in dB)."""
    return Instrument(role, family, program, name, gain_db)


STANDARD_KIT = inst("drums", F.DRUMS, 0, "standard kit")
ROOM_KIT = inst("drums", F.DRUMS, 8, "room kit")
POWER_KIT = inst("drums", F.DRUMS, 16, "power kit")
JAZZ_KIT = inst("drums", F.DRUMS, 32, "jazz kit")
BRUSH_KIT = inst("drums", F.DRUMS, 40, "brush kit")
ELECTRONIC_KIT = inst("drums", F.DRUMS, 25, "drum machine")
TR808_KIT = inst("drums", F.DRUMS, 25, "808 drum machine")
HAND_PERC = inst("perc", F.PERCUSSION, 0, "hand percussion", -3.0)
ORCH_PERC = inst("perc", F.PERCUSSION, 48, "orchestral percussion", -2.0)

WARM_PAD = inst("pad", F.SYNTH, 89, "warm pad", -8.0)
POLY_PAD = inst("pad", F.SYNTH, 90, "polysynth pad", -7.0)
CHOIR_PAD = inst("pad", F.SYNTH, 91, "choir pad", -8.0)
HALO_PAD = inst("pad", F.SYNTH, 94, "halo pad", -7.0)
STRING_PAD = inst("pad", F.STRINGS, 48, "string ensemble", -8.0)
SLOW_STRINGS = inst("pad", F.STRINGS, 49, "legato strings", -7.0)
ORGAN_PAD = inst("pad", F.KEYBOARD, 16, "drawbar organ", -9.0)

RISER = inst("fx", F.FX, 119, "reverse cymbal riser", -6.0)
ATMOSPHERE = inst("fx", F.FX, 99, "atmosphere", -10.0)
ECHOES = inst("fx", F.FX, 102, "echo drops", -10.0)
SOUNDTRACK_FX = inst("fx", F.FX, 97, "soundtrack swell", -9.0)

POP_LOOPS = (
    prog("I V vi IV", "major"),
    prog("vi IV I V", "major", "chorus", "verse"),
    prog("I vi IV V", "major", "verse"),
    prog("IV V iii vi", "major", "pre_chorus", "bridge"),
    prog("i VI III VII", "minor"),
    prog("i iv VI V", "minor", "verse", "bridge"),
    prog("VI VII i i", "minor", "chorus", "pre_chorus"),
)
ROCK_LOOPS = (
    prog("I bVII IV I", "major"),
    prog("I V IV IV", "major", "chorus"),
    prog("I IV V IV", "major", "verse"),
    prog("i VI VII i", "minor"),
    prog("i VII VI VII", "minor", "chorus"),
    prog("i iv VII i", "minor", "verse", "bridge"),
)
JAZZ_LOOPS = (
    prog("ii7 V7 Imaj7 vi7", "major"),
    prog("Imaj7 vi7 ii7 V7", "major", "verse"),
    prog("iii7 vi7 ii7 V7", "major", "chorus", "bridge"),
    prog("iiø7 V7 i7 i7", "minor"),
    prog("i7 iv7 VII7 IIImaj7", "minor", "verse", "chorus"),
)
SOUL_LOOPS = (
    prog("Imaj7 IVmaj7 iii7 vi7", "major"),
    prog("ii7 V7 Imaj7 Imaj7", "major", "chorus"),
    prog("IVmaj7 iii7 ii7 Imaj7", "major", "verse"),
    prog("i7 iv7 i7 v7", "minor"),
    prog("i7 VIImaj7 VImaj7 v7", "minor", "chorus"),
)
BLUES_LOOPS = (
    prog("I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "major"),
    prog("I7 IV7 I7 V7", "major", "chorus"),
    prog("i7 i7 i7 i7 iv7 iv7 i7 i7 VI7 V7 i7 V7", "minor"),
    prog("i7 iv7 i7 V7", "minor", "chorus"),
)
EDM_LOOPS = (
    prog("i VI III VII", "minor"),
    prog("i i VI VII", "minor", "verse"),
    prog("VI VII i i", "minor", "chorus"),
    prog("vi IV I V", "major"),
    prog("IV V vi vi", "major", "chorus"),
)
MODAL_LOOPS = (
    prog("i i VII VII", "minor"),
    prog("i iv i iv", "minor", "verse"),
    prog("i VI VII i", "minor", "chorus"),
    prog("I IV I IV", "major"),
    prog("I bVII I bVII", "major", "chorus"),
)
CLASSICAL_LOOPS = (
    prog("I IV V I", "major"),
    prog("I vi ii V", "major", "verse"),
    prog("IV I V I", "major", "chorus"),
    prog("vi ii V I", "major", "bridge"),
    prog("i iv V i", "minor"),
    prog("i VI iv V", "minor", "chorus"),
    prog("III VI iv V", "minor", "bridge"),
)
ASIAN_POP_LOOPS = (
    prog("IV V iii vi", "major"),
    prog("I V vi iii IV I IV V", "major", "verse"),
    prog("IV V iii vi ii V I I", "major", "chorus"),
    prog("vi IV V I", "major", "pre_chorus", "bridge"),
    prog("i VI VII III", "minor"),
    prog("VI VII v i", "minor", "chorus"),
)

FILLS: dict[str, DrumFill] = {
    f.name: f
    for f in (
        DrumFill("snare_roll", snare="xxxx", tom="....", kick="x..."),
        DrumFill("tom_run", snare="x.x.....", tom="....hmlf", kick="x......."),
        DrumFill("eighths", snare="x.x.x.x.", tom="........", kick="x......."),
        DrumFill("clap_build", snare="c.c.cccc", tom="........", kick="x.x.x.x."),
        DrumFill("brush", snare="g.gxg.gx", tom="........", kick="...g...."),
        DrumFill("trap_roll", snare="x.xxx.xx", tom="........", kick="x......."),
        DrumFill("timbale", snare="x.......", tom="hhmmhmll", kick="........"),
        DrumFill("rim_roll", snare="r.r.r.rr", tom="........", kick="........"),
        DrumFill("metal_toms", snare="xxxx....", tom="....hmlf", kick="xxxxxxxx"),
    )
}
"""Drum fills by name; a genre names the ones it uses."""

TRIPLE_DEFAULT = RhythmPatterns(
    kick="x...........",
    snare="....g...x...",
    hat="x.x.x.x.x.x.",
    bass="R---5---5---",
    comp="X---X---X---",
    lead="x---x-x-x---",
)
"""3/4 and 6/8 groove used by genres without their own 12-step patterns."""
