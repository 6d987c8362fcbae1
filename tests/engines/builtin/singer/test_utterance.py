"""An utterance makes its samples once, on first use, and two utterances can make theirs at the same time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import pytest

from tunesmith.engines.builtin.singer.espeak import Utterance


def _utterance(speech: object, samples: int = 4) -> Utterance:
    return Utterance((), (), samples, speech, 22050)  # type: ignore[arg-type]


def test_samples_are_made_once_and_checked() -> None:
    calls: list[int] = []

    def speech() -> npt.NDArray[np.int16]:
        calls.append(1)
        return np.arange(4, dtype=np.int16)

    utterance = _utterance(speech)
    assert utterance.audio is utterance.audio
    assert len(calls) == 1
    with pytest.raises(RuntimeError, match="announced"):
        _ = _utterance(speech, samples=5).audio


def test_two_utterances_make_their_samples_concurrently() -> None:
    # each voice call waits for the other to be running: made one at a time (one lock for every
    # utterance, as functools.cached_property has on Python 3.11) the barrier breaks
    both = threading.Barrier(2, timeout=10)

    def speech() -> npt.NDArray[np.int16]:
        both.wait()
        return np.zeros(4, dtype=np.int16)

    utterances = [_utterance(speech), _utterance(speech)]
    with ThreadPoolExecutor(2) as pool:
        made = list(pool.map(lambda u: u.audio, utterances))
    assert [m.size for m in made] == [4, 4]
