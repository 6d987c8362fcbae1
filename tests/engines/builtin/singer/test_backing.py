"""The backing part: parenthesised lines and chorus harmonies sung by a partner voice."""

from __future__ import annotations

from dataclasses import replace

from tunesmith.engines.builtin.singer.backing import backing_score, harmony_pitch, partner_voice, third_above
from tunesmith.engines.builtin.singer.voices import VOICES
from tunesmith.music.score import Key, LyricLine, LyricWord, Note, Score, Section, SungSyllable, VocalLine

C_MAJOR, A_MINOR = Key(0, "major"), Key(9, "minor")


def test_thirds_are_diatonic() -> None:
    assert [third_above(p, C_MAJOR) for p in (60, 62, 64, 65, 67, 69, 71)] == [64, 65, 67, 69, 71, 72, 74]
    assert third_above(69, A_MINOR) == 72 and third_above(64, A_MINOR) == 67
    assert third_above(61, C_MAJOR) == 65  # off-scale notes get a major third


def test_harmony_drops_to_the_sixth_below_out_of_range() -> None:
    voice = VOICES["m-bright"]
    assert harmony_pitch(55, C_MAJOR, voice) == 59
    assert harmony_pitch(voice.high, C_MAJOR, voice) == third_above(voice.high, C_MAJOR) - 12


def test_partner_has_the_same_gender_and_another_timbre() -> None:
    for voice in VOICES.values():
        partner = partner_voice(voice)
        assert partner.gender == voice.gender and partner.id != voice.id


def _score() -> Score:
    words = (LyricWord("la", ("la",)),)
    lines = (LyricLine("la", words, 0), LyricLine("la", words, 1), LyricLine("la", words, 1, backing=True))
    syllables = tuple(SungSyllable(i, 0, 0, "la", (Note(480 * i, 480, 60),)) for i in range(3))
    sections = (Section("verse", "Verse", 0, 480), Section("chorus", "Chorus", 480, 1440))
    return Score(120.0, (4, 4), C_MAJOR, sections, (), (), VocalLine("en", "f-clear", lines, syllables))


def test_backing_part_holds_answers_and_chorus_harmony() -> None:
    part = backing_score(_score())
    assert part is not None and part.vocal is not None
    assert part.vocal.voice == "f-warm"
    assert not any(line.backing for line in part.vocal.lines)  # its own singer sings every line it has
    by_line = {s.line: s.notes[0].pitch for s in part.vocal.syllables}
    assert by_line == {1: 64, 2: 60}  # verse left alone, chorus a third up, the answer as written


def test_no_backing_without_chorus_or_answers() -> None:
    score = _score()
    assert score.vocal is not None
    verse_only = VocalLine("en", "f-clear", score.vocal.lines[:1], score.vocal.syllables[:1])

    assert backing_score(replace(score, vocal=verse_only)) is None
