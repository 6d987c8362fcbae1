import pytest

from tunesmith.music.score import StemFamily
from tunesmith.music.styles import FILLS, GENRES, MOODS, REQUIRED_ROLES, boost_style, parse_style


@pytest.mark.parametrize(
    ("text", "genre"),
    [
        ("upbeat pop", "pop"),
        ("hard rock anthem", "rock"),
        ("piano ballad", "ballad"),
        ("EDM festival banger", "edm"),
        ("deep house groove", "house"),
        ("liquid drum and bass", "dnb"),
        ("lo-fi hip hop beat", "lofi"),
        ("bossa nova", "bossa_nova"),
        ("big band swing", "swing"),
        ("k-pop", "kpop"),
        ("华语流行", "cpop"),
        ("古典", "classical"),
        ("电影配乐", "orchestral"),
        ("铁克诺", "techno"),
        ("雷鬼", "reggae"),
        ("boom bap hip hop", "hiphop"),
        ("smooth jazz", "jazz"),
        ("acoustic folk", "folk"),
        ("lo-fi study beats", "lofi"),
        ("流行", "pop"),
        ("摇滚", "rock"),
        ("抒情", "ballad"),
        ("电子舞曲", "edm"),
        ("电子", "electronic"),
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
    assert len(GENRES) >= 30 and len({g.name for g in GENRES}) == len(GENRES)
    for genre in GENRES:
        assert genre.keywords_en and genre.keywords_zh and genre.display_zh and genre.feel_en and genre.feel_zh
        assert genre.patterns_for(16) is not None
        assert {p.family for p in genre.progressions} == {"major", "minor"}
        assert genre.tempo[0] < genre.tempo[1]
        assert all(f in FILLS for f in genre.fills)
        for role in REQUIRED_ROLES:
            assert genre.instruments_for(role), (genre.name, role)


def test_genres_use_all_instrument_families() -> None:
    used = {i.family for g in GENRES for i in g.instruments}
    assert used == set(StemFamily) - {StemFamily.VOCALS, StemFamily.BACKING_VOCALS}


def test_twenty_moods_in_both_languages() -> None:
    assert len(MOODS) == 20
    assert all(m.words_en and m.words_zh for m in MOODS)
    assert parse_style("nostalgic synthwave").moods == ("nostalgic",)
    assert parse_style("神秘 电子").moods == ("mysterious",)


def test_vocal_descriptors_and_instrumental_words() -> None:
    assert parse_style("pop, female vocals").voice == "f"
    assert parse_style("摇滚 男声").voice == "m"
    assert parse_style("pop ballad").voice is None
    for text in ("instrumental lofi", "纯音乐 国风"):
        style = parse_style(text)
        assert style.instrumental and StemFamily.VOCALS in style.excluded


def test_named_instruments_take_their_role() -> None:
    style = parse_style("pop with saxophone and guzheng")
    lead, comp = style.instrument_for("lead"), style.instrument_for("comp")
    assert lead is not None and lead.program == 65 and lead.family is StemFamily.WOODWINDS
    assert comp is not None and comp.program == 107
    assert parse_style("古风 二胡").instrument_for("lead") is not None
    negated = parse_style("pop, no saxophone")
    assert StemFamily.WOODWINDS in negated.excluded and not negated.named


def test_negative_tags_exclude_genres() -> None:
    assert parse_style("rock pop", negative="rock").genre.name == "pop"
    assert parse_style("jazz, not swing").genre.name == "jazz"


@pytest.mark.parametrize("text", ["sad jazz, female vocals", "欢快的国风 男声", "trap, 140 bpm, in F minor"])
def test_boost_style_is_rich_and_in_the_request_language(text: str) -> None:
    boosted = boost_style(text)
    assert len(boosted) > 3 * len(text)
    assert parse_style(boosted).genre.name == parse_style(text).genre.name
    han = any("\u4e00" <= c <= "\u9fff" for c in boosted)
    assert han == ("国风" in text)


def test_boost_names_tempo_key_and_voice() -> None:
    boosted = boost_style("trap, 140 bpm, in F minor, female vocals")
    assert "140 BPM" in boosted and "F minor" in boosted and "female" in boosted
    assert "每分钟" in boost_style("说唱")
