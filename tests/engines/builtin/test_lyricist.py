import re

from tunesmith.engines.builtin.lyricist import write_lyrics
from tunesmith.engines.builtin.lyricist.chinese import rhyme_key as zh_rhyme
from tunesmith.engines.builtin.lyricist.english import rhyme_key as en_rhyme
from tunesmith.music.lyrics import parse_lyrics


def _last_word(line: str) -> str:
    return re.findall(r"[A-Za-z']+", line)[-1].lower()


def test_english_idea_gives_english_sectioned_lyrics() -> None:
    draft = write_lyrics("a song about summer nights by the sea", seed=1)
    parsed = parse_lyrics(draft.lyrics)
    assert draft.language == parsed.language == "en"
    assert [s.kind for s in parsed.sections][:2] == ["verse", "chorus"]
    assert all(len(s.lines) == 4 for s in parsed.sections)
    assert re.search(r"summer|night|sea", draft.lyrics.lower())
    assert draft.title


def test_english_lines_rhyme_in_pairs() -> None:
    chorus = parse_lyrics(write_lyrics("rainy city streets", seed=3).lyrics).sections[1]
    keys = [en_rhyme(_last_word(line.text)) for line in chorus.lines]
    assert len(set(keys)) == 1


def test_chinese_idea_gives_chinese_rhyming_lyrics() -> None:
    draft = write_lyrics("一首关于夏夜海边的歌", seed=2)
    parsed = parse_lyrics(draft.lyrics)
    assert draft.language == parsed.language == "zh"
    assert [s.kind for s in parsed.sections] == ["verse", "chorus", "verse", "chorus"]
    assert "夏夜" in draft.lyrics or "海边" in draft.lyrics
    for section in parsed.sections:
        assert len({zh_rhyme(line.text[-1]) for line in section.lines}) == 1


def test_seed_varies_the_song_and_reproduces_it() -> None:
    idea = "a song about summer nights by the sea"
    assert write_lyrics(idea, seed=1) == write_lyrics(idea, seed=1)
    assert write_lyrics(idea, seed=1).lyrics != write_lyrics(idea, seed=2).lyrics
    assert write_lyrics("夏天", seed=1).lyrics != write_lyrics("夏天", seed=2).lyrics


def test_style_words_are_not_themes_and_empty_ideas_work() -> None:
    draft = write_lyrics("sad folk song about my dog", seed=4)
    assert "folk" not in draft.lyrics.lower()
    assert parse_lyrics(write_lyrics("", seed=1).lyrics).sections
