"""Known-answer tests for bench.metrics.audio."""

from __future__ import annotations

import numpy as np
import pytest
from bench.metrics import audio
from tests.bench.signals import SR, sine


def test_stereo_sine_at_minus_20_dbfs_reads_minus_20_lufs() -> None:
    x = sine(997.0, 5.0, amplitude=0.1)
    assert audio.integrated_loudness_lufs(np.stack([x, x]), SR) == pytest.approx(-20.0, abs=0.1)


def test_mono_full_scale_sine_reads_minus_3_lufs() -> None:
    lufs = audio.integrated_loudness_lufs(sine(997.0, 5.0, amplitude=1.0), SR)
    assert lufs == pytest.approx(-3.01, abs=0.1)


def test_true_peak_finds_the_intersample_peak() -> None:
    # sr/4 with a 45° phase: every sample sits at 0.5·sin(45°) (−9.03 dBFS), the wave peaks at 0.5 (−6.02).
    x = sine(SR / 4, 1.0, amplitude=0.5, phase=np.pi / 4)
    assert audio.sample_peak_dbfs(x) == pytest.approx(-9.03, abs=0.05)
    assert audio.true_peak_dbtp(x, SR) == pytest.approx(-6.02, abs=0.2)


def test_silence_report_measures_leading_trailing_and_gaps() -> None:
    gap = np.zeros(SR)
    x = np.concatenate([np.zeros(SR // 2), sine(440, 2.0), gap, gap, sine(440, 1.0), np.zeros(SR)])
    report = audio.silence_report(x, SR)
    assert report.leading_s == pytest.approx(0.5, abs=0.05)
    assert report.longest_internal_s == pytest.approx(2.0, abs=0.05)
    assert report.trailing_s == pytest.approx(1.0, abs=0.05)
    assert report.silent_share == pytest.approx(3.5 / 6.5, abs=0.02)


def test_silence_report_of_a_continuous_tone_is_empty() -> None:
    report = audio.silence_report(sine(220, 2.0), SR)
    assert report.leading_s == report.trailing_s == report.longest_internal_s == report.silent_share == 0


def test_clipping_counts_flat_topped_runs_only() -> None:
    clean = audio.clipping_report(sine(100, 1.0, amplitude=0.9))
    assert clean.clipped_samples == 0 and clean.clip_events == 0
    clipped = audio.clipping_report(np.clip(sine(100, 1.0, amplitude=1.5), -1.0, 1.0))
    assert clipped.clip_events == 200  # one flat top and one flat bottom per cycle
    # |1.5·sin θ| ≥ 1 for a share 1 − (2/π)·asin(2/3) ≈ 0.535 of the time
    assert clipped.clipped_share == pytest.approx(1 - 2 / np.pi * np.arcsin(2 / 3), abs=0.005)


def test_stems_that_sum_to_the_mix_leave_no_residual(rng: np.random.Generator) -> None:
    vocals, band = sine(440, 3.0), 0.1 * rng.standard_normal(3 * SR)
    assert audio.stem_residual_db([vocals, band], vocals + band) <= -100.0


def test_stem_residual_reports_the_missing_part_level(rng: np.random.Generator) -> None:
    vocals, band = sine(440, 3.0, amplitude=0.5), sine(110, 3.0, amplitude=0.05)
    # the band stem is missing: residual/mix = 0.05/√(0.5²+0.05²) → −20.04 dB
    assert audio.stem_residual_db([vocals], vocals + band) == pytest.approx(-20.04, abs=0.1)


def test_stem_residual_aligns_a_delayed_sum(rng: np.random.Generator) -> None:
    noise = 0.2 * rng.standard_normal((2, 2 * SR))
    delayed = np.pad(noise, ((0, 0), (37, 0)))
    assert audio.stem_residual_db([delayed], noise, max_lag=100) <= -100.0
    assert audio.stem_residual_db([delayed], noise) > -3.0


def test_identical_tracks_do_not_differ(rng: np.random.Generator) -> None:
    x = rng.standard_normal(2 * SR) * 0.1
    diff = audio.track_difference(x, x, SR)
    assert diff.correlation == pytest.approx(1.0)
    assert diff.spectral_distance_db == pytest.approx(0.0, abs=1e-9)


def test_track_difference_of_a_gain_change_is_the_gain(rng: np.random.Generator) -> None:
    x = rng.standard_normal(2 * SR) * 0.1
    diff = audio.track_difference(x, 0.5 * x, SR)
    assert diff.correlation == pytest.approx(1.0)
    assert diff.spectral_distance_db == pytest.approx(6.02, abs=0.01)


def test_unrelated_tracks_are_uncorrelated(rng: np.random.Generator) -> None:
    diff = audio.track_difference(rng.standard_normal(SR * 4), rng.standard_normal(SR * 4), SR)
    assert abs(diff.correlation) < 0.05


def test_gain_matched_residual_of_stems_scaled_into_a_master(rng: np.random.Generator) -> None:
    vocals, band = sine(440, 3.0, amplitude=0.3), 0.1 * rng.standard_normal(3 * SR)
    master = 0.5 * (vocals + band)  # pre-master stems, mastered 6.02 dB quieter
    assert audio.stem_residual_db([vocals, band], master) == pytest.approx(0.0, abs=0.01)  # |m − 2m| = |m|
    assert audio.stem_residual_db([vocals, band], master, fit_gain=True) <= -100.0
    assert audio.stem_gain_db([vocals, band], master) == pytest.approx(-6.02, abs=0.01)


def test_gain_matching_does_not_hide_a_missing_stem() -> None:
    vocals, band = sine(440, 3.0, amplitude=0.5), sine(110, 3.0, amplitude=0.05)
    # the stems are uncorrelated, so the fitted gain stays 2 and the band is still missing: −20.04 dB
    residual = audio.stem_residual_db([vocals], 2.0 * (vocals + band), fit_gain=True)
    assert residual == pytest.approx(-20.04, abs=0.1)
