import re
from statistics import mean

import pytest

from tunesmith.engines.base import SongRequest, TrackPlan
from tunesmith.engines.builtin.composer import compose
from tunesmith.engines.builtin.singer.voices import VOICES
from tunesmith.music.score import LyricWord, Score, StemFamily
from tunesmith.music.score_io import score_from_json, score_to_json

LYRICS = """[Verse]
Summer nights are calling me
Down the road beside the sea
Every light is shining bright
I will hold you close tonight
[Chorus]
Oh we are young and free (so free)
Dancing under every star
Sing it loud for you and me
Nothing ever goes too far
[Verse 2]
Morning comes and takes the dark
Leaves a little burning spark
Walking slowly through the park
Singing till we leave a mark
[Chorus]
Oh we are young and free (so free)
Dancing under every star
Sing it loud for you and me
Nothing ever goes too far
"""
ZH_LYRICS = "[主歌]\n夏夜的风吹过海边\n我们在沙滩上走\n[副歌]\n一起唱到天亮\n永远不分开"


class FakeSyllabifier:
    """Whitespace words, vowel-group syllables; Chinese: one character per word and syllable."""

    def syllabify(self, line: str, language: str) -> list[LyricWord]:
        if language == "zh":
            return [LyricWord(c, (c,)) for c in line if "\u4e00" <= c <= "\u9fff"]
        words = []
        for word in re.findall(r"[A-Za-z']+", line):
            parts = re.findall(r"[^aeiouy]*[aeiouy]+(?:[^aeiouy]*$)?", word.lower()) or [word]
            words.append(LyricWord(word, tuple(parts)))
        return words


def _compose(style: str = "pop", lyrics: str = LYRICS, seed: int = 7, **kw: object) -> Score:
    fields: dict[str, object] = dict(custom=True, instrumental=False, model="V4", lyrics=lyrics, style=style)
    fields.update(kw)
    request = SongRequest(**fields)  # type: ignore[arg-type]
    language = "zh" if any("\u4e00" <= c <= "\u9fff" for c in lyrics) else "en"
    track = TrackPlan(0, "t", "" if request.instrumental else lyrics, style, language, seed)
    return compose(track, request, FakeSyllabifier())


def _syllable_count(score: Score) -> int:
    assert score.vocal is not None
    return sum(len(w.syllables) for line in score.vocal.lines for w in line.words)


GENRES = [
    "pop",
    "rock",
    "piano ballad",
    "edm",
    "hip hop",
    "jazz",
    "folk",
    "lofi",
    "古风",
    "pop 6/8",
    "jazz 3/4",
]


@pytest.mark.parametrize("style", GENRES)
def test_every_syllable_gets_notes_in_the_voice_range(style: str) -> None:
    score = _compose(style)
    assert score.vocal is not None
    voice = VOICES[score.vocal.voice]
    assert len(score.vocal.syllables) == _syllable_count(score)
    for sung in score.vocal.syllables:
        assert sung.notes
        line = score.vocal.lines[sung.line]
        assert line.words[sung.word].syllables[sung.syllable] == sung.text
        assert all(voice.low <= n.pitch <= voice.high for n in sung.notes)
    starts = [s.start for s in score.vocal.syllables]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(score.vocal.syllables, score.vocal.syllables[1:], strict=False))


@pytest.mark.parametrize("style", GENRES)
def test_typical_song_length_and_parts(style: str) -> None:
    score = _compose(style)
    assert 80 <= score.duration_s <= 180, score.duration_s
    families = {p.family for p in score.parts}
    assert StemFamily.DRUMS in families and StemFamily.BASS in families
    assert families & {StemFamily.KEYBOARD, StemFamily.GUITAR, StemFamily.SYNTH}
    assert families & {StemFamily.STRINGS, StemFamily.SYNTH, StemFamily.KEYBOARD, StemFamily.WOODWINDS}
    assert score.sections[0].kind == "intro" and score.sections[-1].kind == "outro"
    assert [c.start for c in score.chords] == sorted(c.start for c in score.chords)


@pytest.mark.parametrize("seed", range(6))
def test_chorus_sits_above_verse(seed: int) -> None:
    score = _compose(seed=seed)
    assert score.vocal is not None
    kinds = {i: s.kind for i, s in enumerate(score.sections)}
    by_kind: dict[str, list[int]] = {"verse": [], "chorus": []}
    for sung in score.vocal.syllables:
        kind = kinds[score.vocal.lines[sung.line].section]
        by_kind.get(kind, []).extend(n.pitch for n in sung.notes)
    assert mean(by_kind["chorus"]) > mean(by_kind["verse"])


def test_drums_have_kick_snare_hat_and_crash() -> None:
    drums = next(p for p in _compose("rock").parts if p.is_drum)
    assert {36, 38, 42, 49} <= {n.pitch for n in drums.notes}


@pytest.mark.parametrize("max_s", [20.0, 45.0, 60.0])
def test_max_duration_is_respected(max_s: float) -> None:
    score = _compose("piano ballad", max_duration_s=max_s)
    assert score.duration_s <= max_s
    assert score.vocal is not None


def test_target_duration_and_minimum_length() -> None:
    assert _compose(lyrics="[Verse]\nla la", max_duration_s=240.0).duration_s >= 30
    long = _compose(max_duration_s=360.0, target_duration_s=200.0)
    assert 0.85 * 200 - 10 <= long.duration_s <= 200


def test_instrumental_has_no_vocal_and_a_genre_form() -> None:
    score = _compose("edm", instrumental=True)
    assert score.vocal is None
    assert len(score.sections) >= 5 and score.duration_s >= 30


def test_excluded_families_never_appear() -> None:
    score = _compose("piano ballad, no drums", negative_tags="piano, strings")
    families = {p.family for p in score.parts}
    assert not families & {StemFamily.DRUMS, StemFamily.KEYBOARD, StemFamily.STRINGS}
    assert StemFamily.GUITAR in families and StemFamily.SYNTH in families
    assert _compose("pop", negative_tags="vocals").vocal is None


def test_backing_lines_dropped_when_backing_vocals_excluded() -> None:
    with_backing = _compose()
    assert with_backing.vocal is not None and any(line.backing for line in with_backing.vocal.lines)
    without = _compose(negative_tags="backing vocals")
    assert without.vocal is not None and not any(line.backing for line in without.vocal.lines)


def test_explicit_tempo_key_meter_are_used() -> None:
    score = _compose("folk, 92 bpm, in D minor, 6/8")
    assert (score.tempo_bpm, score.key.tonic, score.key.mode, score.meter) == (92, 2, "minor", (6, 8))
    assert score.ticks_per_bar == 1440


def test_chinese_lyrics_one_note_per_character() -> None:
    score = _compose("国风", lyrics=ZH_LYRICS)
    assert score.vocal is not None and score.vocal.language == "zh"
    sung = [line for line in ZH_LYRICS.split("\n") if not line.startswith("[")]
    assert [line.text for line in score.vocal.lines][:4] == sung
    assert len(score.vocal.syllables) == _syllable_count(score)
    assert all(len(s.text) == 1 for s in score.vocal.syllables)


def test_deterministic_for_a_seed_and_different_across_seeds() -> None:
    a, b, c = _compose(seed=1), _compose(seed=1), _compose(seed=2)
    assert score_to_json(a) == score_to_json(b)
    assert a.vocal is not None and c.vocal is not None
    melody_a = [n.pitch for s in a.vocal.syllables for n in s.notes]
    melody_c = [n.pitch for s in c.vocal.syllables for n in s.notes]
    assert melody_a != melody_c


def test_composed_score_round_trips() -> None:
    score = _compose("jazz")
    assert score_from_json(score_to_json(score)) == score


def test_odd_lyrics_do_not_break_composition() -> None:
    for lyrics in ["[Verse]\n!!!\n[Chorus]", "[Instrumental]", "(ooh)\n(aah)", "x " * 300]:
        score = _compose(lyrics=lyrics, max_duration_s=120.0)
        assert 0 < score.duration_s <= 120.0
