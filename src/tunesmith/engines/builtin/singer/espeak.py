"""A small ctypes binding to libespeak-ng as shipped by the ``espeakng-loader`` wheel.

Only what the singer needs: synchronous synthesis of one text with a chosen voice, rate and a constant
pitch, returning the int16 audio at 22 050 Hz together with the WORD and PHONEME events (sample
positions and phoneme mnemonics), plus the phoneme classes read from espeak's own ``phontab``.

espeak-ng is a process-global C library with global voice and parameter state, so every call goes
through one module lock. The library is loaded lazily on first use, never at import.
"""

from __future__ import annotations

import _ctypes
import ctypes
import functools
import shutil
import struct
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt

ESPEAK_RATE_HZ = 22050

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_PHONEME = 7
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_PARAM_RANGE = 4
_PARAM_PUNCTUATION = 5
_PARAM_WORDGAP = 7
_STRESS_MARKS = "',%="


RAND_SEED = 20261121
"""Seed of espeak-ng's noise generator (any fixed value: it only has to be the same every time)."""


class PhonemeClass(IntEnum):
    """espeak-ng's phoneme types (``phVOWEL`` … in ``phoneme.h``)."""

    PAUSE = 0
    STRESS = 1
    VOWEL = 2
    LIQUID = 3
    STOP = 4
    VOICED_STOP = 5
    FRICATIVE = 6
    VOICED_FRICATIVE = 7
    NASAL = 8
    VIRTUAL = 9
    OTHER = 15

    @property
    def voiced(self) -> bool:
        """Whether the phoneme is normally voiced (so it carries the sung pitch)."""
        return self in _VOICED_CLASSES


_VOICED_CLASSES = frozenset(
    {
        PhonemeClass.VOWEL,
        PhonemeClass.LIQUID,
        PhonemeClass.VOICED_STOP,
        PhonemeClass.VOICED_FRICATIVE,
        PhonemeClass.NASAL,
    }
)


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True, slots=True)
class WordEvent:
    """A word starts: ``text_position`` is the 0-based character offset in the spoken text."""

    text_position: int
    length: int
    sample: int


@dataclass(frozen=True, slots=True)
class PhonemeEvent:
    """A phoneme starts at ``sample`` (at :data:`ESPEAK_RATE_HZ`); ``name`` is espeak's mnemonic."""

    name: str
    sample: int
    kind: PhonemeClass


@dataclass(frozen=True)
class Utterance:
    """Spoken audio (int16, mono, ``sample_rate``) and its events in time order.

    ``samples`` is the audio's length, known up front; the samples themselves come from ``speech()`` on
    first use of :attr:`audio`, so a slow voice (a neural vocoder) runs in the thread that renders the
    phrase, not in the one that plans it. :meth:`recorded` wraps audio that already exists.
    """

    words: tuple[WordEvent, ...]
    phonemes: tuple[PhonemeEvent, ...]
    samples: int
    speech: Callable[[], npt.NDArray[np.int16]] = field(repr=False, compare=False)
    sample_rate: int = ESPEAK_RATE_HZ
    _made: list[npt.NDArray[np.int16]] = field(default_factory=list, init=False, repr=False, compare=False)
    _making: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @classmethod
    def recorded(
        cls,
        audio: npt.NDArray[np.int16],
        words: tuple[WordEvent, ...],
        phonemes: tuple[PhonemeEvent, ...],
        sample_rate: int = ESPEAK_RATE_HZ,
    ) -> Utterance:
        return cls(words, phonemes, int(audio.size), lambda: audio, sample_rate)

    @property
    def audio(self) -> npt.NDArray[np.int16]:
        """The samples (made once, on first use). Each utterance locks only itself: Python 3.11's
        ``functools.cached_property`` holds one lock for every instance of the class, and so ran every
        phrase's neural vocoder one at a time whatever the number of render threads."""
        with self._making:
            if not self._made:
                audio = self.speech()
                if audio.size != self.samples:
                    raise RuntimeError(f"the voice made {audio.size} samples where {self.samples} were announced")
                self._made.append(audio)
            return self._made[0]


class Espeak:
    """The process-wide espeak-ng library; use :func:`espeak` to get the shared instance."""

    def __init__(self, library_path: str | None = None) -> None:
        import espeakng_loader

        self._lock = threading.Lock()
        self._lib = ctypes.CDLL(library_path or espeakng_loader.get_library_path())
        self._data_path = espeakng_loader.get_data_path()
        self._declare()
        rate = self._lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS,
            0,
            self._data_path.encode(),
            _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT,
        )
        if rate != ESPEAK_RATE_HZ:
            raise RuntimeError(f"espeak-ng initialisation failed (returned {rate})")
        # espeak-ng seeds its noise generator from the clock at start-up; a fixed seed makes the same
        # text give the same samples (together with a fresh library state, see fresh_espeak).
        self._lib.espeak_ng_SetRandSeed(RAND_SEED)
        self._chunks: list[npt.NDArray[np.int16]] = []
        self._events: list[WordEvent | PhonemeEvent] = []
        self._callback = _SynthCallback(self._on_synth)
        self._lib.espeak_SetSynthCallback(self._callback)
        self._tables = _phoneme_tables(str(Path(self._data_path) / "phontab"))
        self._table: dict[str, PhonemeClass] = {}

    def close(self) -> None:
        """Unload this instance's library (only for private instances from :func:`fresh_espeak`)."""
        with self._lock:
            self._lib.espeak_Terminate()
            _ctypes.dlclose(self._lib._handle)

    def _declare(self) -> None:
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synchronize.argtypes = []
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None

    def _on_synth(self, wav: ctypes._Pointer[ctypes.c_short], n: int, events: ctypes._Pointer[_Event]) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).astype(np.int16, copy=True))
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            self._record(events[i])
            i += 1
        return 0

    def _record(self, ev: _Event) -> None:
        if ev.type == _EVENT_WORD:
            self._events.append(WordEvent(ev.text_position - 1, ev.length, ev.sample))
        elif ev.type == _EVENT_PHONEME:
            name = bytes(ev.id.string).split(b"\0", 1)[0].decode("utf-8", "replace").lstrip(_STRESS_MARKS)
            if name.startswith("(") and name.endswith(")"):
                # a language switch inside the text, e.g. "(en)" … "(cmn)" around an English word
                self._table = table_for_language(self._tables, name[1:-1])
                return
            self._events.append(PhonemeEvent(name, ev.sample, self._table.get(name, PhonemeClass.OTHER)))

    def speak(
        self,
        text: str,
        *,
        voice: str,
        rate_wpm: int = 110,
        pitch: int = 50,
        word_gap: int = 0,
        pitch_range: int = 0,
    ) -> Utterance:
        """Speak ``text`` with espeak voice name ``voice`` (e.g. ``"en-us+f3"``), by default in monotone.

        ``rate_wpm`` is words per minute (80–450); ``pitch`` is espeak's base pitch 0–100 (the
        resulting constant F0 depends on the voice: measure it with :func:`speech_f0_hz`);
        ``word_gap`` adds pauses between words in units of 10 ms; ``pitch_range`` is espeak's 0–100
        intonation range (0 = monotone at the base pitch, 50 = espeak's natural speech, with tones).
        """
        data = text.encode("utf-8")
        with self._lock:
            self._chunks, self._events = [], []
            self._table = table_for_language(self._tables, voice.split("+", 1)[0])
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"unknown espeak-ng voice {voice!r}")
            for param, value in (
                (_PARAM_RATE, rate_wpm),
                (_PARAM_PITCH, pitch),
                (_PARAM_RANGE, pitch_range),
                (_PARAM_VOLUME, 100),
                (_PARAM_PUNCTUATION, 0),
                (_PARAM_WORDGAP, word_gap),
            ):
                self._lib.espeak_SetParameter(param, value, 0)
            buf = ctypes.create_string_buffer(data)
            status = self._lib.espeak_Synth(buf, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self._lib.espeak_Synchronize()
            if status != 0:
                raise RuntimeError(f"espeak_Synth failed with status {status}")
            audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
            return _utterance(audio, self._events)


def _utterance(audio: npt.NDArray[np.int16], events: list[WordEvent | PhonemeEvent]) -> Utterance:
    words = tuple(e for e in events if isinstance(e, WordEvent))
    phonemes = tuple(e for e in events if isinstance(e, PhonemeEvent))
    return Utterance.recorded(audio, words, phonemes)


@functools.cache
def _phoneme_tables(phontab: str) -> dict[str, dict[str, PhonemeClass]]:
    """:func:`read_phoneme_tables`, parsed once per file (every private instance reads the same one)."""
    return read_phoneme_tables(Path(phontab))


def read_phoneme_tables(phontab: Path) -> dict[str, dict[str, PhonemeClass]]:
    """Parse espeak-ng's compiled ``phontab``: table name → (mnemonic → phoneme class), inherited.

    Layout (``LoadPhData`` in espeak-ng): int32 table count; per table uint8 phoneme count, uint8
    parent (index + 1, 0 = none), 2 pad bytes, a 32-byte name, then 16-byte ``PHONEME_TAB`` records
    (mnemonic uint32 LE, flags uint32, program uint16, code uint8, type uint8, …). A table sees its
    own phonemes first, then its parents'.
    """
    data = phontab.read_bytes()
    (n_tables,) = struct.unpack_from("<i", data, 0)
    pos, tables = 4, list[tuple[str, int, dict[str, PhonemeClass]]]()
    for _ in range(n_tables):
        n_phonemes, parent = data[pos], data[pos + 1]
        name = data[pos + 4 : pos + 36].split(b"\0", 1)[0].decode("ascii")
        pos += 36
        own = dict(_record_class(data, pos + 16 * k) for k in range(n_phonemes))
        tables.append((name, parent - 1, own))
        pos += 16 * n_phonemes
    return {name: _inherit(tables, index) for index, (name, _, _) in enumerate(tables)}


def _record_class(data: bytes, pos: int) -> tuple[str, PhonemeClass]:
    mnemonic, _flags, _program, _code, kind = struct.unpack_from("<IIHBB", data, pos)
    name = mnemonic.to_bytes(4, "little").split(b"\0", 1)[0].decode("latin-1")
    known = kind in PhonemeClass._value2member_map_
    return name, PhonemeClass(kind) if known else PhonemeClass.OTHER


def _inherit(tables: list[tuple[str, int, dict[str, PhonemeClass]]], index: int) -> dict[str, PhonemeClass]:
    merged: dict[str, PhonemeClass] = {}
    while index >= 0:
        _, parent, own = tables[index]
        merged = own | merged
        index = parent
    return merged


def table_for_language(tables: dict[str, dict[str, PhonemeClass]], language: str) -> dict[str, PhonemeClass]:
    """The phoneme table of an espeak language code (``"en-us"``, ``"cmn"``), falling back to its base."""
    while language not in tables and "-" in language:
        language = language.rsplit("-", 1)[0]
    return tables.get(language, tables["base1"])


_shared: Espeak | None = None
_shared_lock = threading.Lock()


@contextmanager
def fresh_espeak() -> Iterator[Espeak]:
    """A private espeak-ng instance in its initial state, closed afterwards.

    espeak-ng keeps synthesis state (waveform phase, pitch flutter) in static variables, so the samples of
    an utterance depend on everything the library spoke before it in the process. A private copy of the
    library, loaded from its own file, starts from the initial state: the same text then always gives the
    same samples, which makes a seeded song reproducible.
    """
    import espeakng_loader

    with tempfile.TemporaryDirectory(prefix="tunesmith-espeak-") as folder:
        copy = Path(folder) / "libespeak-ng-private.so"
        shutil.copyfile(espeakng_loader.get_library_path(), copy)
        instance = Espeak(str(copy))
        try:
            yield instance
        finally:
            instance.close()


def espeak() -> Espeak:
    """The shared, lazily initialised espeak-ng instance of this process."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Espeak()
        return _shared
