"""WorldSinger sings a hand-made score on pitch, on time and in the right places."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from tunesmith.engines.base import SungVocal
from tunesmith.engines.builtin.singer.espeak import PhonemeClass, PhonemeEvent, Utterance
from tunesmith.engines.builtin.singer.syllables import EspeakSyllabifier
from tunesmith.engines.builtin.singer.synth import WorldSinger, analysis_detail
from tunesmith.engines.builtin.singer.world import world
from tunesmith.music.score import Key, LyricLine, Note, Score, Section, SungSyllable, VocalLine

RATE = 22050
BEAT = 480  # ticks; at 120 bpm one beat is 0.5 s

# (text, per-syllable note lists as (beats, pitch offset) pairs), one line per phrase, 2 beats rest between
MELODY: list[tuple[str, list[list[tuple[int, int]]]]] = [
    ("Hello my friend", [[(1, 0)], [(1, 2)], [(1, 4)], [(4, 7)]]),
    ("sing along", [[(1, 7)], [(1, 5)], [(2, 4), (2, 2)]]),
]


def build_score(base: int, voice: str, *, backing_line: bool = False) -> Score:
    """Two phrases starting at beat 2, the last syllable of each held long (the second a melisma)."""
    syllabifier = EspeakSyllabifier()
    lines, sung, tick = [], [], 2 * BEAT
    for index, (text, notes) in enumerate(MELODY):
        words = tuple(syllabifier.syllabify(text, "en"))
        lines.append(LyricLine(text, words, 0, backing=backing_line and index == 1))
        refs = [(w, s, syl) for w, word in enumerate(words) for s, syl in enumerate(word.syllables)]
        assert len(refs) == len(notes)
        for (w, s, syl), pattern in zip(refs, notes, strict=True):
            placed = []
            for beats, offset in pattern:
                placed.append(Note(tick, beats * BEAT, base + offset))
                tick += beats * BEAT
            sung.append(SungSyllable(index, w, s, syl, tuple(placed)))
        tick += 2 * BEAT
    vocal = VocalLine("en", voice, tuple(lines), tuple(sung))
    return Score(120.0, (4, 4), Key(0, "major"), (Section("verse", "Verse", 0, tick),), (), (), vocal)


def f0_track(audio: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """DIO + StoneMask F0 (Hz, 0 = unvoiced) and frame times (s) of mono audio at ``RATE``."""
    pw = world()
    x = audio.astype(np.float64)
    f0, times = pw.dio(x, RATE, f0_floor=60.0, f0_ceil=900.0, frame_period=5.0)
    return pw.stonemask(x, f0, times, RATE), times


def rms(audio: npt.NDArray[np.float32], start_s: float, end_s: float) -> float:
    piece = audio[int(start_s * RATE) : int(end_s * RATE)]
    return float(np.sqrt(np.mean(piece**2))) if piece.size else 0.0


def median_f0(f0: npt.NDArray[np.float64], times: npt.NDArray[np.float64], start: float, end: float) -> float:
    window = f0[(times >= start) & (times < end) & (f0 > 0)]
    return float(np.median(window))


def cents(f0: float, pitch: int) -> float:
    return float(1200 * np.log2(f0 / (440.0 * 2 ** ((pitch - 69) / 12))))


@pytest.fixture(scope="module")
def singer() -> WorldSinger:
    return WorldSinger()


@pytest.fixture(scope="module")
def male(singer: WorldSinger) -> tuple[Score, SungVocal]:
    score = build_score(50, "m-bright")
    return score, singer.sing(score, sample_rate=RATE)


@pytest.fixture(scope="module")
def female(singer: WorldSinger) -> tuple[Score, SungVocal]:
    score = build_score(62, "f-clear")
    return score, singer.sing(score, sample_rate=RATE)


def test_audio_shape_and_level(male: tuple[Score, SungVocal]) -> None:
    score, vocal = male
    assert vocal.sample_rate == RATE
    assert vocal.audio.dtype == np.float32
    assert vocal.audio.shape == (1, round(score.duration_s * RATE))
    assert 0.5 < float(np.max(np.abs(vocal.audio))) <= 1.0


def test_long_notes_are_on_pitch(male: tuple[Score, SungVocal]) -> None:
    score, vocal = male
    f0, times = f0_track(vocal.audio[0])
    assert score.vocal is not None
    long_notes = [n for s in score.vocal.syllables for n in s.notes if n.duration >= 2 * BEAT]
    assert len(long_notes) == 3  # the held "friend" and both notes of the "-long" melisma
    for note in long_notes:
        start, end = score.seconds(note.start), score.seconds(note.end)
        middle = median_f0(f0, times, start + 0.3 * (end - start), end - 0.3 * (end - start))
        assert abs(cents(middle, note.pitch)) < 50


def test_word_times_follow_the_score(male: tuple[Score, SungVocal]) -> None:
    score, vocal = male
    assert [w.word for w in vocal.words] == ["Hello", "my", "friend", "sing", "along"]
    starts = [w.start_s for w in vocal.words]
    assert starts == sorted(starts)
    assert all(w.end_s > w.start_s for w in vocal.words)
    first_note = score.seconds(2 * BEAT)
    assert first_note - 0.12 <= vocal.words[0].start_s <= first_note  # onset consonant ends on the beat
    for word in vocal.words:
        assert word.syllables[0][1] == word.start_s and word.syllables[-1][2] == word.end_s


def test_voiced_inside_words_silent_between_phrases(male: tuple[Score, SungVocal]) -> None:
    _, vocal = male
    audio = vocal.audio[0]
    for word in vocal.words:
        assert rms(audio, word.start_s, word.end_s) > 0.03, word.word
    gap_start = vocal.words[2].end_s + 0.1
    gap_end = vocal.words[3].start_s - 0.05
    assert gap_end - gap_start > 0.5
    assert rms(audio, gap_start, gap_end) < 1e-3
    assert rms(audio, 0.0, vocal.words[0].start_s - 0.05) < 1e-3


def test_female_voice_sings_higher(male: tuple[Score, SungVocal], female: tuple[Score, SungVocal]) -> None:
    def median(vocal: SungVocal) -> float:
        f0, _ = f0_track(vocal.audio[0])
        return float(np.median(f0[f0 > 0]))

    assert median(female[1]) > median(male[1]) * 1.5


def test_backing_lines_are_left_out(singer: WorldSinger) -> None:
    score = build_score(50, "m-bright", backing_line=True)
    vocal = singer.sing(score, sample_rate=RATE)
    assert [w.word for w in vocal.words] == ["Hello", "my", "friend"]
    assert rms(vocal.audio[0], vocal.words[-1].end_s + 0.2, score.duration_s) < 1e-3


def test_resamples_to_the_requested_rate(singer: WorldSinger) -> None:
    score = build_score(50, "m-deep")
    vocal = singer.sing(score, sample_rate=44100)
    assert vocal.audio.shape == (1, round(score.duration_s * 44100))
    assert vocal.sample_rate == 44100


def test_unknown_voice_is_rejected(singer: WorldSinger) -> None:
    with pytest.raises(ValueError, match="unknown voice"):
        singer.sing(build_score(50, "no-such-voice"), sample_rate=RATE)


def test_score_without_vocal_is_silent(singer: WorldSinger) -> None:
    score = Score(120.0, (4, 4), Key(0, "major"), (Section("intro", "Intro", 0, 4 * BEAT),), (), ())
    vocal = singer.sing(score, sample_rate=RATE)
    assert vocal.words == [] and not np.any(vocal.audio)


def onset_s(audio: npt.NDArray[np.float32], from_s: float, threshold: float) -> float:
    """First time (s) after ``from_s`` where the 10 ms RMS exceeds ``threshold``."""
    hop = RATE // 100
    start = int(from_s * RATE)
    for k in range(start, audio.size - hop, hop):
        if float(np.sqrt(np.mean(audio[k : k + hop] ** 2))) > threshold:
            return k / RATE
    return float("inf")


def test_word_times_match_the_sung_audio(male: tuple[Score, SungVocal]) -> None:
    """Each phrase's first word starts where the audio starts; every word's middle is voiced."""
    _, vocal = male
    audio = vocal.audio[0]
    f0, times = f0_track(audio)
    for first in (vocal.words[0], vocal.words[3]):  # words after silence
        assert abs(onset_s(audio, first.start_s - 0.3, 0.01) - first.start_s) < 0.04, first.word
    for word in vocal.words:
        middle = (word.start_s + word.end_s) / 2
        near = (times > middle - 0.05) & (times < middle + 0.05)
        assert np.mean(f0[near] > 0) > 0.5, word.word
        assert rms(audio, word.end_s + 0.02, word.end_s + 0.06) < rms(audio, middle - 0.02, middle + 0.02)


def test_parallel_phrases_equal_serial(male: tuple[Score, SungVocal]) -> None:
    score, vocal = male
    serial = WorldSinger(workers=1).sing(score, sample_rate=RATE)
    assert [(w.word, w.start_s, w.end_s) for w in serial.words] == [
        (w.word, pytest.approx(w.start_s), pytest.approx(w.end_s)) for w in vocal.words
    ]
    # WORLD draws its excitation noise from a global generator, so compare 10 ms loudness, not samples
    def envelope(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        frames = audio[0, : audio.shape[1] // 220 * 220].reshape(-1, 220).astype(np.float64)
        return np.sqrt(np.mean(frames**2, axis=1))

    assert np.corrcoef(envelope(serial.audio), envelope(vocal.audio))[0, 1] > 0.98


def test_whole_vocal_is_its_phrases_in_place(male: tuple[Score, SungVocal]) -> None:
    # sing() renders each phrase as soon as it is planned; phrases() plans all first: the same song
    score, vocal = male
    singer = WorldSinger()
    sung = singer.phrases(score, sample_rate=RATE)
    assert [(w.word, w.start_s, w.end_s) for w in sung.words] == [(w.word, w.start_s, w.end_s) for w in vocal.words]
    placed = np.zeros_like(vocal.audio)
    for (start, stop), render in zip(sung.spans, sung.render, strict=True):
        audio = render()
        assert audio.shape == (1, stop - start)
        placed[:, start:stop] += audio[:, : placed.shape[1] - start]
    placed *= 0.9 / np.abs(placed).max()
    loud = np.abs(vocal.audio[0]) > 0.05
    assert np.mean(np.abs(placed[0]) > 0.05) == pytest.approx(np.mean(loud), abs=0.02)
    assert np.abs(vocal.audio[0, ~loud & (np.abs(placed[0]) < 1e-6)]).max(initial=0.0) < 1e-6  # silent alike


class _FakeVoice:
    """A neural voice double: records what it is asked to speak and whether the samples were made."""

    def __init__(self) -> None:
        self.spoken: list[object] = []
        self.synthesised = 0

    def speak(self, text: object) -> _FakeVoice:
        self.spoken.append(text)
        return self

    @property
    def audio(self) -> npt.NDArray[np.int16]:
        self.synthesised += 1
        return np.zeros(10, dtype=np.int16)


def test_warm_up_runs_each_installed_voice_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from tunesmith.engines.builtin.singer import synth

    english, mandarin = _FakeVoice(), _FakeVoice()
    monkeypatch.setattr(synth, "english_voice", lambda: english)
    monkeypatch.setattr(synth, "mandarin_voice", lambda: mandarin)
    synth.warm_up()
    assert (english.synthesised, mandarin.synthesised) == (1, 1)
    assert english.spoken == [["la", "la"]] and mandarin.spoken == ["啦啦"]
    monkeypatch.setattr(synth, "english_voice", lambda: None)  # a voice not installed is skipped
    synth.warm_up()
    assert mandarin.synthesised == 2


def test_chinese_tones_bend_only_the_note_start() -> None:
    """A tone-4 character starts above its note and settles on it; a tone-2 one starts below."""
    syllabifier = EspeakSyllabifier()
    words = tuple(syllabifier.syllabify("快来", "zh"))  # kuai4 lai2
    notes = [Note(2 * BEAT, 2 * BEAT, 57), Note(4 * BEAT, 2 * BEAT, 57)]
    sung = tuple(SungSyllable(0, w, 0, words[w].text, (notes[w],)) for w in range(2))
    vocal = VocalLine("zh", "m-bright", (LyricLine("快来", words, 0),), sung)
    score = Score(120.0, (4, 4), Key(0, "major"), (Section("verse", "Verse", 0, 8 * BEAT),), (), (), vocal)
    audio = WorldSinger().sing(score, sample_rate=RATE).audio[0]
    f0, times = f0_track(audio)
    for note, sign in zip(notes, (1, -1), strict=True):
        start, end = score.seconds(note.start), score.seconds(note.end)
        early = median_f0(f0, times, start, start + 0.06)
        # the gesture starts with the onset consonant, before the beat, so by the beat it is part-way
        # down/up (measured 50–56 cents at any analysis rate); the sign is what a listener hears
        assert sign * cents(early, note.pitch) > 30
        assert abs(cents(median_f0(f0, times, start + 0.3, end - 0.1), note.pitch)) < 50


def test_same_score_sings_the_same_samples_whatever_ran_before(
    singer: WorldSinger, male: tuple[Score, SungVocal]
) -> None:
    from tunesmith.engines.builtin.singer.espeak import espeak

    score, first = male
    espeak().speak("something else entirely, to change the library's history", voice="en-us")
    singer.sing(build_score(60, "f-clear"), sample_rate=RATE)
    again = singer.sing(score, sample_rate=RATE)
    assert np.array_equal(first.audio, again.audio)


def test_copied_noise_changes_only_the_unvoiced_consonants(male: tuple[Score, SungVocal]) -> None:
    score, plain = male
    copied = WorldSinger(copy_noise=True).sing(score, sample_rate=RATE)
    assert copied.audio.shape == plain.audio.shape
    differs = np.abs(copied.audio[0] - plain.audio[0]) > 1e-4
    assert differs.any()  # "sing" opens on a pasted /s/ …
    assert differs.mean() < 0.2  # … and the vowels are still WORLD's


def test_analysis_detail_marks_boundaries_and_stops() -> None:
    # 0.2 s at 22 050 Hz: a vowel, then a stop from 0.1 s to 0.15 s, then a vowel (5 ms frames)
    events = (
        PhonemeEvent("a", 0, PhonemeClass.VOWEL),
        PhonemeEvent("t", int(0.1 * RATE), PhonemeClass.STOP),
        PhonemeEvent("a", int(0.15 * RATE), PhonemeClass.VOWEL),
    )
    utterance = Utterance.recorded(np.zeros(int(0.2 * RATE), dtype=np.int16), (), events, RATE)
    detail = analysis_detail(utterance, 0.005, 2)
    assert detail.size == 41
    assert np.flatnonzero(detail).tolist() == [0, 1, 2, *range(18, 33)]  # boundaries ±2 frames, the stop whole
    assert not analysis_detail(utterance, 0.005, 0)[5:20].any()


def test_a_line_sung_again_is_analysed_once(monkeypatch: pytest.MonkeyPatch, male: tuple[Score, SungVocal]) -> None:
    from tunesmith.engines.builtin.singer import vocoder

    score, uncached = male
    analysed: list[int] = []
    real = vocoder.analyse

    def counted(*args: object, **kwargs: object) -> vocoder.Envelope:
        analysed.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(vocoder, "analyse", counted)
    singer = WorldSinger(analysis_cache=4)
    first, again = singer.sing(score, sample_rate=RATE), singer.sing(score, sample_rate=RATE)
    assert len(analysed) == len(score.vocal.lines)  # type: ignore[union-attr]  # the second song re-used them
    assert np.array_equal(first.audio, uncached.audio) and np.array_equal(again.audio, uncached.audio)
    WorldSinger(analysis_cache=0).sing(score, sample_rate=RATE)
    assert len(analysed) == 2 * len(score.vocal.lines)  # type: ignore[union-attr]
