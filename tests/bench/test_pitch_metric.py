"""Known-answer tests for bench.metrics.pitch (librosa pYIN)."""

from __future__ import annotations

import numpy as np
import pytest
from bench.metrics import pitch
from bench.metrics.pitch import Note
from tests.bench.signals import SR, tone


def test_midi_and_cents_conversions() -> None:
    assert pitch.midi_to_hz(69) == pytest.approx(440.0)
    assert pitch.midi_to_hz(60) == pytest.approx(261.626, abs=1e-3)
    assert pitch.cents(880.0, 440.0) == pytest.approx(1200.0)


def test_in_tune_detuned_and_wrong_notes() -> None:
    # A4 in tune, C5 sung 20 cents sharp, E4 sung a semitone flat (as D#4), then silence on G4.
    sung = [440.0, pitch.midi_to_hz(72.2), pitch.midi_to_hz(63), 0.0]
    audio = np.concatenate([tone(f, 0.6) if f else np.zeros(round(0.6 * SR)) for f in sung])
    score = [Note(0.6 * i, 0.6 * (i + 1), m) for i, m in enumerate((69, 72, 64, 67))]
    result = pitch.note_accuracy(audio, SR, score)
    assert result.notes == 4
    assert result.voiced_notes == 3
    assert result.share_within == pytest.approx(0.5)
    assert result.median_abs_cents == pytest.approx(20.0, abs=5.0)


def test_a_sine_matches_its_own_note_on_stereo_input() -> None:
    x = tone(pitch.midi_to_hz(57), 1.0)
    result = pitch.note_accuracy(np.stack([x, x]), SR, [Note(0.0, 1.0, 57)])
    assert result.share_within == 1.0
    assert result.median_abs_cents is not None and result.median_abs_cents < 10.0
