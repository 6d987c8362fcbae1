import pytest

from tunesmith.music.score import StemFamily
from tunesmith.music.styles import GENRES, ROLES, parse_style


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("upbeat pop", "pop"),
        ("hard rock anthem", "rock"),
        ("piano ballad", "ballad"),
        ("EDM festival banger", "electronic"),
        ("boom bap hip hop", "hiphop"),
        ("smooth jazz", "jazz"),
        ("acoustic folk", "folk"),
        ("lo-fi study beats", "lofi"),
        ("流行", "pop"),
        ("摇滚", "rock"),
        ("抒情", "ballad"),
        ("电子舞曲", "electronic"),
        ("说唱", "hiphop"),
        ("爵士", "jazz"),
        ("民谣", "folk"),
        ("古风", "guofeng"),
        ("国风 中国风", "guofeng"),
        ("", "pop"),
    ],
)
def test_genre_keywords(text: str, genre: str) -> None:
    assert parse_style(text).genre.name == genre


def test_explicit_overrides() -> None:
    style = parse_style("rock, 92 bpm, in D minor, 6/8")
    assert style.tempo_bpm == 92
    assert (style.tonic, style.mode) == (2, "minor")
    assert style.meter == (6, 8)
    assert parse_style("folk waltz").meter == (3, 4)
    assert (parse_style("降E大调 古风").tonic, parse_style("降E大调").mode) == (3, "major")
    assert parse_style("jazz in F#m").mode == "minor"


def test_mood_nudges_mode_and_tempo() -> None:
    plain, sad, happy = parse_style("pop"), parse_style("sad pop"), parse_style("欢快 流行")
    assert sad.modes and all(m == "minor" for m in sad.modes)
    assert sad.tempo_range[1] < plain.tempo_range[1] < happy.tempo_range[1]
    assert "major" in happy.modes
    assert parse_style("悲伤的歌").moods == ("sad",)


def test_negative_tags_remove_families() -> None:
    assert StemFamily.DRUMS in parse_style("pop, no drums").excluded
    assert StemFamily.DRUMS in parse_style("pop", negative="drums").excluded
    assert StemFamily.DRUMS in parse_style("流行，不要鼓").excluded
    style = parse_style("rock without bass and piano")
    assert {StemFamily.BASS, StemFamily.KEYBOARD} <= style.excluded
    assert StemFamily.DRUMS not in style.excluded
    assert style.instrument_for("bass") is None
    assert parse_style("pop drums").excluded == frozenset()


def test_excluded_comp_family_falls_back_to_another_instrument() -> None:
    style = parse_style("piano ballad", negative="piano")
    comp = style.instrument_for("comp")
    assert comp is not None and comp.family is StemFamily.GUITAR


def test_backing_vocals_do_not_exclude_lead() -> None:
    excluded = parse_style("ballad, no backing vocals").excluded
    assert StemFamily.BACKING_VOCALS in excluded and StemFamily.VOCALS not in excluded


def test_tags_parse_back_to_the_same_genre() -> None:
    for genre in GENRES:
        style = parse_style(genre.tags[0] + ", sad, no drums")
        again = parse_style(style.tags())
        assert again.genre.name == genre.name
        assert again.excluded == style.excluded


def test_every_genre_is_complete() -> None:
    for genre in GENRES:
        assert genre.keywords_en and genre.keywords_zh
        assert genre.patterns_for(16) is not None
        assert {p.family for p in genre.progressions} == {"major", "minor"}
        for role in ROLES:
            assert genre.instruments_for(role), (genre.name, role)
        assert all(
            i.family in (StemFamily.KEYBOARD, StemFamily.GUITAR) for i in genre.instruments_for("comp")
        )
        assert all(i.family in (StemFamily.STRINGS, StemFamily.SYNTH) for i in genre.instruments_for("pad"))
