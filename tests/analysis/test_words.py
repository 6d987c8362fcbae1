"""Words with times: masking the vocal spans, the hallucination guard, lyric alignment (on fake recognised
words) and a real Whisper round trip on espeak-ng speech."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.analysis.voice import SR, noise
from tunesmith.analysis.base import LyricsReader
from tunesmith.analysis.types import TimedWord
from tunesmith.analysis.words import (
    WHISPER_SR,
    Filters,
    WhisperLyricsReader,
    align,
    clamp,
    guess_language,
    hallucinated,
    inside,
    is_loop,
    lyric_lines,
    lyric_words,
    mask,
    padded_spans,
    recognised_words,
    snap_to_onsets,
    sung_audio,
    trusted,
    units,
)

FOX = "The quick brown fox jumps over the lazy dog"


def _heard(text: str, start: float, step: float, *, line: int = 0, probability: float = 0.9) -> list[TimedWord]:
    return [TimedWord(w, start + i * step, start + (i + 1) * step, line, probability)
            for i, w in enumerate(text.split())]


def _segment(words: list[tuple[str, float, float]], *, text: str | None = None, probability: float = 0.9,
             no_speech: float = 0.1, logprob: float = -0.3, compression: float = 1.2) -> SimpleNamespace:
    return SimpleNamespace(
        text=text if text is not None else "".join(w for w, _, _ in words), no_speech_prob=no_speech,
        avg_logprob=logprob, compression_ratio=compression,
        words=[SimpleNamespace(word=w, start=a, end=b, probability=probability) for w, a, b in words],
    )


# ---- text ----------------------------------------------------------------------------------------------


def test_lyric_lines_drop_tags_and_blank_lines() -> None:
    lyrics = "[Verse 1]\nHello there\n\n[Chorus]\nSing (ooh) along\n  \n…\n"
    assert lyric_lines(lyrics) == ["Hello there", "Sing (ooh) along"]
    assert [(w.text, w.line) for w in lyric_words(lyrics)] == [
        ("Hello", 0), ("there", 0), ("Sing", 1), ("(ooh)", 1), ("along", 1)]


def test_units_split_chinese_into_characters() -> None:
    assert units("我们 love 唱歌!") == ["我", "们", "love", "唱", "歌", "!"]
    assert guess_language("清晨的风吹过小河") == "zh"
    assert guess_language("Hello 世界 and everyone here") == "en"


def test_loops_and_known_inventions_are_recognised() -> None:
    assert is_loop(["la", "la", "la", "la", "la", "la", "la", "la"])
    assert is_loop(["thank", "you", "thank", "you", "thank", "you", "thank", "you"])
    assert not is_loop(["hold", "on", "hold", "on", "we", "are", "never", "alone"])
    assert hallucinated("Thanks for watching!")
    assert hallucinated("請按旁邊的小鈴鐺")  # traditional script folded first
    assert not hallucinated("We will sing this song")


# ---- splicing ------------------------------------------------------------------------------------------


def test_padded_spans_merge_and_stay_inside_the_song() -> None:
    assert padded_spans(((0.1, 1.0), (1.4, 2.0), (5.0, 9.9)), 10.0) == ((0.0, 2.3), (4.7, 10.0))


def test_mask_silences_all_but_the_spans() -> None:
    mono = np.ones(4 * WHISPER_SR, dtype=np.float32)
    masked = mask(mono, ((1.0, 2.0),))
    assert masked.sum() == pytest.approx(WHISPER_SR) and masked[int(1.5 * WHISPER_SR)] == 1.0
    assert sung_audio(mono, ((0.0, 0.5), (3.0, 4.0))).size == int(1.5 * WHISPER_SR)
    assert inside(0.2, 1.1, ((1.0, 2.0),)) and not inside(2.0, 2.5, ((1.0, 2.0),))
    assert clamp(0.2, 1.1, ((1.0, 2.0),)) == (1.0, 1.1) and clamp(1.5, 2.6, ((1.0, 2.0),)) == (1.5, 2.0)


# ---- recognised words ----------------------------------------------------------------------------------


def test_the_guard_drops_untrusted_segments() -> None:
    good = [(" We", 0.0, 0.4), (" sing", 0.4, 0.9)]
    filters = Filters()
    assert trusted(_segment(good), filters)
    assert not trusted(_segment(good, logprob=-1.2), filters)
    assert not trusted(_segment(good, compression=2.8), filters)
    assert not trusted(_segment(good, no_speech=0.99, logprob=-0.5), filters)
    assert not trusted(_segment(good, probability=0.1), filters)
    assert not trusted(_segment([(" Thank", 0, 1), (" you", 1, 2), (" for", 2, 3), (" watching", 3, 4)]), filters)
    assert not trusted(_segment([]), filters)


def test_recognised_words_are_simplified_characters_inside_the_spans() -> None:
    spans = ((2.0, 4.0), (6.0, 8.0))
    segments = [
        _segment([("我們", 2.2, 2.6), ("唱歌。", 2.6, 3.4)]),
        _segment([("聽見", 6.1, 6.5)]),
        _segment([("謝謝", 4.5, 5.5)]),  # wholly in the silenced rest of the song
        _segment([("訂閱", 7.0, 7.5)], text="請訂閱"),  # a known invention
    ]
    words = recognised_words(segments, spans, language="zh", filters=Filters())
    assert [w.text for w in words] == ["我", "们", "唱", "歌", "听", "见"]
    assert [w.line for w in words] == [0, 0, 0, 0, 1, 1]
    assert words[0].start_s == pytest.approx(2.2) and words[1].start_s == pytest.approx(2.4)
    assert words[4].start_s == pytest.approx(6.1)


def test_a_long_pause_starts_a_new_line() -> None:
    segment = _segment([(" Hold", 0.0, 0.5), (" on", 0.5, 1.0), (" Sing", 2.5, 3.0), (" along", 3.0, 3.5)])
    words = recognised_words([segment], ((0.0, 10.0),), language="en", filters=Filters())
    assert [(w.text, w.line) for w in words] == [("Hold", 0), ("on", 0), ("Sing", 1), ("along", 1)]


def test_early_words_move_onto_the_sung_onsets() -> None:
    onsets = [1.0, 1.5, 2.0, 2.5, 3.2]
    early = [TimedWord(c, t - 0.35, t + 0.1, 0) for c, t in zip("我们一起走", onsets, strict=True)]
    early[3] = TimedWord("起", 2.5 - 0.7, 2.5, 0)  # one further off: it still takes the next free onset in reach
    snapped = snap_to_onsets(early, onsets)
    assert [w.start_s for w in snapped] == pytest.approx(onsets)
    assert all(w.end_s <= n.start_s for w, n in zip(snapped, snapped[1:], strict=False))
    lone = snap_to_onsets([TimedWord("走", 5.0, 5.4, 0)], [1.0])  # nothing in reach: unchanged
    assert lone[0].start_s == pytest.approx(5.0)
    assert snap_to_onsets(early, []) == tuple(early)


# ---- alignment -----------------------------------------------------------------------------------------


def test_alignment_takes_the_heard_times() -> None:
    lyric = lyric_words("[Verse]\nThe quick brown fox\n\nJumps over the lazy dog!")
    placed = align(lyric, _heard(FOX.lower(), 1.0, 0.5), ((1.0, 5.5),))
    assert [w.text for w in placed] == FOX.split()[:4] + ["Jumps"] + FOX.split()[5:8] + ["dog!"]
    assert [w.line for w in placed] == [0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert [w.start_s for w in placed] == pytest.approx([1.0 + 0.5 * i for i in range(9)])


def test_missing_words_are_spread_between_their_neighbours_in_sung_time() -> None:
    lyric = lyric_words(FOX)
    heard = [w for w in _heard(FOX, 0.0, 1.0) if w.text not in ("jumps", "over")]
    spans = ((0.0, 3.9), (4.0, 9.0))  # a short breath at 3.9–4.0
    placed = align(lyric, heard, spans)
    assert len(placed) == 9
    jumps, over = placed[4], placed[5]
    assert jumps.probability == 0.0 and over.probability == 0.0
    assert placed[3].end_s <= jumps.start_s < jumps.end_s <= over.start_s < over.end_s <= placed[6].start_s
    assert not any(3.9 < w.start_s < 4.0 for w in placed)
    starts = [w.start_s for w in placed]
    assert starts == sorted(starts)


def test_extra_and_misheard_words_do_not_shift_the_rest() -> None:
    lyric = lyric_words("we are never alone\nsing it loud")
    heard = _heard("oh yeah we're never alone sing it load", 10.0, 0.5)
    placed = align(lyric, heard, ((10.0, 14.0),))
    assert [w.text for w in placed] == ["we", "are", "never", "alone", "sing", "it", "loud"]
    assert placed[2].start_s == pytest.approx(11.5)  # "never" is the 4th heard word
    # "we are" share the time of the heard run they replace ("oh yeah we're")
    assert placed[0].start_s == pytest.approx(10.0) and placed[1].end_s == pytest.approx(11.5)
    assert placed[6].start_s == pytest.approx(13.5)  # "load" for "loud", one for one
    assert [w.line for w in placed] == [0, 0, 0, 0, 1, 1, 1]


def test_chinese_lyrics_align_by_character_across_scripts() -> None:
    lyric = lyric_words("清晨的风\n吹过小河")
    heard = [TimedWord(c, 2.0 + i * 0.5, 2.5 + i * 0.5) for i, c in enumerate("星辰的風吹過小")]
    placed = align(lyric, heard, ((2.0, 6.5),))
    assert "".join(w.text for w in placed) == "清晨的风吹过小河"
    assert [w.start_s for w in placed[2:7]] == pytest.approx([3.0, 3.5, 4.0, 4.5, 5.0])
    assert placed[-1].start_s >= placed[-2].end_s and placed[-1].end_s <= 6.5  # 河 missed: after 小
    assert [w.line for w in placed] == [0, 0, 0, 0, 1, 1, 1, 1]


def test_nothing_heard_spreads_the_lyrics_over_the_spans() -> None:
    placed = align(lyric_words("one two\nthree four"), [], ((1.0, 2.0), (3.0, 4.0)))
    assert placed[0].start_s == pytest.approx(1.0) and placed[-1].end_s == pytest.approx(4.0)
    assert all(1.0 <= w.start_s <= 4.0 for w in placed)
    assert align([], _heard("a b", 0.0, 1.0), ((0.0, 2.0),)) == ()


# ---- Whisper -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader() -> WhisperLyricsReader:
    r = WhisperLyricsReader()
    r.load()
    return r


def test_it_is_a_lyrics_reader() -> None:
    assert isinstance(WhisperLyricsReader(), LyricsReader)


def test_no_spans_no_words_and_no_model_needed() -> None:
    lyrics = WhisperLyricsReader().read(noise(2.0, 0.1), SR, (), lyrics="[Verse]\n清晨的风")
    assert (lyrics.source, lyrics.words, lyrics.language) == ("none", (), "zh")


def test_noise_and_silence_give_no_words(reader: WhisperLyricsReader) -> None:
    for audio in (noise(4.0, 0.05), np.zeros((2, 4 * SR), np.float32)):
        for language in (None, "zh"):
            lyrics = reader.read(audio, SR, ((0.0, 4.0),), language=language)
            assert lyrics.source == "none" and lyrics.words == ()


@pytest.fixture(scope="module")
def spoken_fox() -> tuple[np.ndarray, int]:
    from tunesmith.engines.builtin.singer.espeak import espeak

    utterance = espeak().speak(FOX, voice="en-us", rate_wpm=150)
    speech = utterance.audio.astype(np.float32) / 32768.0
    sr = utterance.sample_rate
    silence = np.zeros(sr, np.float32)
    return np.concatenate([silence, speech, silence])[None, :], sr


def test_whisper_hears_speech_inside_its_span(reader: WhisperLyricsReader, spoken_fox: tuple[np.ndarray, int]) -> None:
    from bench.metrics.asr import wer

    audio, sr = spoken_fox
    span = ((1.0, audio.shape[1] / sr - 1.0),)
    heard = reader.read(audio, sr, span)
    assert heard.source == "transcribed" and heard.language == "en"
    assert wer(FOX, heard.text) <= 0.2
    assert all(0.6 <= w.start_s < w.end_s <= span[0][1] + 0.4 for w in heard.words)

    placed = reader.read(audio, sr, span, lyrics="[Verse]\nThe quick brown fox\n\njumps over the lazy dog")
    assert placed.source == "aligned"
    assert [w.text for w in placed.words] == FOX.split()
    assert [w.line for w in placed.words] == [0] * 4 + [1] * 5
    starts = [w.start_s for w in placed.words]
    assert starts == sorted(starts) and span[0][0] - 0.4 <= starts[0] and starts[-1] <= span[0][1]
