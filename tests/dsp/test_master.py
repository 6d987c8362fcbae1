from __future__ import annotations

import numpy as np
import pytest

from tests.dsp.signals import SR, bursts, noise, tone
from tunesmith.dsp.limiter import compressor_gain, gain_for_peaks, limit_true_peak
from tunesmith.dsp.loudness import integrated_lufs, oversampled_peaks, true_peak_dbtp
from tunesmith.dsp.master import StreamingMaster, bus_compress_gain, master, master_gain, plan_master
from tunesmith.dsp.mix import sum_stems

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


def _residual_db(reference: np.ndarray, other: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(reference.astype(np.float64) ** 2)))
    diff = float(np.sqrt(np.mean((reference.astype(np.float64) - other) ** 2)))
    return 20 * np.log10(diff / rms + 1e-30)


def test_master_reaches_the_target_under_the_ceiling() -> None:
    premaster = sum_stems([noise(8, 0.3, seed=3), tone(8, 55.0, 0.6), bursts(8, 0.4)], 8 * SR)
    mastered = master(premaster, SR)
    assert integrated_lufs(mastered, SR) == pytest.approx(-14.0, abs=0.5)
    assert true_peak_dbtp(mastered, SR) <= -1.0


def test_streamed_master_matches_the_whole_song_master() -> None:
    premaster = sum_stems([noise(12, 0.3, seed=3), tone(12, 55.0, 0.6), bursts(12, 0.4)], 12 * SR)
    streaming = StreamingMaster(plan_master(premaster, SR), SR)
    pieces = [streaming.gain(premaster, start, min(start + SR, premaster.shape[1])) for start in range(0, 12 * SR, SR)]
    streamed = premaster * np.concatenate(pieces)[np.newaxis, :]
    assert integrated_lufs(streamed, SR) == pytest.approx(integrated_lufs(master(premaster, SR), SR), abs=0.05)
    assert true_peak_dbtp(streamed, SR) <= -1.0
    assert _residual_db(master(premaster, SR), streamed) < -40


def test_master_is_one_gain_curve_shared_by_both_channels() -> None:
    audio = noise(4, 0.3)
    gain = master_gain(audio, SR)
    assert gain.shape == (audio.shape[1],) and gain.dtype == np.float32 and np.all(gain > 0)
    assert np.allclose(master(audio, SR), audio * gain, atol=1e-7)


def test_glue_compressor_only_turns_loud_passages_down() -> None:
    quiet, loud = tone(1, 200.0, 0.01), tone(1, 200.0, 0.9)
    assert np.allclose(bus_compress_gain(quiet, SR), 1.0)
    steady = bus_compress_gain(loud, SR)[SR // 2 :]
    # 0.9 peak = −3.9 dBFS RMS: 14.1 dB over the −18 dB threshold at 2:1 takes 7 dB off.
    assert 20 * np.log10(float(np.median(steady))) == pytest.approx(-7.0, abs=0.3)


def test_compressor_attacks_faster_than_it_releases() -> None:
    step = np.concatenate([tone(1, 200.0, 0.9), tone(2, 200.0, 0.01)], axis=1)
    gain_db = 20 * np.log10(compressor_gain(step, SR, threshold_db=-18.0, ratio=2.0, attack_ms=10.0, release_ms=300.0))
    attack_settled = int(0.08 * SR)  # 8 attack time constants
    assert gain_db[attack_settled] == pytest.approx(-7.0, abs=0.3)
    assert gain_db[SR + int(0.08 * SR)] < -5.0  # 80 ms after the drop: still mostly compressed
    assert gain_db[-1] > -0.1


@pytest.mark.parametrize("channels", [1, 2])
def test_limiter_curve_works_for_mono_and_stereo(channels: int) -> None:
    audio = noise(1, 0.6, channels=channels)
    limited = limit_true_peak(audio, SR, ceiling_dbtp=-6.0)
    assert limited.shape == audio.shape and true_peak_dbtp(limited, SR) <= -5.8


def test_compressor_stays_finite_in_silence_after_loud_passages() -> None:
    # The detector's running mean can go slightly negative in float arithmetic: never a NaN gain.
    audio = np.concatenate([noise(1, 0.9), np.zeros((2, SR), dtype=np.float32), noise(1, 1e-4)], axis=1)
    gain = bus_compress_gain(audio, SR)
    assert np.isfinite(gain).all() and np.isfinite(master(audio, SR)).all()


def _stream(master_: StreamingMaster, premaster: np.ndarray, piece: int = 2 * SR) -> np.ndarray:
    n = premaster.shape[1]
    gains = [master_.gain(premaster, start, min(start + piece, n)) for start in range(0, n, piece)]
    return premaster * np.concatenate(gains)[np.newaxis, :]


def _peakier_than_planned(seconds: int) -> tuple[np.ndarray, np.ndarray]:
    """(proxy, real): steady noise, and noise of the same loudness gathered into 60 ms bursts every
    400 ms — the limiter takes more from the real one than the plan made on the proxy expects."""
    proxy = noise(seconds, 0.2, seed=5)
    phase = np.arange(proxy.shape[1]) % int(0.4 * SR)
    envelope = np.where(phase < int(0.06 * SR), 1.0, 0.08).astype(np.float32)
    real = noise(seconds, 0.2, seed=6) * envelope
    real *= np.float32(10 ** ((integrated_lufs(proxy, SR) - integrated_lufs(real, SR)) / 20))
    return proxy, real


def test_following_master_makes_up_what_a_proxy_plan_misses() -> None:
    proxy, real = _peakier_than_planned(40)
    plan = plan_master(proxy, SR)
    blind = integrated_lufs(_stream(StreamingMaster(plan, SR, follow=False), real), SR)
    following = StreamingMaster(plan, SR)
    followed = _stream(following, real)
    assert integrated_lufs(master(real, SR), SR) == pytest.approx(-14.0, abs=0.1)  # a plan on it would hit
    assert blind < -14.2  # the plan made on the proxy alone misses
    assert abs(integrated_lufs(followed, SR) + 14.0) < 0.3 * abs(blind + 14.0)
    assert 0.0 < following.correction_db <= 1.5
    assert true_peak_dbtp(followed, SR) <= -1.0


def test_following_master_moves_slowly_and_within_its_bound() -> None:
    planned = noise(30, 0.3, seed=2)
    quiet = planned * np.float32(0.1)  # 20 dB under the plan: the follower may make up only 1.5 dB
    following = StreamingMaster(plan_master(planned, SR), SR)
    gain = _stream(following, quiet)[0] / quiet[0]
    db = 20 * np.log10(gain[:: SR // 10])
    assert following.correction_db == pytest.approx(1.5)
    assert np.max(np.abs(np.diff(db))) < 0.06  # 0.25 dB/s: at most 0.025 dB per 0.1 s
    assert db[: 3 * 10 - 1].max() - db[: 3 * 10 - 1].min() < 0.05  # nothing moves in the first 3 s


def test_following_master_takes_its_pieces_in_order() -> None:
    premaster = noise(4, 0.3)
    following = StreamingMaster(plan_master(premaster, SR), SR)
    following.gain(premaster, 0, SR)
    with pytest.raises(ValueError, match="in order"):
        following.gain(premaster, 2 * SR, 3 * SR)
