"""Mix presets per stem family: the built-in engine's mixing knowledge, as data.

Keys are the stem family names of ``tunesmith.music.score.StemFamily`` (plain strings, so the DSP layer
does not depend on the music model). Families not listed get :data:`DEFAULT_PRESET`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from tunesmith.dsp.effects import CompressorSettings, EqBand, MixPreset, ReverbSpace

K = TypeVar("K", bound=str)

SHARED_ROOM = ReverbSpace(room_size=0.55, damping=0.45, width=1.0)

DEFAULT_PRESET = MixPreset(gain_db=-3.0, highpass_hz=60.0, reverb_send_db=-16.0)

FAMILY_PRESETS: Mapping[str, MixPreset] = {
    "vocals": MixPreset(
        highpass_hz=100.0,
        eq=(EqBand("peak", 300.0, -2.0, 1.0), EqBand("high_shelf", 5000.0, 2.5)),
        compressor=CompressorSettings(threshold_db=-24.0, ratio=3.5, attack_ms=5.0, release_ms=120.0),
        reverb_send_db=-13.0,
        level_over_rest_db=2.0,
    ),
    "backing_vocals": MixPreset(
        gain_db=-6.0,
        highpass_hz=150.0,
        compressor=CompressorSettings(threshold_db=-24.0, ratio=3.0, attack_ms=5.0, release_ms=120.0),
        reverb_send_db=-9.0,
    ),
    "drums": MixPreset(
        gain_db=-1.0,
        highpass_hz=35.0,
        eq=(EqBand("low_shelf", 80.0, 1.5), EqBand("peak", 400.0, -2.0, 1.2)),
        compressor=CompressorSettings(threshold_db=-18.0, ratio=3.0, attack_ms=15.0, release_ms=150.0),
        reverb_send_db=-20.0,
    ),
    "percussion": MixPreset(gain_db=-6.0, pan=0.25, highpass_hz=150.0, reverb_send_db=-16.0),
    "bass": MixPreset(
        gain_db=-1.0,
        highpass_hz=35.0,
        eq=(EqBand("peak", 250.0, -2.0, 1.0),),
        compressor=CompressorSettings(threshold_db=-22.0, ratio=4.0, attack_ms=20.0, release_ms=200.0),
    ),
    "guitar": MixPreset(gain_db=-4.0, pan=-0.3, highpass_hz=90.0, reverb_send_db=-15.0),
    "keyboard": MixPreset(
        gain_db=-4.0,
        pan=0.2,
        highpass_hz=80.0,
        eq=(EqBand("peak", 350.0, -1.5, 1.0),),
        reverb_send_db=-14.0,
    ),
    "strings": MixPreset(gain_db=-7.0, pan=-0.15, highpass_hz=110.0, reverb_send_db=-10.0),
    "synth": MixPreset(gain_db=-7.0, pan=0.15, highpass_hz=100.0, reverb_send_db=-12.0),
    "fx": MixPreset(gain_db=-9.0, highpass_hz=120.0, reverb_send_db=-8.0),
    "brass": MixPreset(gain_db=-5.0, pan=0.3, highpass_hz=100.0, reverb_send_db=-13.0),
    "woodwinds": MixPreset(gain_db=-6.0, pan=-0.25, highpass_hz=150.0, reverb_send_db=-12.0),
}


def presets_for(names: Iterable[K]) -> dict[K, MixPreset]:
    """The preset of every named stem family (unknown names get :data:`DEFAULT_PRESET`).

    Keys keep their type, so ``str``-valued enums such as ``StemFamily`` work unchanged.
    """
    return {name: FAMILY_PRESETS.get(name, DEFAULT_PRESET) for name in names}
