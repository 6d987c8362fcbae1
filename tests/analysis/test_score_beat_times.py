"""An analysis score keeps time along the recording's beats, so its MIDI export lines up with the recording."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest

from tests.analysis.helpers import drifting_analysis
from tunesmith.analysis.score import to_score
from tunesmith.media.midi import score_parts, write_midi


def test_the_score_seconds_are_the_clock_seconds() -> None:
    material = to_score(drifting_analysis())
    score, clock = material.score, material.clock
    assert len(score.beat_times) == 31  # the 30 detected beats and the whole beat before the first
    for tick in range(0, 40 * score.ticks_per_beat, 97):
        assert score.seconds(tick) == pytest.approx(clock.seconds(tick), abs=1e-9)


def test_the_midi_export_places_the_sung_notes_where_they_were_sung(tmp_path: Path) -> None:
    analysis = drifting_analysis()
    score = to_score(analysis).score
    ons, now = [], 0.0
    for msg in mido.MidiFile(str(write_midi(score, score_parts(score), tmp_path / "song.mid"))):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0 and msg.channel == 0:
            ons.append(now)
    assert ons == pytest.approx([n.onset_s for n in analysis.melody], abs=1e-3)
