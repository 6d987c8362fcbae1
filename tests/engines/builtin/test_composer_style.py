"""The composer against the style knowledge: named instruments, controls, prosody, hooks, grooves."""

from statistics import mean

import pytest

from tests.engines.builtin.test_composer import LYRICS, _compose
from tunesmith.engines.builtin.composer.melody import line_stresses
from tunesmith.music.lyrics import parse_lyrics
from tunesmith.music.score import TICKS_PER_BEAT, Score, StemFamily
from tunesmith.music.styles import CRASH_NOTE, GENRES
from tunesmith.music.theory import chord_pitch_classes, key_pitch_classes


def _families(score: Score) -> set[StemFamily]:
    return {p.family for p in score.parts}


def test_named_instruments_sound_and_voice_descriptor_picks_the_voice() -> None:
    score = _compose("pop with saxophone, female vocals")
    assert any(p.program == 65 and p.family is StemFamily.WOODWINDS for p in score.parts)
    assert score.vocal is not None and score.vocal.voice.startswith("f-")
    assert _compose("rock, male vocals").vocal.voice.startswith("m-")  # type: ignore[union-attr]


def test_instrumental_style_word_drops_the_voice() -> None:
    assert _compose("纯音乐 国风").vocal is None


def test_every_genre_composes_with_its_families() -> None:
    seen: set[StemFamily] = set()
    for genre in GENRES:
        score = _compose(genre.tags[0], instrumental=True, max_duration_s=40.0)
        assert score.metadata["genre"] == genre.name and score.metadata["mix"] == genre.mix
        seen |= _families(score)
    assert seen >= set(StemFamily) - {StemFamily.VOCALS, StemFamily.BACKING_VOCALS}


def _chromatic_share(score: Score) -> float:
    scale = set(key_pitch_classes(score.key))
    return mean(not set(chord_pitch_classes(c.root, c.quality)) <= scale for c in score.chords)


def test_weirdness_adds_chromatic_chords_and_form_changes() -> None:
    tame = [_compose("pop", weirdness=0.0, seed=s) for s in range(4)]
    wild = [_compose("pop", weirdness=1.0, seed=s) for s in range(4)]
    assert mean(_chromatic_share(s) for s in wild) > mean(_chromatic_share(s) for s in tame) + 0.15
    assert all(any(sec.kind == "break" for sec in s.sections) for s in wild)
    assert not any(any(sec.kind == "break" for sec in s.sections) for s in tame)


def test_style_weight_keeps_tempo_near_the_genre_centre() -> None:
    genre = next(g for g in GENRES if g.name == "rock")
    centre, half = sum(genre.tempo) / 2, (genre.tempo[1] - genre.tempo[0]) / 2
    for seed in range(8):
        assert abs(_compose("rock", style_weight=1.0, seed=seed).tempo_bpm - centre) <= half * 0.5 + 0.5


def test_stressed_syllables_fall_on_beats_and_phrases_end_long() -> None:
    score = _compose("pop", seed=3)
    assert score.vocal is not None
    on_beat = {True: [], False: []}  # type: dict[bool, list[bool]]
    for index, line in enumerate(score.vocal.lines):
        stresses = line_stresses(line.words, "en")
        sung = [s for s in score.vocal.syllables if s.line == index]
        for stressed, syllable in zip(stresses, sung, strict=True):
            on_beat[stressed].append(syllable.start % TICKS_PER_BEAT == 0)
        lengths = [s.end - s.start for s in sung]
        assert lengths[-1] >= max(lengths[:-1], default=0) or lengths[-1] >= TICKS_PER_BEAT
    assert mean(on_beat[True]) > mean(on_beat[False]) + 0.2


def _section_pitches(score: Score, kind: str) -> list[list[int]]:
    assert score.vocal is not None
    kinds = {i: s.kind for i, s in enumerate(score.sections)}
    lines: dict[int, list[int]] = {}
    for s in score.vocal.syllables:
        if kinds[score.vocal.lines[s.line].section] == kind and not score.vocal.lines[s.line].backing:
            lines.setdefault(s.line, []).append(s.notes[0].pitch)
    return list(lines.values())


@pytest.mark.parametrize("seed", range(4))
def test_chorus_lines_follow_the_hook(seed: int) -> None:
    """Every chorus line stays within ~2 semitones (mean) of the chorus's first line, note by note."""
    chorus = _section_pitches(_compose(seed=seed), "chorus")[:4]
    hook = chorus[0]
    distance = mean(abs(p - hook[i % len(hook)]) for line in chorus[1:] for i, p in enumerate(line))
    assert distance <= 2.5


def test_crashes_and_fills_mark_section_changes() -> None:
    score = _compose("rock", seed=2)
    drums = next(p for p in score.parts if p.family is StemFamily.DRUMS)
    crashes = {n.start for n in drums.notes if n.pitch == CRASH_NOTE}
    starts = {s.start for s in score.sections[1:] if s.kind in ("verse", "chorus")}
    assert starts <= crashes
    fills = {n.pitch for n in drums.notes} & {41, 45, 47, 50}
    assert fills or any(n.pitch == 38 for n in drums.notes)


def test_dynamic_arc_rises_to_the_last_chorus() -> None:
    score = _compose("pop", seed=4)
    comp = next(p for p in score.parts if p.family in (StemFamily.KEYBOARD, StemFamily.GUITAR))
    choruses = [s for s in score.sections if s.kind == "chorus"]
    first, last = choruses[0], choruses[-1]
    level = lambda s: mean(n.velocity for n in comp.notes if s.start <= n.start < s.end)  # noqa: E731
    assert level(last) > level(first)


def test_second_chorus_reuses_the_first_with_variation() -> None:
    score = _compose(seed=5)
    choruses = [s for s in score.sections if s.kind == "chorus"]
    assert len(choruses) >= 2
    lyrics_choruses = [s for s in parse_lyrics(LYRICS).sections if s.kind == "chorus"]
    assert len(lyrics_choruses) == 2
    pitches = _section_pitches(score, "chorus")
    half = len(pitches) // 2
    same = mean(
        a == b for x, y in zip(pitches[:half], pitches[half:], strict=False) for a, b in zip(x, y, strict=False)
    )
    assert same >= 0.5
