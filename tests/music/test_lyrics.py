from tunesmith.music.lyrics import detect_language, parse_lyrics, section_kind


def test_english_tags_and_numbers() -> None:
    text = "[Intro]\n[Verse 1]\nline one\nline two\n\n[Pre-Chorus]\nrise\n[Chorus]\nhook\n[Bridge]\nb\n[Outro]\n"
    parsed = parse_lyrics(text)
    assert [s.kind for s in parsed.sections] == ["intro", "verse", "pre_chorus", "chorus", "bridge", "outro"]
    assert parsed.sections[1].label == "Verse 1"
    assert [line.text for line in parsed.sections[1].lines] == ["line one", "line two"]
    assert parsed.language == "en"


def test_chinese_tags_and_language() -> None:
    text = "【前奏】\n【主歌】\n夏夜的风吹过海边\n[副歌]\n我们一起唱\n[桥段]\n远方\n[尾奏]"
    parsed = parse_lyrics(text)
    assert [s.kind for s in parsed.sections] == ["intro", "verse", "chorus", "bridge", "outro"]
    assert parsed.language == "zh"


def test_untagged_text_is_a_verse_and_unknown_tags_are_dropped() -> None:
    parsed = parse_lyrics("hello there\n[Fade Out]\nstill singing")
    assert len(parsed.sections) == 1
    assert parsed.sections[0].kind == "verse"
    assert [line.text for line in parsed.sections[0].lines] == ["hello there", "still singing"]


def test_parentheses_become_backing_lines() -> None:
    parsed = parse_lyrics("[Chorus]\nwe are free (so free)\n(ooh ooh)")
    lines = parsed.sections[0].lines
    assert [(line.text, line.backing) for line in lines] == [
        ("we are free", False),
        ("so free", True),
        ("ooh ooh", True),
    ]


def test_instrumental_and_break_sections_may_be_empty() -> None:
    parsed = parse_lyrics("[Instrumental]\n[Break]\n[Verse]\nla")
    assert [(s.kind, len(s.lines)) for s in parsed.sections] == [
        ("instrumental", 0),
        ("break", 0),
        ("verse", 1),
    ]


def test_bad_input_is_tolerated() -> None:
    assert parse_lyrics("").sections == ()
    assert parse_lyrics("\n\n  \r\n").sections == ()
    parsed = parse_lyrics("[Verse\nbroken ] tag\n[]\n【】")
    assert all(line.text for s in parsed.sections for line in s.lines)


def test_plain_headers_and_aliases() -> None:
    assert [s.kind for s in parse_lyrics("Verse 1:\nla\nChorus:\nlo").sections] == ["verse", "chorus"]
    assert section_kind("Final Chorus") == "chorus"
    assert section_kind("主歌二") == "verse"
    assert section_kind("Guitar Solo") == "instrumental"
    assert section_kind("Male Vocal") is None


def test_language_detection() -> None:
    assert detect_language("一首关于夏夜海边的歌") == "zh"
    assert detect_language("a song about 夏天") == "en"
    assert detect_language("我爱你 baby") == "zh"
    assert detect_language("") == "en"
