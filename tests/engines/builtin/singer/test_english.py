"""The neural English source: IPA → phones and Piper ids, durations → phoneme events, the model, the fallback."""

from __future__ import annotations

import numpy as np
import pytest

from tests.engines.builtin.singer.lines import one_line_score
from tunesmith.engines.builtin.singer import english, synth
from tunesmith.engines.builtin.singer.english import (
    HOP_SAMPLES,
    Phone,
    build_utterance,
    classify,
    lengthen,
    line_symbols,
    sung_diction,
    trim_silence,
    word_phones,
)
from tunesmith.engines.builtin.singer.espeak import PhonemeClass
from tunesmith.engines.builtin.singer.phonetics import segment, spoken_text
from tunesmith.engines.builtin.singer.synth import WorldSinger
from tunesmith.engines.builtin.singer.voices import VOICES
from tunesmith.music.score import Score

BEAT = 480  # ticks; one beat is 0.5 s at 120 bpm
V, N, L, S, VS, F, VF = (
    PhonemeClass.VOWEL,
    PhonemeClass.NASAL,
    PhonemeClass.LIQUID,
    PhonemeClass.STOP,
    PhonemeClass.VOICED_STOP,
    PhonemeClass.FRICATIVE,
    PhonemeClass.VOICED_FRICATIVE,
)

needs_model = pytest.mark.skipif(english.model_folder() is None, reason="the Piper voice is not installed")


def known(symbol: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("base", "kind"),
    [
        ("a", V),
        ("aɪ", V),
        ("ɚ", V),
        ("m", N),
        ("ŋ", N),
        ("ɹ", L),
        ("w", L),
        ("j", L),
        ("t", S),
        ("tʃ", S),
        ("dʒ", VS),
        ("ɾ", VS),
        ("s", F),
        ("θ", F),
        ("h", F),
        ("ð", VF),
        ("z", VF),
        ("ʒ", VF),
    ],
)
def test_ipa_classes(base: str, kind: PhonemeClass) -> None:
    assert classify(base) == kind


@pytest.mark.parametrize(
    ("ipa", "phones"),
    [
        ("fˈaɪɚ", [("f", F), ("ˈaɪɚ", V)]),  # fire: one syllable, as espeak counts it
        ("ˈaʊɚ", [("ˈaʊ", V), ("ɚ", V)]),  # hour: two
        ("bˈiːɪŋ", [("b", VS), ("ˈiː", V), ("ɪ", V), ("ŋ", N)]),  # the length mark stays on its vowel
        ("tʃˈɜːtʃ", [("tʃ", S), ("ˈɜː", V), ("tʃ", S)]),
        ("ˈɛvɹɪθˌɪŋ", [("ˈɛ", V), ("v", VF), ("ɹ", L), ("ɪ", V), ("θ", F), ("ˌɪ", V), ("ŋ", N)]),
    ],
)
def test_word_phones_fold_marks_and_diphthongs(ipa: str, phones: list[tuple[str, PhonemeClass]]) -> None:
    out = word_phones(ipa, known)
    assert [(p.name, p.kind) for p in out] == phones
    assert "".join(s for p in out for s in p.symbols) == ipa


@pytest.mark.parametrize(
    ("ipa", "sung"),
    [
        ("stˈeɪ", "stʰˈeɪ"),  # stay: the t a singer releases (not "say")
        ("stˈæɾɪk", "stʰˈæɾɪk"),  # static
        ("spɹˈɪŋ", "spʰɹˈɪŋ"),  # spring: before an approximant too
        ("skˈaɪ", "skʰˈaɪ"),
        ("ˌʌndɚstˈænd", "ˌʌndɚstʰˈænd"),  # understand: inside the word, the cluster opens a syllable
        ("lˈæst", "lˈæst"),  # last: a coda cluster stays as it is
        ("ɪts", "ɪts"),  # its: t before s, not after
        ("tˈeɪk", "tˈeɪk"),  # take: no s, nothing to add
    ],
)
def test_sung_diction_aspirates_a_stop_after_s_that_opens_a_syllable(ipa: str, sung: str) -> None:
    assert sung_diction(ipa) == sung


@pytest.mark.parametrize(
    ("ipa", "sung"),
    [
        ("bᵻfˈɔːɹ", "bɪfˈɔːɹ"),  # before: not "move for"
        ("ɹᵻmˈɛmbɚ", "ɹɪmˈɛmbɚ"),  # remember
        ("bᵻnˈiːθ", "bɪnˈiːθ"),  # beneath
        ("wˈeɪɾᵻd", "wˈeɪɾᵻd"),  # waited: an inflection after the stress keeps its vowel
        ("ɹˈoʊzᵻz", "ɹˈoʊzᵻz"),  # roses
        ("ˈɛvɹɪθˌɪŋ", "ˈɛvɹɪθˌɪŋ"),  # everything: nothing reduced
    ],
)
def test_sung_diction_sings_an_unstressed_prefix_on_a_full_vowel(ipa: str, sung: str) -> None:
    assert sung_diction(ipa) == sung


def test_the_aspirated_stop_is_one_phone_with_its_mark() -> None:
    phones = word_phones(sung_diction("stˈeɪ"), known)
    assert [(p.name, p.kind) for p in phones] == [("s", F), ("tʰ", S), ("ˈeɪ", V)]


def test_unknown_symbols_are_dropped() -> None:
    assert [p.name for p in word_phones("hˈɛloʊ", lambda s: s != "h")] == ["ˈɛ", "l", "oʊ"]


def two_words() -> list[list[Phone]]:
    return [word_phones("ˈaɪ", known), word_phones("sˈiː", known)]


def test_line_symbols_pad_every_symbol_and_give_each_frame_to_the_phone_it_sounds() -> None:
    symbols, owners = line_symbols(two_words())
    assert symbols == ["^", "_", "ˈ", "_", "a", "_", "ɪ", "_", " ", "_", "s", "_", "ˈ", "_", "i", "_", "ː", "_", "$"]
    # one symbol early: the pad before a phone is its own, a word starts at the space before it
    assert owners == [-1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, -2, -2]


DURATIONS = [3, 1, 1, 0, 4, 1, 5, 1, 2, 1, 3, 1, 1, 0, 6, 1, 2, 1, 7]


def test_durations_become_phoneme_and_word_events() -> None:
    words = two_words()
    _, spans = spoken_text(["I", "see"])
    audio = np.zeros(sum(DURATIONS) * HOP_SAMPLES, dtype=np.int16)
    utterance = build_utterance(words, spans, DURATIONS, lambda: audio)
    assert utterance.samples == audio.size and utterance.audio is audio
    assert [(w.text_position, w.length, w.sample // HOP_SAMPLES) for w in utterance.words] == [(0, 1, 3), (2, 3, 16)]
    events = [(p.name, p.sample // HOP_SAMPLES, p.kind) for p in utterance.phonemes]
    assert events == [
        ("_", 0, PhonemeClass.PAUSE),
        ("ˈaɪ", 3, V),
        ("s", 16, F),
        ("ˈiː", 22, V),
        ("_", 33, PhonemeClass.PAUSE),
    ]
    first, second = (word[0] for word in segment(utterance, spans))
    assert (first.nucleus[0].start, first.nucleus[0].end) == (3 * HOP_SAMPLES, 16 * HOP_SAMPLES)
    assert [p.name for p in second.onset] == ["s"] and second.nucleus[0].end == 33 * HOP_SAMPLES
    with pytest.raises(ValueError):
        build_utterance(words, spans, DURATIONS[:-1], lambda: audio)


def test_short_vowels_are_lengthened_over_their_symbols() -> None:
    durations = np.asarray(DURATIONS, dtype=np.float32)[None, None, :]
    out = lengthen(durations, two_words(), 20)[0, 0]
    _, owners = line_symbols(two_words())
    per_phone = [int(sum(f for f, o in zip(out, owners, strict=True) if o == k)) for k in range(3)]
    assert per_phone == [20, 6, 20]  # the consonant keeps its 6 frames
    assert out[0] == 3 and out[-1] == 7 and np.array_equal(durations[0, 0], DURATIONS)
    consonants = lengthen(durations, two_words(), 0, 9)[0, 0]
    assert [int(sum(f for f, o in zip(consonants, owners, strict=True) if o == k)) for k in range(3)] == [13, 9, 11]


def test_the_silence_around_a_line_is_trimmed() -> None:
    durations = np.asarray([[[40, 1, 5, 2, 30]]], dtype=np.float32)
    assert trim_silence(durations, 3).tolist() == [[[3, 1, 5, 2, 3]]]


@needs_model
def test_the_model_speaks_each_word_deterministically() -> None:
    voice = english.english_voice()
    assert voice is not None
    assert voice.can_speak(["hello", "world"]) and not voice.can_speak(["你好"]) and not voice.can_speak([])
    first = voice.speak(["hello", "world"])
    assert len(first.words) == 2 and first.audio.size == first.samples > 0.3 * first.sample_rate
    assert [p.name for p in first.phonemes if p.kind == PhonemeClass.VOWEL] == ["ə", "ˈoʊ", "ˈɜː"]
    assert [[p.name for p in w] for w in voice.line_phones(["build", "a", "house"])][1] == ["ˈeɪ"]  # citation form
    assert np.abs(first.audio[first.words[0].sample : first.phonemes[-1].sample]).max() > 3000
    again = voice.speak(["hello", "world"])
    assert np.array_equal(first.audio, again.audio) and first.phonemes == again.phonemes


@needs_model
def test_connected_speech_forms_are_an_option() -> None:
    folder = english.model_folder()
    assert folder is not None
    spoken = english.EnglishVoice(folder, citation_forms=False)
    sung = english.english_voice()
    assert sung is not None and sung.citation_forms
    words = ["build", "a", "house", "for", "you"]
    assert [p.name for p in spoken.line_phones(words)[1]] == ["ɐ"]  # the weak form of connected speech
    assert sung.line_phones(words) == [sung.phones(w) for w in words]  # each word on its own


def english_score(text: str, voice: str) -> Score:
    return one_line_score(text, "en", voice)


@needs_model
def test_english_lines_use_the_neural_voice() -> None:
    (phrase,) = WorldSinger()._prepared(english_score("we sing along", "m-bright"))
    assert phrase.source_f0 is None and len(phrase.units) == 4
    assert phrase.formant_shift == VOICES["m-bright"].neural_en_shift and phrase.periodic_below_hz > 0
    assert [w.word for w in phrase.words] == ["we", "sing", "along"]


def test_no_voice_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(english, "model_folder", lambda: None)
    assert english._load_voice.__wrapped__() is None


def test_without_the_model_english_falls_back_to_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth, "english_voice", lambda: None)
    (phrase,) = WorldSinger()._prepared(english_score("we sing along", "f-clear"))
    assert phrase.source_f0 is not None and phrase.formant_shift is None and phrase.periodic_below_hz == 0


@needs_model
def test_an_english_line_sings_the_same_samples_twice() -> None:
    score = english_score("we sing along", "f-warm")
    first = WorldSinger().sing(score, sample_rate=22050)
    second = WorldSinger(workers=1).sing(score, sample_rate=22050)
    assert np.array_equal(first.audio, second.audio) and np.abs(first.audio).max() > 0.5


class CountedSession:
    """An onnxruntime session that counts its runs."""

    def __init__(self, session: object) -> None:
        self.session, self.runs = session, 0

    def run(self, *args: object, **kwargs: object) -> object:
        self.runs += 1
        return self.session.run(*args, **kwargs)  # type: ignore[attr-defined]


@needs_model
def test_a_repeated_line_is_synthesised_once() -> None:
    voice = english.english_voice()
    assert voice is not None
    session, durations = voice._synthesis, voice._durations
    synthesis_runs, durations_runs = CountedSession(session), CountedSession(durations)
    voice._synthesis, voice._durations = synthesis_runs, durations_runs  # type: ignore[assignment]
    try:
        line = ["repeat", "this", "chorus", "line", "twice"]
        first, again = voice.speak(line).audio, voice.speak(line).audio
    finally:
        voice._synthesis, voice._durations = session, durations
    assert synthesis_runs.runs == 1 and durations_runs.runs == 1  # the durations model ran once too
    assert np.array_equal(first, again) and not again.flags.writeable


@needs_model
def test_the_synthesis_model_reads_the_encoded_line_instead_of_encoding_it_again() -> None:
    folder = english.model_folder()
    assert folder is not None
    import onnx

    durations, synthesis = (onnx.load_from_string(m) for m in english.split_model(folder / english.MODEL_FILE))
    assert [i.name for i in synthesis.graph.input] == [*english.ENCODED_TENSORS, english.DURATIONS_TENSOR, "scales"]
    assert not any(n.name.startswith(("/enc_p/", "/dp/")) for n in synthesis.graph.node)
    assert [o.name for o in durations.graph.output] == [english.DURATIONS_TENSOR, *english.ENCODED_TENSORS]
