import pytest

from tunesmith.music.score import (
    ChordSymbol,
    Key,
    LyricLine,
    LyricWord,
    Note,
    Part,
    Score,
    Section,
    StemFamily,
    SungSyllable,
    VocalLine,
)
from tunesmith.music.score_io import score_from_json, score_to_json


def _score() -> Score:
    word = LyricWord("夏天", ("夏", "天"))
    line = LyricLine("夏天", (word,), 0, backing=True)
    vocal = VocalLine(
        "zh",
        "f-clear",
        (line,),
        (
            SungSyllable(0, 0, 0, "夏", (Note(0, 240, 60), Note(240, 120, 62, 80))),
            SungSyllable(0, 0, 1, "天", (Note(360, 480, 64),)),
        ),
    )
    return Score(
        tempo_bpm=97.5,
        meter=(6, 8),
        key=Key(3, "dorian"),
        sections=(Section("verse", "主歌 1", 0, 1440),),
        chords=(ChordSymbol(0, 1440, 3, "min7"),),
        parts=(
            Part("kit", StemFamily.DRUMS, 0, (Note(0, 120, 36, 110),), is_drum=True),
            Part("pad", StemFamily.SYNTH, 89, (Note(0, 1440, 63, 50),), pan=0.3, gain_db=-8.0),
        ),
        vocal=vocal,
        metadata={"genre": "pop", "seed": "7"},
    )


def test_round_trip_is_exact() -> None:
    score = _score()
    assert score_from_json(score_to_json(score)) == score


def test_round_trip_without_vocal() -> None:
    score = Score(120.0, (4, 4), Key(0, "major"), (), (), ())
    assert score_from_json(score_to_json(score)) == score


@pytest.mark.parametrize("text", ["", "[]", '{"version": 99}', '{"version": 1}'])
def test_bad_documents_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        score_from_json(text)
