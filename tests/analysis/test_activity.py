"""Vocal activity from separated stems: a sung line over a band, a cappella, and what must not count as singing."""

from __future__ import annotations

import numpy as np
import pytest

from tests.analysis.voice import LINE, SR, noise, pad, sing
from tunesmith.analysis.activity import EnergyVocalDetector, Thresholds, frame_levels_db, sung_frames, to_spans
from tunesmith.analysis.base import VocalDetector
from tunesmith.analysis.melody import FRAME_S
from tunesmith.analysis.types import Stems

SECONDS = 3.5


@pytest.fixture(scope="module")
def detector() -> EnergyVocalDetector:
    d = EnergyVocalDetector()
    d.load()
    return d


@pytest.fixture(scope="module")
def band() -> np.ndarray:
    return pad([(0.0, 1.75, (48.0, 55.0, 64.0)), (1.75, SECONDS, (53.0, 57.0, 60.0))], SECONDS)


def _stems(vocals: np.ndarray, accompaniment: np.ndarray) -> Stems:
    return Stems(np.repeat(vocals, 2, axis=0), np.repeat(accompaniment, 2, axis=0), SR, "test")


def test_it_is_a_vocal_detector() -> None:
    assert isinstance(EnergyVocalDetector(), VocalDetector)


def test_a_sung_line_over_a_band_is_one_span(detector: EnergyVocalDetector, band: np.ndarray) -> None:
    ((start, end),) = detector.detect(_stems(sing(LINE, SECONDS), band))  # the 100 ms rest is bridged
    assert start == pytest.approx(LINE[0][0], abs=0.05)
    assert end == pytest.approx(LINE[-1][1], abs=0.05)


def test_a_cappella_counts(detector: EnergyVocalDetector) -> None:
    voice = sing(LINE, SECONDS)
    assert len(detector.detect(_stems(voice, np.zeros_like(voice)))) == 1


def test_a_long_rest_splits_the_spans(detector: EnergyVocalDetector, band: np.ndarray) -> None:
    line = [(0.3, 1.0, 60.0), (2.0, 3.0, 64.0)]
    spans = detector.detect(_stems(sing(line, SECONDS), band))
    assert [(round(a, 1), round(b, 1)) for a, b in spans] == [(0.3, 1.0), (2.0, 3.0)]


def test_separator_residue_is_not_singing(detector: EnergyVocalDetector, band: np.ndarray) -> None:
    # an instrumental: the "vocals" are the band's leftovers, and a lead instrument playing a tune, faintly
    lead = sing(LINE, SECONDS)
    residue = 0.05 * band + 0.2 * lead
    assert detector.detect(_stems(residue, band + 0.8 * lead)) == ()


def test_silence_and_noise_are_not_singing(detector: EnergyVocalDetector, band: np.ndarray) -> None:
    silent = np.zeros((1, int(SECONDS * SR)), np.float32)
    assert detector.detect(_stems(silent, silent)) == ()
    assert detector.detect(_stems(noise(SECONDS, 0.05), band)) == ()
    assert detector.detect(_stems(noise(SECONDS, 0.05), silent)) == ()
    assert detector.detect(Stems(np.zeros((2, 10), np.float32), np.zeros((2, 10), np.float32), SR, "t")) == ()


def test_a_lone_short_phrase_is_no_vocal(detector: EnergyVocalDetector, band: np.ndarray) -> None:
    assert detector.detect(_stems(sing([(1.0, 1.6, 64.0)], SECONDS), band)) == ()  # 0.6 s of singing in all
    assert len(detector.detect(_stems(sing([(1.0, 2.2, 64.0)], SECONDS), band))) == 1


def test_spans_close_short_gaps_and_drop_blips() -> None:
    frames = np.zeros(200, dtype=bool)
    frames[10:50] = True  # 0.16–0.80 s
    frames[60:100] = True  # after a 0.16 s gap: joined
    frames[150:155] = True  # an 80 ms blip: dropped
    ((start, end),) = to_spans(frames, close_gap_s=0.3, min_span_s=0.2)
    assert (start, end) == pytest.approx((10 * FRAME_S, 100 * FRAME_S))


def test_hysteresis_needs_strong_frames() -> None:
    n = 40
    vocal, mix = np.full(n, -20.0), np.full(n, -19.0)
    weak_only = np.full(n, 0.5)
    assert not sung_frames(weak_only, vocal, mix, Thresholds()).any()
    confident = weak_only.copy()
    confident[18:22] = 0.9
    assert sung_frames(confident, vocal, mix, Thresholds()).all()  # the whole weak run around them


def test_frame_levels_follow_the_signal() -> None:
    levels = frame_levels_db(np.full(16000, 0.5, np.float32), 70)  # 1 s of audio, 1.12 s of frames
    assert levels[5] == pytest.approx(20 * np.log10(0.5), abs=0.01)
    assert levels[-1] < -100  # past the end of the audio
