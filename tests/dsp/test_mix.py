from __future__ import annotations

import numpy as np
import pytest

from tests.dsp.signals import SR, noise, tone
from tunesmith.dsp.effects import MixPreset, balance_pan
from tunesmith.dsp.loudness import integrated_lufs
from tunesmith.dsp.mix import mix_stems, sum_stems, trim_to_headroom
from tunesmith.dsp.presets import DEFAULT_PRESET, FAMILY_PRESETS, presets_for
from tunesmith.music.score import StemFamily


def _stems() -> dict[StemFamily, np.ndarray]:
    return {
        StemFamily.DRUMS: noise(6, 0.2, seed=1),
        StemFamily.BASS: tone(6, 55.0, 0.5),
        StemFamily.KEYBOARD: tone(6, 440.0, 0.2),
        StemFamily.VOCALS: (tone(6, 330.0, 0.3, channels=1) * (np.arange(6 * SR) % SR < SR * 0.7)).astype(np.float32),
    }


def test_processed_stems_sum_to_the_premaster_mix() -> None:
    stems = _stems()
    processed, mix = mix_stems(stems, presets_for(stems), SR)
    residual = mix - sum_stems(processed.values(), mix.shape[1])
    rms = float(np.sqrt(np.mean(mix.astype(np.float64) ** 2)))
    assert 20 * np.log10(np.sqrt(np.mean(residual.astype(np.float64) ** 2)) / rms + 1e-30) < -50
    assert set(processed) == set(stems)
    assert all(a.shape == (2, 6 * SR) and a.dtype == np.float32 for a in (*processed.values(), mix))


def test_lead_vocal_sits_two_db_over_the_backing() -> None:
    stems = _stems()
    processed, _ = mix_stems(stems, presets_for(stems), SR)
    backing = sum_stems((a for k, a in processed.items() if k != StemFamily.VOCALS), 6 * SR)
    # Measured before the final fade, which touches every stem alike.
    over = integrated_lufs(processed[StemFamily.VOCALS][:, : 5 * SR], SR) - integrated_lufs(backing[:, : 5 * SR], SR)
    assert over == pytest.approx(2.0, abs=0.3)


def test_mono_stem_becomes_stereo_and_lengths_must_match() -> None:
    processed, _ = mix_stems({"fx": tone(2, 200.0, 0.3, channels=1)}, {}, SR)
    assert processed["fx"].shape == (2, 2 * SR)
    with pytest.raises(ValueError, match="one length"):
        mix_stems({"a": tone(1, 100.0, 0.1), "b": tone(2, 100.0, 0.1)}, {}, SR)


def test_song_ends_in_silence() -> None:
    _, mix = mix_stems({"drums": noise(3, 0.3)}, {"drums": MixPreset()}, SR)
    assert np.abs(mix[:, -10:]).max() < 1e-3


def test_headroom_trim_keeps_the_sum() -> None:
    stems = {"a": tone(1, 100.0, 0.9), "b": tone(1, 100.0, 0.9)}
    mix = sum_stems(stems.values(), SR)
    trimmed, trimmed_mix = trim_to_headroom(stems, mix, ceiling_dbfs=-1.0)
    assert np.abs(trimmed_mix).max() <= 10 ** (-1 / 20) + 1e-6
    assert np.allclose(trimmed["a"] + trimmed["b"], trimmed_mix, atol=1e-6)


def test_balance_pan_is_unity_in_the_centre_and_silences_the_far_side() -> None:
    audio = tone(0.1, 100.0, 0.5)
    assert np.array_equal(balance_pan(audio, 0.0), audio)
    assert np.abs(balance_pan(audio, 1.0)[0]).max() < 1e-6


def test_unknown_families_get_the_default_channel() -> None:
    assert presets_for(["vocals", "kazoo"]) == {"vocals": FAMILY_PRESETS["vocals"], "kazoo": DEFAULT_PRESET}
    assert presets_for([StemFamily.DRUMS])[StemFamily.DRUMS] == FAMILY_PRESETS["drums"]
