"""The WORLD helpers: the sparse analysis grid and the half-size synthesis envelope stay close to the full analysis."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.engines.builtin.singer import vocoder

RATE = 22050
FRAME_S = 0.005


def _buzz_then_hiss() -> tuple[np.ndarray, np.ndarray]:
    """0.4 s of a 150 Hz pulse train, then 0.2 s of noise; F0 per WORLD frame (0 over the noise)."""
    rng = np.random.default_rng(1)
    voiced = np.zeros(int(0.4 * RATE))
    voiced[:: RATE // 150] = 1.0
    x = np.concatenate([voiced, 0.1 * rng.standard_normal(int(0.2 * RATE))])
    n = vocoder.frame_count(x.size, RATE, FRAME_S)
    f0 = np.where(np.arange(n) * FRAME_S < 0.4, 150.0, 0.0)
    return x, f0


def test_analysis_grid_brackets_every_run_of_detail() -> None:
    detail = np.zeros(20, dtype=bool)
    detail[8:12] = True
    grid = vocoder.analysis_grid(detail, step=5, detail_step=2)
    assert grid.tolist() == [0, 5, 7, 8, 10, 11, 12, 17, 19]
    assert vocoder.analysis_grid(np.zeros(0, dtype=bool), step=3).size == 0
    assert vocoder.analysis_grid(np.ones(4, dtype=bool), step=3).tolist() == [0, 1, 2, 3]


def test_sparse_analysis_matches_full_rate() -> None:
    x, f0 = _buzz_then_hiss()
    full = vocoder.analyse(x, RATE, f0, FRAME_S)
    detail = np.zeros(f0.size, dtype=bool)
    detail[75:85] = True  # around the buzz-to-hiss change at frame 80
    sparse = vocoder.analyse(
        x,
        RATE,
        f0,
        FRAME_S,
        sp_frames=vocoder.analysis_grid(detail, step=3),
        ap_frames=vocoder.analysis_grid(detail, step=6, detail_step=2),
    )
    assert sparse.ap.shape == full.ap.shape and sparse.sp.shape == full.sp.shape
    analysed = vocoder.analysis_grid(detail, step=3)
    np.testing.assert_allclose(sparse.sp[analysed], full.sp[analysed])  # analysed frames are exact
    np.testing.assert_allclose(sparse.sp[75:85], full.sp[75:85])  # and every detail frame is analysed
    steady = slice(10, 70)  # inside the buzz, away from the edges: interpolated frames stay close
    level = 10 * np.log10(sparse.sp[steady] / full.sp[steady])
    assert np.median(np.abs(level)) < 1.0
    assert np.median(np.abs(sparse.ap[steady] - full.ap[steady])) < 0.05
    assert np.all(sparse.ap[90:] > 0.99)  # the hiss stays aperiodic


def test_splice_pastes_the_source_with_gain_and_cross_fades() -> None:
    audio = np.zeros(1000)
    source = np.ones(500)
    gain = np.full(1000, 0.5)
    out = vocoder.splice(audio, source, [(100, 0, 200), (950, 0, 200)], gain, ramp=10)
    assert np.all(out[:100] == 0.0) and np.all(out[300:950] == 0.0)
    np.testing.assert_allclose(out[110:290], 0.5)  # the pasted source, scaled by the gain
    assert 0.0 < out[100] < out[105] < 0.5  # faded in
    assert out[-1] > 0.0  # a paste running past the end is clipped, not dropped


def test_envelope_resized_to_half_the_bins_keeps_its_shape() -> None:
    x, f0 = _buzz_then_hiss()
    full = vocoder.analyse(x, RATE, f0, FRAME_S)
    half = vocoder.resize_bins(full.sp, 257)
    assert full.sp.shape[1] == 513 and half.shape == (full.sp.shape[0], 257)
    np.testing.assert_allclose(half, full.sp[:, ::2])  # 513 -> 257 bins: every other frequency
    np.testing.assert_allclose(vocoder.resize_bins(full.ap, 257)[:, [0, -1]], full.ap[:, [0, -1]])
    assert vocoder.resize_bins(full.sp, 513) is full.sp


@pytest.mark.parametrize("bins", [257, 129])
def test_synthesis_at_the_resized_envelope_keeps_pitch_and_level(bins: int) -> None:
    x, f0 = _buzz_then_hiss()
    env = vocoder.analyse(x, RATE, f0, FRAME_S)
    full = vocoder.synthesize(f0, env.sp, env.ap, RATE, FRAME_S)
    small = vocoder.synthesize(f0, vocoder.resize_bins(env.sp, bins), vocoder.resize_bins(env.ap, bins), RATE, FRAME_S)
    assert small.shape == full.shape
    buzz = slice(int(0.05 * RATE), int(0.35 * RATE))
    rms_full, rms_small = (float(np.sqrt(np.mean(y[buzz] ** 2))) for y in (full, small))
    assert abs(20 * np.log10(rms_small / rms_full)) < 1.0
    lags = np.arange(RATE // 400, RATE // 80)  # the buzz's period by autocorrelation, 80-400 Hz
    seg = small[buzz]
    period = lags[np.argmax([np.dot(seg[:-lag], seg[lag:]) for lag in lags])]
    assert abs(RATE / period - 150.0) < 3.0
