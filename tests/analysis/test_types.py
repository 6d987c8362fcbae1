"""The analysis result types: JSON round trip and the tempo map's time conversions."""

from __future__ import annotations

import json

import pytest

from tests.analysis.helpers import drifting_analysis
from tunesmith.analysis.types import ChordSpan, KeyEstimate, SongAnalysis, TempoMap


def test_an_analysis_survives_json() -> None:
    a = drifting_analysis()
    again = SongAnalysis.from_json(json.loads(json.dumps(a.to_json())))
    assert again == a


@pytest.mark.parametrize("seconds", [-1.0, 0.0, 0.3, 2.71, 9.99, 15.0, 40.0])
def test_beat_and_seconds_are_inverse_along_a_drifting_grid(seconds: float) -> None:
    tempo = drifting_analysis().tempo
    assert tempo.seconds_at(tempo.beat_at(seconds)) == pytest.approx(seconds, abs=1e-9)


def test_beat_index_follows_the_drift() -> None:
    tempo = drifting_analysis().tempo
    assert tempo.beat_at(tempo.beats[17]) == pytest.approx(17.0)
    middle = (tempo.beats[20] + tempo.beats[21]) / 2
    assert tempo.beat_at(middle) == pytest.approx(20.5)


def test_a_grid_of_one_beat_falls_back_to_the_median_tempo() -> None:
    tempo = TempoMap((0.0,), (0,), (4, 4), 120.0)
    assert tempo.beat_at(1.0) == pytest.approx(2.0) and tempo.seconds_at(4.0) == pytest.approx(2.0)


def test_names() -> None:
    assert KeyEstimate(10, "minor").name() == "Bb minor"
    assert ChordSpan(0, 1, 9, "min").name() == "Am" and ChordSpan(0, 1, -1, "N").name() == "N"
    assert drifting_analysis().lyrics.text == "hello there\nfriend"
