"""The vocal pocket: a span-keyed presence cut on the band (exact outside the spans, its depth inside)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.dsp.signals import SR, noise, tone
from tunesmith.dsp.pocket import Pocket, bandpass_coefficients, carve, pocket_gain

POCKET = Pocket(depth_db=8.0, centre_hz=2500.0, q=0.7, attack_s=0.05, release_s=0.2)
SPAN = (SR, 3 * SR)  # the voice sings from 1 s to 3 s of a 4 s signal


def _level_db(audio: np.ndarray, a: float, b: float) -> float:
    part = audio[:, int(a * SR) : int(b * SR)]
    return float(10 * np.log10(np.mean(part.astype(np.float64) ** 2)))


def _carved(audio: np.ndarray) -> np.ndarray:
    gain = pocket_gain([SPAN], audio.shape[1], SR, POCKET)
    return carve(audio, SR, gain, centre_hz=POCKET.centre_hz, q=POCKET.q)


def test_the_gain_is_the_depth_inside_the_span_and_one_away_from_it() -> None:
    gain = pocket_gain([SPAN], 4 * SR, SR, POCKET)
    inside = 10 ** (-8.0 / 20)
    assert gain[SPAN[0] : SPAN[1]] == pytest.approx(inside, abs=1e-6)
    attack, release = int(0.05 * SR), int(0.2 * SR)
    assert np.all(gain[: SPAN[0] - attack] == 1.0)
    assert np.all(gain[SPAN[1] + release :] == 1.0)
    assert np.all(np.diff(gain[SPAN[0] - attack : SPAN[0] + 1]) <= 0)  # closes in before the phrase
    assert np.all(np.diff(gain[SPAN[1] - 1 : SPAN[1] + release + 1]) >= 0)  # opens after it


def test_overlapping_ramps_keep_the_deeper_cut_and_spans_are_clipped_to_the_signal() -> None:
    gain = pocket_gain([(0, SR), (SR + 100, 2 * SR), (3 * SR, 9 * SR)], 4 * SR, SR, POCKET)
    assert gain.shape == (4 * SR,)
    assert gain[SR : SR + 100].max() < 1.0  # the gap of 100 samples never reopens fully
    assert gain[-1] == pytest.approx(10 ** (-8.0 / 20), abs=1e-6)


def test_the_centre_of_the_band_is_cut_by_the_depth_and_the_lows_pass() -> None:
    presence, low = tone(4, 2500.0, 0.3), tone(4, 150.0, 0.3)
    assert _level_db(_carved(presence), 1.5, 2.9) - _level_db(presence, 1.5, 2.9) == pytest.approx(-8.0, abs=0.3)
    assert _level_db(_carved(low), 1.5, 2.9) - _level_db(low, 1.5, 2.9) == pytest.approx(0.0, abs=0.5)


def test_outside_the_pocket_the_signal_passes_bit_for_bit() -> None:
    audio = noise(4, 0.2, seed=3)
    out = _carved(audio)
    attack, release = int(0.05 * SR), int(0.2 * SR)
    assert np.array_equal(out[:, : SPAN[0] - attack], audio[:, : SPAN[0] - attack])
    assert np.array_equal(out[:, SPAN[1] + release :], audio[:, SPAN[1] + release :])
    assert carve(audio, SR, np.ones(audio.shape[1], np.float32), centre_hz=2500.0, q=0.7) is audio


def test_the_band_pass_is_unity_at_the_centre_and_its_complement_a_notch() -> None:
    # the property the module docstring relies on: x − BP(x) is the RBJ notch, so the cut is exact
    b, a = bandpass_coefficients(2500.0, 0.7, SR)
    z = np.exp(-1j * 2 * np.pi * 2500.0 / SR * np.arange(3))
    assert abs(np.dot(b, z) / np.dot(a, z)) == pytest.approx(1.0, abs=1e-9)
    assert abs(np.dot(a - b, z)) < 1e-9  # the complement has its zero on the centre
    assert (a - b)[0] == pytest.approx((a - b)[2])  # symmetric numerator: zeros on the unit circle


def test_the_stems_carved_alike_still_sum_to_the_carved_sum() -> None:
    stems = [noise(4, 0.1, seed=s) for s in range(3)]
    carved = [_carved(s) for s in stems]
    assert np.abs(sum(carved) - _carved(sum(stems))).max() < 1e-5


def test_a_pocket_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="pocket"):
        Pocket(depth_db=-3.0)
    with pytest.raises(ValueError, match="pocket"):
        Pocket(q=0.0)
