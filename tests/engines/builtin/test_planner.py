from tunesmith.engines.base import SongRequest
from tunesmith.engines.builtin.planner import make_plan, track_seed
from tunesmith.music.lyrics import parse_lyrics
from tunesmith.music.styles import parse_style

LYRICS = "[Verse]\nhello world\n[Chorus]\nsing along"


def _custom(**kw: object) -> SongRequest:
    base: dict[str, object] = dict(
        custom=True, instrumental=False, model="V4", lyrics=LYRICS, style="rock", title="Hi", seed=11
    )
    base.update(kw)
    return SongRequest(**base)  # type: ignore[arg-type]


def test_custom_mode_keeps_lyrics_title_and_style() -> None:
    plan = make_plan(_custom())
    assert len(plan.tracks) == 2
    assert [t.index for t in plan.tracks] == [0, 1]
    for track in plan.tracks:
        assert (track.lyrics, track.title, track.tags, track.language) == (LYRICS, "Hi", "rock", "en")


def test_seeds_are_derived_distinct_and_reproducible() -> None:
    a, b = make_plan(_custom()), make_plan(_custom())
    assert [t.seed for t in a.tracks] == [t.seed for t in b.tracks] == [track_seed(11, 0), track_seed(11, 1)]
    assert a.tracks[0].seed != a.tracks[1].seed
    assert make_plan(_custom(seed=12)).tracks[0].seed != a.tracks[0].seed
    assert make_plan(_custom(seed=None)).tracks[0].seed >= 0


def test_instrumental_has_no_lyrics() -> None:
    plan = make_plan(_custom(instrumental=True))
    assert all(t.lyrics == "" for t in plan.tracks)
    plan = make_plan(SongRequest(custom=False, instrumental=True, model="V4", idea="calm piano", seed=1))
    assert all(t.lyrics == "" and t.title for t in plan.tracks)


def test_custom_without_title_uses_first_line() -> None:
    assert make_plan(_custom(title="")).tracks[0].title == "hello world"


def test_non_custom_writes_lyrics_per_track_in_the_idea_language() -> None:
    plan = make_plan(
        SongRequest(custom=False, instrumental=False, model="V4", idea="一首关于夏夜海边的悲伤民谣", seed=3)
    )
    for track in plan.tracks:
        assert track.language == "zh"
        assert parse_lyrics(track.lyrics).language == "zh"
        style = parse_style(track.tags)
        assert style.genre.name == "folk" and "sad" in style.moods
    assert plan.tracks[0].lyrics != plan.tracks[1].lyrics


def test_non_custom_english() -> None:
    plan = make_plan(SongRequest(custom=False, instrumental=False, model="V4", idea="summer nights by the sea", seed=3))
    assert all(t.language == "en" and "[Chorus]" in t.lyrics for t in plan.tracks)
