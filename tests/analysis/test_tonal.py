"""Key and chords of synthetic progressions: sine triads over a bass note on every beat."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.analysis.base import ChordRecogniser, KeyFinder
from tunesmith.analysis.tonal import ProfileKeyFinder, TemplateChordRecogniser, key_from_chroma, templates
from tunesmith.analysis.types import ChordSpan, TempoMap
from tunesmith.dsp.types import Audio

SR = 44100
BEAT_S = 0.5  # 120 BPM
BEATS_PER_CHORD = 4

C, G, A_MIN, F, D_MIN, E = (0, "maj"), (7, "maj"), (9, "min"), (5, "maj"), (2, "min"), (4, "maj")


def _tone(midi: float, seconds: float, sr: int, amplitude: float) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-t * 1.5)
    harmonics = sum(0.5**k * np.sin(2 * np.pi * (k + 1) * 440.0 * 2 ** ((midi - 69) / 12) * t) for k in range(3))
    return (amplitude * envelope * harmonics).astype(np.float32)


def progression(chords: list[tuple[int, str]], *, repeats: int = 2, sr: int = SR, channels: int = 2) -> Audio:
    """Each chord a bar of 4 beats: a triad around middle C restruck every bar, the root in the bass every beat."""
    bar = int(BEAT_S * BEATS_PER_CHORD * sr)
    out = np.zeros(bar * len(chords) * repeats, dtype=np.float32)
    for i, (root, quality) in enumerate(chords * repeats):
        third = 4 if quality == "maj" else 3
        start = i * bar
        for interval in (0, third, 7):
            out[start:start + bar] += _tone(60 + root + interval, BEAT_S * BEATS_PER_CHORD, sr, 0.12)
        for beat in range(BEATS_PER_CHORD):
            at = start + int(beat * BEAT_S * sr)
            note = _tone(36 + root, BEAT_S, sr, 0.25)
            out[at:at + note.size] += note
    return np.repeat(out[None, :], channels, axis=0)


def grid(seconds: float) -> TempoMap:
    beats = tuple(float(t) for t in np.arange(0.0, seconds - 1e-6, BEAT_S))
    return TempoMap(beats, tuple(range(0, len(beats), 4)), (4, 4), 120.0)


def chord_per_beat(spans: tuple[ChordSpan, ...], seconds: float) -> list[tuple[int, str]]:
    out = []
    for t in np.arange(BEAT_S / 2, seconds, BEAT_S):
        span = next(s for s in spans if s.start_s <= t < s.end_s)
        out.append((span.root, span.quality))
    return out


def test_they_implement_the_protocols() -> None:
    assert isinstance(ProfileKeyFinder(), KeyFinder)
    assert isinstance(TemplateChordRecogniser(), ChordRecogniser)


def test_major_progression_key() -> None:
    key = ProfileKeyFinder().find_key(progression([C, G, A_MIN, F]), SR)
    assert (key.tonic, key.mode) == (0, "major")
    assert 0.0 < key.confidence <= 1.0


def test_minor_progression_key_at_a_low_rate_in_mono() -> None:
    key = ProfileKeyFinder().find_key(progression([A_MIN, D_MIN, E, A_MIN], sr=22050, channels=1), 22050)
    assert (key.tonic, key.mode) == (9, "minor")


@pytest.mark.parametrize("chords", [[C, G, A_MIN, F], [A_MIN, D_MIN, E, A_MIN]])
def test_chords_on_the_beat(chords: list[tuple[int, str]]) -> None:
    audio = progression(chords)
    seconds = audio.shape[1] / SR
    spans = TemplateChordRecogniser().recognise(audio, SR, grid(seconds))
    expected = [c for c in chords * 2 for _ in range(BEATS_PER_CHORD)]
    found = chord_per_beat(spans, seconds)
    assert np.mean([a == b for a, b in zip(expected, found, strict=True)]) >= 0.9


def test_spans_cover_the_song_without_gaps_and_merge_repeats() -> None:
    audio = progression([C, G, A_MIN, F], repeats=1)
    seconds = audio.shape[1] / SR
    spans = TemplateChordRecogniser().recognise(audio, SR, grid(seconds))
    assert spans[0].start_s == 0.0
    assert spans[-1].end_s == pytest.approx(seconds)
    assert all(a.end_s == b.start_s for a, b in zip(spans, spans[1:], strict=False))
    assert all((a.root, a.quality) != (b.root, b.quality) for a, b in zip(spans, spans[1:], strict=False))
    assert [s.name() for s in spans] == ["C", "G", "Am", "F"]


def test_silence_is_no_chord_and_no_key() -> None:
    silence = np.zeros((2, SR * 4), dtype=np.float32)
    spans = TemplateChordRecogniser().recognise(silence, SR, grid(4.0))
    assert [(s.root, s.quality) for s in spans] == [(-1, "N")]
    assert (spans[0].start_s, spans[0].end_s) == (0.0, 4.0)
    assert ProfileKeyFinder().find_key(silence, SR).confidence == 0.0


def test_silent_gap_between_chords_is_no_chord() -> None:
    music = progression([C, G], repeats=1)
    audio = np.concatenate([music, np.zeros((2, SR * 4), dtype=np.float32), music], axis=1)
    seconds = audio.shape[1] / SR
    found = chord_per_beat(TemplateChordRecogniser().recognise(audio, SR, grid(seconds)), seconds)
    assert found[9:15] == [(-1, "N")] * 6
    assert found[0] == C and found[-1] == G


def test_no_beats_still_covers_the_audio() -> None:
    audio = progression([F], repeats=1)
    spans = TemplateChordRecogniser().recognise(audio, SR, TempoMap((), (), (4, 4), 120.0))
    assert [(s.start_s, s.name()) for s in spans] == [(0.0, "F")]


def test_templates_are_unit_triads() -> None:
    table = templates()
    assert table.shape == (24, 12)
    np.testing.assert_allclose(np.linalg.norm(table, axis=1), 1.0)
    assert set(np.flatnonzero(table[9 + 12])) == {9, 0, 4}  # A minor: A C E


def test_key_from_pure_scale_chroma() -> None:
    d_major = np.zeros((12, 10), dtype=np.float32)
    d_major[[2, 4, 6, 7, 9, 11, 1]] = 1.0
    d_major[[2, 6, 9]] = 2.0
    bass = np.zeros_like(d_major)
    bass[2] = 1.0
    key = key_from_chroma(d_major, bass)
    assert (key.tonic, key.mode) == (2, "major")
