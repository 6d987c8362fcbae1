import re

import pytest

from tunesmith.engines.builtin.lyricist import write_lyrics
from tunesmith.engines.builtin.lyricist.chinese import line_syllables as zh_syllables
from tunesmith.engines.builtin.lyricist.chinese import rhyme_key as zh_rhyme
from tunesmith.engines.builtin.lyricist.common import STRUCTURES
from tunesmith.engines.builtin.lyricist.english import line_syllables as en_syllables
from tunesmith.engines.builtin.lyricist.english import rhyme_key as en_rhyme
from tunesmith.music.lyrics import parse_lyrics

SEEDS = range(8)


def _last_word(line: str) -> str:
    return re.findall(r"[A-Za-z']+", line)[-1].lower()


def test_english_idea_gives_english_sectioned_lyrics() -> None:
    draft = write_lyrics("a song about summer nights by the sea", seed=1)
    parsed = parse_lyrics(draft.lyrics)
    assert draft.language == parsed.language == "en"
    kinds = [s.kind for s in parsed.sections]
    assert kinds[0] == "verse" and "chorus" in kinds
    assert re.search(r"summer|night|sea", draft.lyrics.lower())
    assert draft.title and draft.title.lower() in draft.lyrics.lower()


@pytest.mark.parametrize("seed", SEEDS)
def test_structures_follow_their_rhyme_schemes(seed: int) -> None:
    for idea, key, lang in (("rainy city streets", en_rhyme, "en"), ("一首关于夏夜海边的歌", zh_rhyme, "zh")):
        parsed = parse_lyrics(write_lyrics(idea, seed=seed).lyrics)
        structure = next(s for s in STRUCTURES if len(s) == len(parsed.sections))
        for spec, section in zip(structure, parsed.sections, strict=True):
            words = [_last_word(line.text) if lang == "en" else line.text[-1] for line in section.lines]
            rhymes = [key(w) for w in words]
            for letter in set(spec.scheme) - {"X"}:
                group = {r for r, mark in zip(rhymes, spec.scheme, strict=True) if mark == letter}
                assert len(group) == 1, (spec, section.lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_syllable_counts_are_consistent_within_sections(seed: int) -> None:
    for idea, count, spread in (("summer nights by the sea", en_syllables, 3), ("夏天 星空", zh_syllables, 1)):
        for section in parse_lyrics(write_lyrics(idea, seed=seed).lyrics).sections:
            counts = [count(line.text) for line in section.lines]
            assert max(counts) - min(counts) <= spread, (section.label, counts)


def test_chinese_idea_gives_chinese_lyrics_with_chinese_tags() -> None:
    draft = write_lyrics("一首关于夏夜海边的歌", seed=2)
    parsed = parse_lyrics(draft.lyrics)
    assert draft.language == parsed.language == "zh"
    assert "[主歌]" in draft.lyrics and "[副歌]" in draft.lyrics
    assert "夏夜" in draft.lyrics or "海边" in draft.lyrics


def test_seed_varies_the_song_and_reproduces_it() -> None:
    idea = "a song about summer nights by the sea"
    assert write_lyrics(idea, seed=1) == write_lyrics(idea, seed=1)
    assert len({write_lyrics(idea, seed=s).lyrics for s in SEEDS}) == len(SEEDS)
    assert write_lyrics("夏天", seed=1).lyrics != write_lyrics("夏天", seed=2).lyrics


def test_style_words_are_not_themes_and_empty_ideas_work() -> None:
    draft = write_lyrics("sad folk song about my dog", seed=4)
    assert "folk" not in draft.lyrics.lower() and "dog" in draft.lyrics.lower()
    assert parse_lyrics(write_lyrics("", seed=1).lyrics).sections
