from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from tests.dsp.signals import SR, bursts, noise, tone
from tunesmith.dsp.loudness import integrated_lufs, true_peak_dbtp


@pytest.mark.parametrize("audio", [noise(5, 0.2), noise(5, 0.01, channels=1), bursts(6, 0.3)])
def test_integrated_lufs_matches_pyloudnorm(audio: np.ndarray) -> None:
    reference = pyloudnorm.Meter(SR).integrated_loudness(audio.T.astype(np.float64))
    assert integrated_lufs(audio, SR) == pytest.approx(reference, abs=0.01)


def test_full_scale_sine_is_about_minus_three_lufs() -> None:
    # BS.1770: a 997 Hz sine at 0 dBFS in one channel reads −3.01 LUFS.
    assert integrated_lufs(tone(5, 997.0, 1.0, channels=1), SR) == pytest.approx(-3.01, abs=0.05)


def test_silence_and_too_short_input_are_minus_infinity() -> None:
    assert integrated_lufs(np.zeros((2, SR * 2), dtype=np.float32), SR) == float("-inf")
    assert integrated_lufs(noise(0.2, 0.3), SR) == float("-inf")


def test_true_peak_sees_between_the_samples() -> None:
    # A quarter-rate sine at 45° phase: every sample sits at ±0.707·A, the waveform peaks at A.
    audio = tone(1, SR / 4, 0.5, phase=np.pi / 4)
    sample_peak_db = 20 * np.log10(np.abs(audio).max())
    assert sample_peak_db == pytest.approx(-9.03, abs=0.05)
    assert true_peak_dbtp(audio, SR) == pytest.approx(20 * np.log10(0.5), abs=0.3)


def test_true_peak_of_low_tone_is_its_sample_peak() -> None:
    assert true_peak_dbtp(tone(1, 100.0, 0.25), SR) == pytest.approx(20 * np.log10(0.25), abs=0.02)
    assert true_peak_dbtp(np.zeros((2, 100), dtype=np.float32), SR) == float("-inf")
