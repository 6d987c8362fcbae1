"""A score on a tempo map (``beat_times``): seconds ↔ ticks both ways, and the JSON round trip."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from tunesmith.music.score import Key, Note, Part, Score, StemFamily
from tunesmith.music.score_io import score_from_json, score_to_json


def drifting(seed: int, beats: int = 40) -> Score:
    """A score whose beats drift at random (periods 0.3–0.9 s), tick 0 anywhere from −1 s to +1 s."""
    rng = np.random.default_rng(seed)
    times = float(rng.uniform(-1.0, 1.0)) + np.concatenate([[0.0], np.cumsum(rng.uniform(0.3, 0.9, beats - 1))])
    part = Part("pad", StemFamily.SYNTH, 89, (Note(0, 960, 60), Note(1200, 480, 64)))
    return Score(104.0, (4, 4), Key(9, "minor"), (), (), (part,), beat_times=tuple(float(t) for t in times))


@pytest.mark.parametrize("seed", range(20))
def test_ticks_survive_seconds_and_back(seed: int) -> None:
    score = drifting(seed)
    ticks = np.random.default_rng(seed).integers(0, 45 * score.ticks_per_beat, 300)  # past the last beat too
    assert [score.tick_at(score.seconds(int(t))) for t in ticks] == [int(t) for t in ticks]


@pytest.mark.parametrize("seed", range(20))
def test_seconds_survive_ticks_and_back_within_half_a_tick(seed: int) -> None:
    score = drifting(seed)
    times = score.beat_times
    periods = np.diff(times)
    for s in np.random.default_rng(seed).uniform(times[0], times[-1] + 3.0, 300):
        beat = min(int(np.searchsorted(times, s, side="right")) - 1, len(periods) - 1)
        near = periods[max(beat - 1, 0) : beat + 2].max()  # rounding may land in a neighbouring beat
        assert abs(score.seconds(score.tick_at(float(s))) - s) <= 0.5 * near / score.ticks_per_beat + 1e-9


def test_beats_sit_on_their_times_and_the_last_period_continues() -> None:
    score = drifting(3)
    tpb, times = score.ticks_per_beat, score.beat_times
    assert [score.seconds(i * tpb) for i in range(len(times))] == pytest.approx(times, abs=1e-12)
    last = times[-1] - times[-2]
    assert score.seconds((len(times) + 4) * tpb) == pytest.approx(times[-1] + 5 * last)
    assert score.seconds(score.ticks_per_beat // 2) == pytest.approx((times[0] + times[1]) / 2)


def test_without_beat_times_the_single_tempo_rules() -> None:
    score = replace(drifting(1), beat_times=())
    assert score.seconds(480 * 104) == pytest.approx(60.0) and score.tick_at(60.0) == 480 * 104


def test_json_round_trip_keeps_the_tempo_map() -> None:
    score = drifting(7)
    assert score_from_json(score_to_json(score)) == score
    plain = replace(score, beat_times=())
    assert score_from_json(score_to_json(plain)) == plain


def test_documents_written_before_tempo_maps_still_load() -> None:
    score = replace(drifting(2), beat_times=())
    old = json.loads(score_to_json(score))
    del old["beat_times"]
    assert score_from_json(json.dumps(old)) == score


def test_a_tempo_map_that_goes_back_in_time_is_refused() -> None:
    data = json.loads(score_to_json(drifting(4)))
    data["beat_times"][5] = data["beat_times"][3]
    with pytest.raises(ValueError, match="increase"):
        score_from_json(json.dumps(data))
