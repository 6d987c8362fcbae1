"""The audio-in engine's decisions on made-up analyses: what kind of upload it is, the key of a sung line, where a
band's intro and outro go, and where the lyrics of add-vocals are placed on an instrumental."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.analysis.pipeline import AnalysisResult
from tunesmith.analysis.types import (
    KeyEstimate,
    LoudnessReport,
    Lyrics,
    NoteEvent,
    SectionSpan,
    SongAnalysis,
    Stems,
    TempoMap,
    TimedWord,
)
from tunesmith.engines.base import SongRequest, TrackPlan
from tunesmith.engines.builtin.accompany.band import band_for_vocal, sung_key
from tunesmith.engines.builtin.accompany.listen import Heard, require_instrumental, require_voice
from tunesmith.engines.builtin.accompany.topline import vocal_for_instrumental
from tunesmith.engines.builtin.singer.syllables import EspeakSyllabifier
from tunesmith.errors import EngineError
from tunesmith.music.score import TICKS_PER_BEAT, Key
from tunesmith.music.theory import chord_pitch_classes, key_pitch_classes

BEAT = 0.6  # 100 bpm
D_MAJOR = KeyEstimate(2, "major", 0.9)
SUNG = ("we", "sing", "along", "the", "river", "road", "all", "night")


def analysis(*, duration: float = 60.0, melody: tuple[NoteEvent, ...] = (), words: tuple[TimedWord, ...] = (),
             sections: tuple[SectionSpan, ...] = (), key: KeyEstimate = D_MAJOR,
             has_vocals: bool = True) -> SongAnalysis:
    beats = tuple(float(t) for t in np.arange(0.3, duration, BEAT))
    spans = tuple((n.onset_s, n.offset_s) for n in melody)
    return SongAnalysis(duration, TempoMap(beats, tuple(range(0, len(beats), 4)), (4, 4), 100.0), key, (),
                        sections or (SectionSpan(0.0, duration, "A", "verse"),), spans, melody,
                        Lyrics("en", "transcribed", words), LoudnessReport(-14.0, -1.0), has_vocals)


def heard(a: SongAnalysis) -> Heard:
    silent = np.zeros((1, 10), dtype=np.float32)
    return Heard(None, AnalysisResult(a, Stems(silent, silent, 44100, "test")))  # type: ignore[arg-type]


def sung_line(start: float, bars: int, pitches: tuple[int, ...]) -> tuple[NoteEvent, ...]:
    """Quarter notes on the beats of ``bars`` bars from the downbeat at ``start``, cycling ``pitches``."""
    return tuple(NoteEvent(start + i * BEAT, start + (i + 0.9) * BEAT, float(pitches[i % len(pitches)]))
                 for i in range(bars * 4))


def test_a_vocal_needs_a_voice_and_an_instrumental_must_not_have_one() -> None:
    with pytest.raises(EngineError) as no_voice:
        require_voice(heard(analysis(has_vocals=False)))
    assert no_voice.value.code == 400 and "no singing voice" in no_voice.value.message
    require_voice(heard(analysis(melody=sung_line(2.7, 4, (62, 66, 69)))))
    words = tuple(TimedWord(w, i, i + 0.5, 0, 0.9) for i, w in enumerate(SUNG))
    with pytest.raises(EngineError) as sung:
        require_instrumental(heard(analysis(words=words)))
    assert sung.value.code == 400 and "already has a sung vocal" in sung.value.message
    require_instrumental(heard(analysis(words=words[:4])))  # a few stray words are not a vocal
    mumbled = tuple(TimedWord(w.text, w.start_s, w.end_s, 0, 0.2) for w in words)
    require_instrumental(heard(analysis(words=mumbled)))


def test_the_sung_notes_decide_the_key_of_the_band() -> None:
    d_major = sung_line(0.3, 2, (62, 66, 69, 71)) + (NoteEvent(5.5, 7.0, 62.0),)  # ends on D
    b_minor = sung_line(0.3, 2, (59, 62, 66, 62)) + (NoteEvent(5.5, 7.0, 59.0),)  # ends on B
    assert sung_key(d_major, Key(11, "minor")) == Key(2, "major")
    assert sung_key(b_minor, Key(2, "major")) == Key(11, "minor")
    assert sung_key((), Key(4, "minor")) == Key(4, "minor")


def test_a_band_for_a_vocal_has_an_intro_an_outro_and_chords_of_its_notes() -> None:
    line = sung_line(0.3 + 4 * BEAT, 8, (62, 66, 69, 66)) + sung_line(0.3 + 14 * 4 * BEAT, 4, (67, 71, 69, 62))
    a = analysis(duration=50.0, melody=line)
    request = SongRequest(custom=True, instrumental=False, model="V5", style="pop", operation="add_instrumental")
    band = band_for_vocal(a, TrackPlan(0, "T", "", "pop", "en", 7), request)
    score = band.score
    assert score.sections[0].kind == "intro" and score.sections[-1].kind == "outro"
    assert score.sections[0].end // score.ticks_per_bar >= 2  # at least two bars before the first phrase
    assert band.offset_s > 0  # the vocal starts one bar in: it is delayed to make room for the intro
    assert score.seconds(score.sections[0].end) == pytest.approx(0.3 + 4 * BEAT + band.offset_s, abs=0.02)
    assert any(s.kind == "instrumental" for s in score.sections)  # the 6-bar gap between the two phrases
    assert (score.chords[-1].root, score.chords[-1].quality) == (2, "maj")
    tones = 0
    for note in line:
        tick = score.tick_at(note.onset_s + band.offset_s + 0.01)
        chord = next(c for c in score.chords if c.start <= tick < c.start + c.duration)
        tones += round(note.pitch) % 12 in chord_pitch_classes(chord.root, chord.quality)
    assert tones / len(line) >= 0.7
    assert score.beat_times[0] == pytest.approx(0.0, abs=1e-6) and score.ticks_per_beat == TICKS_PER_BEAT
    assert {p.family.value for p in score.parts} >= {"drums", "bass"}


def lyrics_track(lyrics: str, seed: int = 3) -> TrackPlan:
    return TrackPlan(0, "T", lyrics, "pop", "en", seed)


LYRICS = """[Verse]
Walking down the river road
Carry all the things I know
[Chorus]
Sing it out and let it go
Sing it out and let it go"""


def test_lyrics_go_to_the_sections_that_sound_like_them() -> None:
    bar = 4 * BEAT
    # intro A (4 bars), verse B (8), chorus C (8), verse B (8), chorus C (8), outro A (4)
    plan = [("A", 4), ("B", 8), ("C", 8), ("B", 8), ("C", 8), ("A", 4)]
    sections, t = [], 0.3
    for label, bars in plan:
        sections.append(SectionSpan(t, t + bars * bar, label, "instrumental"))
        t += bars * bar
    a = analysis(duration=t + 0.5, sections=tuple(sections), has_vocals=False)
    louder = {"C"}

    def loudness(start: float, stop: float) -> float:
        middle = (start + stop) / 2
        return -10.0 if next(s.label for s in sections if s.start_s <= middle < s.end_s) in louder else -20.0

    request = SongRequest(custom=True, instrumental=False, model="V5", lyrics=LYRICS, style="pop",
                          operation="add_vocals")
    score = vocal_for_instrumental(a, lyrics_track(LYRICS), request, EspeakSyllabifier(), loudness)
    kinds = [s.kind for s in score.sections]
    assert kinds[0] == "intro" and kinds[-1] == "outro"
    assert score.vocal is not None
    chorus_lines = {line.section for line in score.vocal.lines if line.text.startswith("Sing it out")}
    assert {score.sections[i].kind for i in chorus_lines} == {"chorus"}
    assert len(chorus_lines) == 2  # both loud sections sing the chorus
    starts = {s.start for s in score.sections}
    for line_index in range(len(score.vocal.lines)):
        first = next(s for s in score.vocal.syllables if s.line == line_index)
        assert first.start // score.ticks_per_bar * score.ticks_per_bar in starts or first.start % TICKS_PER_BEAT \
            in (0, TICKS_PER_BEAT // 2, TICKS_PER_BEAT // 4, 3 * TICKS_PER_BEAT // 4)
    scale = set(key_pitch_classes(score.key))
    notes = [n for s in score.vocal.syllables for n in s.notes]
    assert sum(n.pitch % 12 in scale for n in notes) / len(notes) >= 0.9
    assert score.seconds(0) == pytest.approx(0.3)  # bar 0 is the instrumental's first downbeat


def test_without_a_heard_chorus_the_lyrics_fill_the_blocks_in_order_and_the_chorus_returns() -> None:
    a = analysis(duration=0.3 + 40 * 4 * BEAT, has_vocals=False)
    request = SongRequest(custom=True, instrumental=False, model="V5", lyrics=LYRICS, style="pop",
                          operation="add_vocals")
    score = vocal_for_instrumental(a, lyrics_track(LYRICS), request, EspeakSyllabifier(), lambda a, b: -20.0)
    assert score.vocal is not None
    texts = [line.text for line in score.vocal.lines]
    assert texts[0] == "Walking down the river road"
    assert texts.count("Sing it out and let it go") >= 4  # the chorus comes back on later blocks
