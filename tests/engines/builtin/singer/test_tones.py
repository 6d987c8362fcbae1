"""Mandarin tones: pypinyin tones per Han character and the pitch gestures that keep them audible."""

from __future__ import annotations

import numpy as np

from tunesmith.engines.builtin.singer.tones import NO_TONE, TONE_SHAPES, line_tones, tone_offsets


def test_tones_per_character_with_sandhi() -> None:
    assert line_tones(list("清晨的风")) == [1, 2, NO_TONE, 1]
    assert line_tones(list("你好")) == [2, 3]  # third-tone sandhi
    assert line_tones(["我", "爱", "你", "baby"]) == [3, 4, 3, NO_TONE]


def test_gestures_start_on_the_tone_and_land_on_the_note() -> None:
    times = np.arange(0.0, 1.0, 0.005)
    for tone, shape in TONE_SHAPES.items():
        bend = tone_offsets(tone, times, 0.1, 0.9)
        assert bend[times < 0.1].max(initial=0.0) == 0.0
        assert abs(bend[20] - shape.points[0]) < 1e-9  # t = 0.1 s: the gesture's first point
        assert np.all(bend[times >= 0.1 + 0.22] == 0.0)  # gone after max_gesture_s
    assert tone_offsets(2, times, 0.1, 0.9)[20] < 0 < tone_offsets(4, times, 0.1, 0.9)[20]


def test_gesture_is_short_on_short_notes_and_absent_without_tone() -> None:
    times = np.arange(0.0, 0.3, 0.005)
    bend = tone_offsets(4, times, 0.0, 0.2)
    assert np.allclose(bend[times >= 0.08], 0.0)  # 40 % of a 0.2 s vowel
    assert not np.any(tone_offsets(NO_TONE, times, 0.0, 0.2))
