"""The syllabifier counts exactly the vowels the singer will sing."""

from __future__ import annotations

import pytest

from tunesmith.engines.builtin.singer.numbers import chinese_number, english_number, english_ordinal
from tunesmith.engines.builtin.singer.syllables import EspeakSyllabifier, split_spelling
from tunesmith.music.score import LyricWord


@pytest.fixture(scope="module")
def syllabifier() -> EspeakSyllabifier:
    return EspeakSyllabifier()


def counts(words: list[LyricWord]) -> dict[str, int]:
    return {w.text: len(w.syllables) for w in words}


def test_english_counts_follow_espeak(syllabifier: EspeakSyllabifier) -> None:
    words = syllabifier.syllabify("The beautiful fire is burning tonight", "en")
    assert counts(words) == {"The": 1, "beautiful": 3, "fire": 1, "is": 1, "burning": 2, "tonight": 2}
    assert words[1].syllables == ("beau", "ti", "ful")


def test_syllables_concatenate_to_the_word(syllabifier: EspeakSyllabifier) -> None:
    for word in syllabifier.syllabify("Everything little rhythm, don't stop believing", "en"):
        assert "".join(word.syllables) == word.text
        assert all(word.syllables)


def test_numbers_are_spelled_out(syllabifier: EspeakSyllabifier) -> None:
    words = syllabifier.syllabify("2 hearts in 1999", "en")
    assert [w.text for w in words] == ["two", "hearts", "in", "nineteen", "ninety-nine"]
    assert [len(w.syllables) for w in words] == [1, 1, 1, 2, 3]


def test_section_tags_and_punctuation_are_dropped(syllabifier: EspeakSyllabifier) -> None:
    words = syllabifier.syllabify("[Chorus] Oh, yeah! (hold on)", "en")
    assert [w.text for w in words] == ["Oh", "yeah", "hold", "on"]
    assert syllabifier.syllabify("[Verse 2]", "en") == []


def test_chinese_one_syllable_per_character(syllabifier: EspeakSyllabifier) -> None:
    words = syllabifier.syllabify("[副歌] 月亮代表我的心，", "zh")
    assert [w.text for w in words] == list("月亮代表我的心")
    assert all(w.syllables == (w.text,) for w in words)


def test_english_inside_chinese(syllabifier: EspeakSyllabifier) -> None:
    words = syllabifier.syllabify("我爱你 baby 2次", "zh")
    assert [w.text for w in words] == ["我", "爱", "你", "baby", "二", "次"]
    assert words[3].syllables == ("ba", "by")


def test_number_words() -> None:
    assert english_number(42) == "forty-two"
    assert english_number(2024) == "twenty twenty-four"
    assert english_ordinal(21) == "twenty-first"
    assert chinese_number(2) == "二"
    assert chinese_number(15) == "十五"
    assert chinese_number(105) == "一百零五"
    assert chinese_number(20008) == "二万零八"


def test_split_spelling_adjusts_to_the_count() -> None:
    assert split_spelling("fire", 1) == ["fire"]
    assert split_spelling("hour", 2) == ["ho", "ur"]
    assert split_spelling("little", 2) == ["lit", "tle"]
