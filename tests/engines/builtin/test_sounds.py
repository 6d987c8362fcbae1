"""The sounds engine: seamless loops, whole bars at the requested tempo (measured on the audio), tonal
content in the requested key (measured on the audio), one-shots that start and end at silence."""

from __future__ import annotations

import numpy as np
import pytest
from bench.metrics.key import Key as BenchKey
from bench.metrics.key import estimate_key
from bench.metrics.tempo import estimate_tempo_bpm

from tunesmith.engines.builtin.renderer import default_soundfont
from tunesmith.engines.builtin.sounds import SoundRequest, SoundResult, render_sound
from tunesmith.engines.builtin.sounds.plan import bar_seconds, choose_recipe

SF = default_soundfont()


def sound(prompt: str, **fields: object) -> SoundResult:
    return render_sound(SoundRequest(prompt, **fields), soundfont=SF)  # type: ignore[arg-type]


def seam_ratio(audio: np.ndarray) -> float:  # type: ignore[type-arg]
    """The jump from the last sample to the first, relative to the 99.9th percentile of the jumps inside."""
    inside = np.abs(np.diff(audio, axis=1))
    wrap = np.abs(audio[:, 0] - audio[:, -1])
    return float(wrap.max() / np.percentile(inside, 99.9))


@pytest.mark.parametrize(
    "prompt",
    [
        "808 drum loop",
        "lo-fi piano loop in Am at 85 bpm",
        "rain on a tin roof",
        "bass loop",
        "ocean waves",
        "synth arpeggio",
    ],
)
def test_loops_are_seamless(prompt: str) -> None:
    result = sound(prompt, loop=True, seed=3)
    assert result.loop and seam_ratio(result.audio) < 1.0


@pytest.mark.parametrize("bpm", [95, 110, 128])
def test_loop_length_is_whole_bars_and_tempo_is_audible(bpm: int) -> None:
    result = sound("drum loop", loop=True, tempo_bpm=bpm)
    assert result.bars is not None
    assert abs(result.audio.shape[1] - result.bars * bar_seconds(bpm) * result.sample_rate) <= 1
    measured = estimate_tempo_bpm(np.tile(result.audio, (1, 3)), result.sample_rate, prior_bpm=bpm)
    assert abs(measured - bpm) / bpm < 0.02, measured


@pytest.mark.parametrize(
    ("sound_key", "expected"),
    [("Am", "A minor"), ("C", "C major"), ("F#m", "F# minor"), ("D#", "Eb major"), ("G", "G major")],
)
def test_tonal_content_is_in_the_requested_key(sound_key: str, expected: str) -> None:
    result = sound("lo-fi piano loop", loop=True, key=sound_key)
    found, _ = estimate_key(result.audio, result.sample_rate)
    assert found == BenchKey.parse(expected)


def test_prompt_tempo_and_key_are_read_when_fields_are_absent() -> None:
    result = sound("lo-fi piano loop in Am at 85 bpm")
    assert result.tempo_bpm == 85.0 and result.key is not None and result.key.name() == "A minor"
    assert sound("piano loop at 85 bpm", tempo_bpm=120).tempo_bpm == 120.0  # the field wins


@pytest.mark.parametrize("prompt", ["whoosh", "impact", "laser zap", "notification chime", "click", "thunder"])
def test_one_shots_start_and_end_at_silence(prompt: str) -> None:
    result = sound(prompt)
    assert not result.loop and result.duration_s > 0.2
    assert np.max(np.abs(result.audio[:, :2])) < 1e-3 and np.max(np.abs(result.audio[:, -2:])) < 1e-2
    assert 0.8 < np.max(np.abs(result.audio)) <= 1.0


def test_recipes_and_determinism() -> None:
    assert choose_recipe("808 drum loop").name == "drums"
    assert choose_recipe("rain on a tin roof").name == "rain"
    assert choose_recipe("something nobody planned for").name == "keys"
    a, b = sound("rain", seed=1), sound("rain", seed=1)
    assert np.array_equal(a.audio, b.audio) and not np.array_equal(a.audio, sound("rain", seed=2).audio)
