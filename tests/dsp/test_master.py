from __future__ import annotations

import numpy as np
import pytest

from tests.dsp.signals import SR, bursts, noise, tone
from tunesmith.dsp.limiter import gain_for_peaks, limit_true_peak
from tunesmith.dsp.loudness import integrated_lufs, oversampled_peaks, true_peak_dbtp
from tunesmith.dsp.master import master

CASES = {
    "loud noise": noise(8, 0.7),
    "clipped square": np.clip(tone(8, 110.0, 4.0), -1.0, 1.0),
    "quiet tone": tone(8, 440.0, 0.005),
    "quiet bursts": bursts(8, 0.01),
}


@pytest.mark.parametrize("name", list(CASES))
def test_master_hits_minus_14_lufs_under_minus_1_dbtp(name: str) -> None:
    out = master(CASES[name], SR)
    assert out.dtype == np.float32 and out.shape == CASES[name].shape
    assert integrated_lufs(out, SR) == pytest.approx(-14.0, abs=0.5)
    assert true_peak_dbtp(out, SR) <= -1.0


def test_master_never_breaks_the_ceiling_on_peaky_material() -> None:
    clicks = np.zeros((2, 6 * SR), dtype=np.float32)
    clicks[:, :: SR // 8] = 0.5
    out = master(clicks, SR)
    assert true_peak_dbtp(out, SR) <= -1.0


def test_master_leaves_silence_alone() -> None:
    silence = np.zeros((2, SR), dtype=np.float32)
    assert np.array_equal(master(silence, SR), silence)


def test_limiter_gain_never_exceeds_what_each_sample_needs() -> None:
    audio = noise(2, 0.5)
    peaks = oversampled_peaks(audio)
    gain = gain_for_peaks(peaks, SR, ceiling_dbtp=-3.0)
    assert np.all(gain * peaks <= 10 ** (-3 / 20) + 1e-6)
    assert true_peak_dbtp(limit_true_peak(audio, SR, ceiling_dbtp=-3.0), SR) <= -2.9
