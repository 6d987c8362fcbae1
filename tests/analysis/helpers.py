"""A hand-made analysis for tests of what consumes analyses (no models run)."""

from __future__ import annotations

from tunesmith.analysis.types import (
    ChordSpan,
    KeyEstimate,
    LoudnessReport,
    Lyrics,
    NoteEvent,
    SectionSpan,
    SongAnalysis,
    TempoMap,
    TimedWord,
)


def drifting_analysis() -> SongAnalysis:
    """16 s of 4/4 whose beats slow from 0.50 s to 0.54 s apart, first beat at 0.30 s; G major; two lines."""
    beats, t = [], 0.30
    for i in range(30):
        beats.append(round(t, 4))
        t += 0.50 + 0.04 * i / 29
    return SongAnalysis(
        duration_s=16.0,
        tempo=TempoMap(tuple(beats), tuple(range(0, 30, 4)), (4, 4), 116.0),
        key=KeyEstimate(7, "major", 0.8),
        chords=(ChordSpan(0.0, 0.30, -1, "N"), ChordSpan(0.30, beats[4], 7, "maj"),
                ChordSpan(beats[4], beats[8], 4, "min"), ChordSpan(beats[8], 16.0, 0, "maj")),
        sections=(SectionSpan(0.0, beats[4], "A", "intro"), SectionSpan(beats[4], 16.0, "B", "verse")),
        vocal_spans=((beats[4], beats[12]),),
        melody=(NoteEvent(beats[4], beats[5], 67.1), NoteEvent(beats[5], beats[6] - 0.05, 69.0),
                NoteEvent(beats[6] + 0.12, beats[8], 71.0)),
        lyrics=Lyrics("en", "aligned", (TimedWord("hello", beats[4], beats[5], 0), TimedWord("there", beats[5],
                                                                                              beats[6], 0),
                                        TimedWord("friend", beats[6] + 0.12, beats[8], 1, 0.9))),
        loudness=LoudnessReport(-14.2, -1.1),
        has_vocals=True,
        methods={"beats": "Test"},
    )
