"""Known-answer tests for bench.metrics.tempo on click tracks."""

from __future__ import annotations

import numpy as np
import pytest
from bench.metrics import tempo
from tests.bench.signals import SR


def click_track(bpm: float, seconds: float, *, accent_every: int = 0) -> np.ndarray:
    """Decaying 2 kHz clicks, 30 ms long, one per beat."""
    out = np.zeros(round(seconds * SR))
    t = np.arange(round(0.03 * SR)) / SR
    click = np.sin(2 * np.pi * 2000 * t) * np.exp(-t / 0.005)
    for k, start in enumerate(np.arange(0.0, seconds - 0.05, 60.0 / bpm)):
        i = round(start * SR)
        gain = 1.0 if accent_every and k % accent_every == 0 else 0.6
        out[i : i + click.size] += gain * click
    return out


@pytest.mark.parametrize("bpm", [72.0, 96.0, 120.0, 137.0, 174.0])
def test_click_track_tempo_is_recovered(bpm: float) -> None:
    estimate = tempo.estimate_tempo_bpm(click_track(bpm, 20.0, accent_every=4), SR)
    adherence = tempo.tempo_adherence(estimate, bpm)
    assert adherence.within(2.0), adherence


def test_adherence_folds_double_and_half_tempo() -> None:
    assert tempo.tempo_adherence(180.0, 90.0).octave_factor == 2.0
    assert tempo.tempo_adherence(180.0, 90.0).error_pct == pytest.approx(0.0)
    half = tempo.tempo_adherence(61.0, 120.0)
    assert half.octave_factor == 0.5 and half.error_pct == pytest.approx(100 * (61 - 60) / 60)
    off = tempo.tempo_adherence(110.0, 100.0)
    assert off.octave_factor == 1.0 and off.error_pct == pytest.approx(10.0) and not off.within()
