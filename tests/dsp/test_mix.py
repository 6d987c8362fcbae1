from __future__ import annotations

import numpy as np

from tests.dsp.signals import tone
from tunesmith.dsp.effects import balance_pan
from tunesmith.dsp.presets import DEFAULT_PRESET, FAMILY_PRESETS, presets_for
from tunesmith.music.score import StemFamily


def test_balance_pan_is_unity_in_the_centre_and_silences_the_far_side() -> None:
    audio = tone(0.1, 100.0, 0.5)
    assert np.array_equal(balance_pan(audio, 0.0), audio)
    assert np.abs(balance_pan(audio, 1.0)[0]).max() < 1e-6


def test_unknown_families_get_the_default_channel() -> None:
    assert presets_for(["vocals", "kazoo"]) == {"vocals": FAMILY_PRESETS["vocals"], "kazoo": DEFAULT_PRESET}
    assert presets_for([StemFamily.DRUMS])[StemFamily.DRUMS] == FAMILY_PRESETS["drums"]
