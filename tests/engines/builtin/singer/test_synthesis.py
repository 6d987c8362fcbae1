"""The batched synthesis makes what ``pyworld.synthesize`` makes: the same pulses, the same noise level."""

from __future__ import annotations

import numpy as np

from tunesmith.engines.builtin.singer import synthesis, vocoder

RATE = 22050
FRAME_S = 0.005


def _vowel_then_hiss() -> tuple[np.ndarray, vocoder.Envelope]:
    """A sung 0.6 s vowel (F0 gliding 180 → 260 Hz, so pulses fall between samples) and 1 s of hiss:
    F0 per frame and WORLD's analysis of a pulse train and noise, resized to 512 points."""
    rng = np.random.default_rng(3)
    voiced = np.zeros(int(0.6 * RATE))
    voiced[:: RATE // 150] = 1.0
    voiced = np.convolve(voiced, np.exp(-np.arange(200) / 30.0) * np.sin(np.arange(200) * 0.3))[: voiced.size]
    x = np.concatenate([voiced, 0.05 * rng.standard_normal(int(1.0 * RATE))])
    frames = vocoder.frame_count(x.size, RATE, FRAME_S)
    source_f0 = np.where(np.arange(frames) * FRAME_S < 0.6, 150.0, 0.0)
    env = vocoder.analyse(x, RATE, source_f0, FRAME_S)
    bins = 257
    sung = np.where(source_f0 > 0, np.linspace(180.0, 260.0, frames), 0.0)
    return sung, vocoder.Envelope(vocoder.resize_bins(env.sp, bins), vocoder.resize_bins(env.ap, bins), FRAME_S)


def _level_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x**2)))


def test_the_periodic_part_is_worlds_sample_for_sample() -> None:
    f0, env = _vowel_then_hiss()
    periodic = np.full_like(env.ap, 0.001)  # WORLD's floor: all but no noise, so only the pulses differ
    voiced = f0 > 0
    world = vocoder.synthesize(f0 * voiced, env.sp, periodic, RATE, FRAME_S)
    batched = synthesis.synthesize(f0 * voiced, env.sp, periodic, RATE, FRAME_S)
    assert batched.shape == world.shape
    vowel = slice(int(0.05 * RATE), int(0.55 * RATE))
    assert np.corrcoef(world[vowel], batched[vowel])[0, 1] > 0.999
    assert abs(_level_db(batched[vowel]) - _level_db(world[vowel])) < 0.1


def test_the_noise_has_worlds_level_and_spectrum() -> None:
    f0, env = _vowel_then_hiss()
    world = vocoder.synthesize(f0, env.sp, env.ap, RATE, FRAME_S)
    batched = synthesis.synthesize(f0, env.sp, env.ap, RATE, FRAME_S)
    hiss = slice(int(0.65 * RATE), int(1.55 * RATE))
    assert abs(_level_db(batched[hiss]) - _level_db(world[hiss])) < 0.3
    bands = np.array_split(np.abs(np.fft.rfft(batched[hiss])) ** 2, 8)
    reference = np.array_split(np.abs(np.fft.rfft(world[hiss])) ** 2, 8)
    per_band = [10 * np.log10(b.sum() / r.sum()) for b, r in zip(bands, reference, strict=True)]
    assert max(abs(d) for d in per_band) < 1.0  # the same colour of noise, band by band (two draws)


def test_the_same_seed_gives_the_same_samples() -> None:
    f0, env = _vowel_then_hiss()
    first = synthesis.synthesize(f0, env.sp, env.ap, RATE, FRAME_S)
    np.testing.assert_array_equal(first, synthesis.synthesize(f0, env.sp, env.ap, RATE, FRAME_S))
    other = synthesis.synthesize(f0, env.sp, env.ap, RATE, FRAME_S, seed=1)
    hiss = slice(int(0.65 * RATE), int(1.55 * RATE))
    assert not np.allclose(first[hiss], other[hiss])  # another draw of the noise
    assert synthesis.synthesize(f0[:0], env.sp[:0], env.ap[:0], RATE, FRAME_S).size == 0


def test_a_burst_starts_where_worlds_does() -> None:
    """An unvoiced burst (three loud frames in silence) is filtered pulse by pulse, as WORLD does: its
    onset lands on WORLD's, not a frame later."""
    frames, bins = 100, 257
    sp = np.full((frames, bins), 1e-12)
    sp[50:53] = 1e-3
    ap = np.ones((frames, bins))
    f0 = np.zeros(frames)

    def onset(y: np.ndarray) -> int:
        energy = np.convolve(y**2, np.ones(22) / 22, mode="same")
        return int(np.argmax(energy > 0.1 * energy.max()))

    world = vocoder.synthesize(f0, sp, ap, RATE, FRAME_S)
    batched = synthesis.synthesize(f0, sp, ap, RATE, FRAME_S)
    assert abs(onset(batched) - onset(world)) <= int(0.002 * RATE)
    burst = slice(int(0.24 * RATE), int(0.27 * RATE))
    assert abs(_level_db(batched[burst]) - _level_db(world[burst])) < 1.5
