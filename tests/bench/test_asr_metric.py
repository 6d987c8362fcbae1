"""Known-answer tests for bench.metrics.asr: error rates, normalisation and Whisper on espeak-ng speech."""

from __future__ import annotations

import numpy as np
import pytest
from bench.metrics import asr

FOX = "The quick brown fox jumps over the lazy dog"


def test_edit_distance_counts_each_kind_of_error() -> None:
    assert asr.edit_distance("kitten", "sitting") == 3
    assert asr.edit_distance([], ["a"]) == 1
    assert asr.edit_distance(["a", "b"], ["a", "b"]) == 0


def test_wer_ignores_case_and_punctuation() -> None:
    assert asr.wer("Hello, world! It's me.", "hello world it's me") == 0.0
    assert asr.wer("the cat sat on the mat", "the cat sat on mat") == pytest.approx(1 / 6)
    assert asr.wer("a b", "x y z") == pytest.approx(3 / 2)


def test_wer_reads_words_as_whispers_normaliser_does() -> None:
    # a contraction is the same words; the strict reading counts it as two errors
    assert asr.wer("We are not afraid, you are the reason", "We're not afraid, you're the reason") == 0.0
    assert asr.wer("we are here", "we're here", strict=True) == pytest.approx(2 / 3)
    assert asr.wer("the colour of twenty two roses", "the color of 22 roses") == 0.0
    assert asr.wer("hold on", "uh hold on") == 0.0  # hesitations are not words
    assert asr.wer("hold on", "hold one") == pytest.approx(1 / 2)  # a wrong word still counts
    assert asr.lyrics_error_rate("[Chorus]\nWe are (oh) home", "we're home", "en") == 0.0
    assert asr.lyrics_error_rate("[Chorus]\nWe are (oh) home", "we're home", "en", strict=True) == pytest.approx(2 / 3)


def test_cer_folds_traditional_into_simplified() -> None:
    assert asr.cer("我们一起唱歌", "我們一起唱歌。") == 0.0
    assert asr.cer("今天天气很好", "今天天氣不好") == pytest.approx(1 / 6)


def test_cer_folds_the_traditional_particle_zhe() -> None:
    # OpenCC t2s keeps 著 (a simplified character too); in traditional script it is also the particle 着
    assert asr.cer("老房子里灯还亮着", "老房子裡燈還亮著") == 0.0
    assert asr.cer("显著", "显着") == 0.0
    assert asr.cer("灯还亮着", "灯还亮了") == pytest.approx(1 / 4)


def test_lyrics_reference_drops_section_tags() -> None:
    lyrics = "[Verse 1]\nHello there (ooh)\n[Chorus]\nSing along"
    assert asr.lyrics_reference(lyrics) == "Hello there Sing along"
    assert asr.lyrics_error_rate(lyrics, "hello there sing along", "en") == 0.0


@pytest.fixture(scope="module")
def whisper():  # type: ignore[no-untyped-def]
    return asr.load_whisper()


def _speak(text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, int]:
    from tunesmith.engines.builtin.singer.espeak import espeak

    utterance = espeak().speak(text, voice=voice, rate_wpm=rate_wpm)
    return utterance.audio.astype(np.float32) / 32768.0, utterance.sample_rate


def test_joined_model_has_the_pinned_hash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = asr.model_dir(tmp_path)
    assert asr._sha256(folder / "model.bin") == asr.MODEL_SHA256
    expected = {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    assert {p.name for p in folder.iterdir()} == expected


@pytest.fixture(scope="module")
def heard_fox(whisper) -> str:  # type: ignore[no-untyped-def]
    audio, sr = _speak(FOX, "en-us", 150)
    return asr.transcribe(whisper, audio, sr, language="en")


def test_whisper_transcribes_english_speech(heard_fox: str) -> None:
    assert asr.wer(FOX, heard_fox) <= 0.2


def test_wer_of_the_wrong_lyrics_is_high(heard_fox: str) -> None:
    assert asr.wer("hold me closer tiny dancer count the headlights on the highway", heard_fox) >= 0.9


def test_whisper_transcribes_chinese_speech(whisper) -> None:  # type: ignore[no-untyped-def]
    text = "我们一起唱歌"
    audio, sr = _speak(text, "cmn", 90)
    assert asr.cer(text, asr.transcribe(whisper, audio, sr, language="zh")) <= 0.34
