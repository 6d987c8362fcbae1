"""The built-in singer: each lyric line spoken by espeak-ng, then re-timed and re-pitched with WORLD.

Per phrase (a :class:`~tunesmith.music.score.LyricLine`): espeak speaks the line in monotone at a
known F0, its phoneme events give the syllables, the time map puts every vowel on its note(s), and
WORLD re-synthesises the envelope along that map with the melody as F0. F0 is not estimated from
espeak's speech (no harvest/dio per phrase): its monotone pitch is measured once per voice, voicing
comes from the phoneme classes, and only CheapTrick + D4C run on the source. All-Han Chinese lines are
spoken by a neural Mandarin voice instead when it is installed (:mod:`.mandarin`); that voice is
intoned, so its F0 is measured per phrase (DIO). A Chinese line with any Latin word stays on espeak.
English lines are spoken by a neural English voice (:mod:`.english`, Piper) when it is installed, its F0
measured the same way.

Backing lines (``LyricLine.backing``) are skipped by default: they belong to the backing-vocal
stem, sung separately (``include_backing=True`` sings them with the lead voice).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import fit_length
from tunesmith.engines.base import SungPhrases, SungVocal, WordTiming
from tunesmith.engines.builtin.singer import synthesis, vocoder
from tunesmith.engines.builtin.singer.contour import loudness_gain, pitch_contour, smooth
from tunesmith.engines.builtin.singer.english import english_voice
from tunesmith.engines.builtin.singer.espeak import PhonemeClass, Utterance, fresh_espeak
from tunesmith.engines.builtin.singer.mandarin import can_speak, mandarin_voice, speech_f0
from tunesmith.engines.builtin.singer.phonetics import espeak_voice, segment, spoken_text
from tunesmith.engines.builtin.singer.phrase import PhraseUnit, make_unit, pair_syllables, word_timings
from tunesmith.engines.builtin.singer.recent import remember
from tunesmith.engines.builtin.singer.timemap import Placement, Unit, noise_copies, place, segments, source_times
from tunesmith.engines.builtin.singer.tones import NO_TONE, line_tones, tone_offsets
from tunesmith.engines.builtin.singer.voices import VOICES, Voice
from tunesmith.engines.builtin.singer.world import world
from tunesmith.music.score import LyricLine, Score, SungSyllable

Floats = vocoder.Floats
_NOISE_RAMP_S = 0.003  # cross-fade (s) at each end of a pasted unvoiced consonant
_FADE_IN_S = 0.01  # fade-in (s) at a phrase's first sample
_RELEASE_S = 0.03  # silence rendered (and faded) after a phrase's last coda, in seconds
# the neural English voice says some vowels breathy or creaky (reduced ones most): sung, they lost their
# pitch (a few notes per song unvoiced to pYIN). Its sonorants' aperiodicity is capped over the whole band.
_PERIODIC_BELOW_HZ = 11025.0
_AP_CEILING = 0.05
_SONORANTS = frozenset({PhonemeClass.VOWEL, PhonemeClass.NASAL, PhonemeClass.LIQUID})
_CALIBRATION_TEXT = {"en": "la la la, we are all alone", "zh": "啦啦啦我们都在"}


@dataclass(frozen=True, slots=True)
class PreparedPhrase:
    """A phrase ready to render: its spoken source, units, placements (song s) and per-unit tones."""

    utterance: Utterance
    units: list[PhraseUnit]
    placements: list[Placement]
    tones: list[int]
    source_f0: float | None  # the monotone source's F0 (Hz); None: intoned speech, F0 measured per frame
    words: list[WordTiming]
    periodic_below_hz: float = 0.0  # voiced frames' aperiodicity capped below this (0: none); see _render
    formant_shift: float | None = None  # the voice's shift for this source (None: Voice.formant_shift)

    @property
    def start_s(self) -> float:
        """Where the phrase's audio starts in the song (s): its first onset."""
        return self.placements[0].onset.start

    @property
    def end_s(self) -> float:
        """Where the phrase's audio ends in the song (s), release tail included."""
        return self.placements[-1].coda.end + _RELEASE_S


class WorldSinger:
    """The :class:`~tunesmith.engines.base.Singer` of the built-in engine.

    ``frame_period_ms``: WORLD frame hop (5–10 ms; coarser is faster, blurs consonants);
    ``rate_wpm``: espeak speaking rate of the source speech; ``source_pitch``: espeak's 0–100 base
    pitch of the monotone source; ``include_backing``: also sing lines marked ``backing``;
    ``peak``: the output is scaled so its absolute peak is this (0 < peak ≤ 1); ``tone_depth``: scale
    of the Mandarin tone gestures (0 = sing Chinese on the bare melody, 1 = the shapes of
    :data:`~tunesmith.engines.builtin.singer.tones.TONE_SHAPES`); ``workers``: threads rendering
    phrases in parallel (WORLD releases the GIL, so 2 threads use 2 cores); ``sp_step`` / ``ap_step``:
    CheapTrick / D4C (D4C is the slow half of the analysis) run on every that many source frames only
    inside a phoneme, the rest interpolated; within ``transition_frames`` of a phoneme boundary and
    throughout stops (closure and burst) they run on every frame / every ``ap_detail_step``-th
    (:func:`analysis_detail`). Measured on six English sheets against a full-rate analysis (log-mel
    distance of the lead stem): D4C every 16th frame (every 4th near boundaries) adds nothing (0.346 →
    0.348 dB) and cuts the singer's CPU by a quarter; CheapTrick every 2nd frame adds 1 dB (audible), so
    it stays on every frame;
    ``synthesis_fft_size``: the FFT length WORLD synthesises with (None: the analysis's, 1024 at
    22–24 kHz); the envelope is analysed at WORLD's default length and resized to this
    (:func:`~tunesmith.engines.builtin.singer.vocoder.resize_bins`; 512 is 0.35 dB from 1024, 256 a dull
    2.5 dB);
    ``copy_noise``: paste the spoken unvoiced consonants (bursts, frication) over the re-synthesis;
    ``analysis_cache``: how many recent lines' analyses (source F0, envelope, aperiodicity) to keep, so a
    line sung again with the same spoken source (a repeated chorus: 32 of the vocal set's 112 English
    lines) is not analysed again (0: none kept); ``batched_synthesis``: synthesise with
    :mod:`~tunesmith.engines.builtin.singer.synthesis` (WORLD's pulses computed in batches, the noise
    under the harmonics filtered per frame) instead of ``pyworld.synthesize``: on the 30 sheets, taking
    turns in one process, 9–22 % less wall time for the same WER.
    Thread-safe: espeak calls are serialised by a lock, WORLD runs outside it.
    """

    def __init__(
        self,
        *,
        frame_period_ms: float = 5.0,
        rate_wpm: int = 110,
        source_pitch: int = 40,
        include_backing: bool = False,
        peak: float = 0.9,
        tone_depth: float = 1.0,
        workers: int = 2,
        sp_step: int = 1,
        ap_step: int = 16,
        ap_detail_step: int = 4,
        transition_frames: int = 2,
        synthesis_fft_size: int | None = 512,
        copy_noise: bool = False,
        analysis_cache: int = 16,
        batched_synthesis: bool = True,
    ) -> None:
        self.frame_s = frame_period_ms / 1000.0
        self.rate_wpm = rate_wpm
        self.source_pitch = source_pitch
        self.include_backing = include_backing
        self.peak = peak
        self.tone_depth = tone_depth
        self.workers = max(1, workers)
        self.sp_step = sp_step
        self.ap_step = ap_step
        self.ap_detail_step = ap_detail_step
        self.transition_frames = transition_frames
        self.synthesis_fft_size = synthesis_fft_size
        self.copy_noise = copy_noise
        self.analysis_cache = analysis_cache
        self.batched_synthesis = batched_synthesis
        self._analyses: OrderedDict[Hashable, vocoder.Envelope] = OrderedDict()
        self._analyses_lock = threading.Lock()

    def sing(self, score: Score, *, sample_rate: int) -> SungVocal:
        """Sing ``score.vocal``: mono float32 audio (1, samples) as long as the score, and word times."""
        total = int(round(score.duration_s * sample_rate))
        out = np.zeros((1, total), dtype=np.float32)
        words: list[WordTiming] = []
        voice = _voice_of(score) if score.vocal is not None else None
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            jobs = []
            for phrase in self._prepared(score):  # each phrase renders while the next ones are planned
                assert voice is not None  # a phrase comes only from a vocal
                span = self._span(phrase, sample_rate)
                jobs.append((span, pool.submit(self._render_at, phrase, voice, sample_rate, span[1] - span[0])))
                words.extend(phrase.words)
            for (start, _stop), future in jobs:
                audio = future.result()[:, : max(total - start, 0)]
                out[:, start : start + audio.shape[1]] += audio
        peak = float(np.max(np.abs(out))) if out.size else 0.0
        if peak > 0:
            out *= self.peak / peak
        return SungVocal(audio=out, sample_rate=sample_rate, words=words)

    def phrases(self, score: Score, *, sample_rate: int) -> SungPhrases:
        """``score.vocal`` ready to sing phrase by phrase: every phrase spoken and placed (fast), its span
        (samples) and word times known, its WORLD rendering left to the caller's threads. The phrase level
        is as WORLD renders it (:meth:`sing` normalises the whole vocal's peak instead)."""
        prepared = list(self._prepared(score))
        spans = [self._span(p, sample_rate) for p in prepared]
        render: list[Callable[[], vocoder.Audio]] = []
        if prepared:
            voice = _voice_of(score)
            render = [
                partial(self._render_at, p, voice, sample_rate, stop - start)
                for p, (start, stop) in zip(prepared, spans, strict=True)
            ]
        return SungPhrases(spans=spans, words=[w for p in prepared for w in p.words], render=render)

    @staticmethod
    def _span(phrase: PreparedPhrase, sample_rate: int) -> tuple[int, int]:
        """The phrase's ``[start, stop)`` in samples of the song at ``sample_rate``."""
        return int(round(phrase.start_s * sample_rate)), int(round(phrase.end_s * sample_rate))

    def _render_at(self, phrase: PreparedPhrase, voice: Voice, sample_rate: int, samples: int) -> vocoder.Audio:
        """The phrase's audio (1, ``samples``) at ``sample_rate``."""
        audio, _start_s = self._render(phrase, voice)
        return fit_length(vocoder.resample(audio, phrase.utterance.sample_rate, sample_rate), samples)

    def _prepared(self, score: Score) -> Iterator[PreparedPhrase]:
        """Speak and place every sung line in order (each phrase starts after the previous one ends),
        handing each phrase over as soon as it is placed."""
        vocal = score.vocal
        if vocal is None:
            return
        voice = _voice_of(score)
        earliest = 0.0
        for index, line in enumerate(vocal.lines):
            sung = sorted((s for s in vocal.syllables if s.line == index), key=lambda s: s.start)
            if not sung or (line.backing and not self.include_backing):
                continue
            phrase = self._prepare_line(score, index, line, sung, voice, vocal.language, earliest)
            if phrase is not None:
                earliest = phrase.end_s
                yield phrase

    def _prepare_line(
        self,
        score: Score,
        index: int,
        line: LyricLine,
        sung: Sequence[SungSyllable],
        voice: Voice,
        language: str,
        earliest_s: float,
    ) -> PreparedPhrase | None:
        speaker = espeak_voice(language, voice.espeak_variant)
        text, spans = spoken_text([w.text for w in line.words])
        lyric = [w.text for w in line.words]
        neural = mandarin_voice() if language == "zh" and can_speak(lyric) else None
        english = english_voice() if language == "en" else None
        source_f0: float | None = None
        periodic_below_hz, formant_shift = 0.0, None
        if neural is not None:  # all-Han line: the neural Mandarin voice (intoned, F0 measured when rendering)
            utterance, formant_shift = neural.speak(text), voice.neural_zh_shift
        elif english is not None and english.can_speak(lyric):  # the neural English voice (intoned too)
            utterance = english.speak(lyric)
            periodic_below_hz, formant_shift = _PERIODIC_BELOW_HZ, voice.neural_en_shift
        else:
            with fresh_espeak() as private:  # a fresh library state: the same line always sounds the same
                utterance = private.speak(text, voice=speaker, rate_wpm=self.rate_wpm, pitch=self.source_pitch)
            source_f0 = self._source_f0(speaker, language)
        units = _phrase_units(score, utterance, spans, sung)
        if not units:
            return None
        placements = place([u.unit for u in units], earliest_s=earliest_s)
        tones = line_tones([w.text for w in line.words]) if language == "zh" else []
        return PreparedPhrase(
            utterance=utterance,
            units=units,
            placements=placements,
            tones=[tones[u.sung[0].word] if tones else NO_TONE for u in units],
            source_f0=source_f0,
            words=word_timings(units, placements, score, index, line.words),
            periodic_below_hz=periodic_below_hz,
            formant_shift=formant_shift,
        )

    def _render(self, phrase: PreparedPhrase, voice: Voice) -> tuple[vocoder.Audio, float]:
        """The phrase's audio (float32 (1, samples) at the source's rate) and its start in the song (s)."""
        utterance, units, placements = phrase.utterance, phrase.units, phrase.placements
        rate, frame_s = utterance.sample_rate, self.frame_s
        voiced = voiced_frames(utterance, frame_s)
        envelope = self._analysis(phrase, voiced)
        start_s = placements[0].onset.start
        end_s = placements[-1].coda.end + _RELEASE_S
        times = start_s + np.arange(int((end_s - start_s) / frame_s) + 1, dtype=np.float64) * frame_s
        src, inside = source_times(segments([u.unit for u in units], placements), times)
        positions = src / frame_s
        sp = vocoder.interpolate_frames(envelope.sp, positions)
        ap = vocoder.interpolate_frames(envelope.ap, positions)
        sp[~inside], ap[~inside] = vocoder.SILENT_POWER, 1.0
        is_voiced = inside & (voiced[np.clip(np.rint(positions).astype(np.int64), 0, voiced.size - 1)] > 0)
        if phrase.periodic_below_hz > 0:  # aperiodicity capped in sonorant frames (see _AP_CEILING)
            sonorant = voiced_frames(utterance, frame_s, _SONORANTS)
            capped = inside & (sonorant[np.clip(np.rint(positions).astype(np.int64), 0, sonorant.size - 1)] > 0)
            low = int(phrase.periodic_below_hz * 2 * (ap.shape[1] - 1) / rate)
            ap[capped, :low] = np.minimum(ap[capped, :low], _AP_CEILING)
        notes = [n for u in units for n in u.unit.notes]
        bend = self._tone_track(units, placements, phrase.tones, times)
        f0 = pitch_contour(notes, times) * 2.0 ** (bend / 12.0) * is_voiced
        gain = loudness_gain(notes, times)
        sp *= (gain**2)[:, None]  # sp is power: amplitude squared
        shift = phrase.formant_shift if phrase.formant_shift is not None else voice.formant_shift
        synthesize = synthesis.synthesize if self.batched_synthesis else vocoder.synthesize
        y = synthesize(f0, vocoder.warp_formants(sp, shift), ap, rate, frame_s)
        if self.copy_noise:
            speech = utterance.audio.astype(np.float64) / 32768.0
            y = _paste_noise(y, speech, [u.unit for u in units], placements, start_s, rate, times, gain)
        audio = vocoder.fade(y.astype(np.float32)[None, :], rate, fade_in_s=_FADE_IN_S, fade_out_s=_RELEASE_S)
        return audio, start_s

    def _analysis(self, phrase: PreparedPhrase, voiced: Floats) -> vocoder.Envelope:
        """The phrase's source analysed for synthesis (envelope and aperiodicity, resized to
        ``synthesis_fft_size``): the same spoken line (samples, phonemes, source F0) analysed before is
        taken from the cache (``analysis_cache``); WORLD's analysis is deterministic, so it is the same."""
        utterance, frame_s = phrase.utterance, self.frame_s
        settings = (frame_s, self.sp_step, self.ap_step, self.ap_detail_step, self.transition_frames)
        key = (
            hashlib.blake2b(utterance.audio.tobytes(), digest_size=16).digest(),
            utterance.sample_rate,
            utterance.phonemes,
            phrase.source_f0,
            settings,
            self.synthesis_fft_size,
        )
        with self._analyses_lock:
            envelope = self._analyses.get(key)
        if envelope is not None:
            return envelope
        speech = utterance.audio.astype(np.float64) / 32768.0
        known = phrase.source_f0
        f0_source = voiced * known if known is not None else speech_f0(speech, utterance.sample_rate, voiced, frame_s)
        detail = analysis_detail(utterance, frame_s, self.transition_frames)
        envelope = vocoder.analyse(
            speech,
            utterance.sample_rate,
            f0_source,
            frame_s,
            sp_frames=vocoder.analysis_grid(detail, step=self.sp_step),
            ap_frames=vocoder.analysis_grid(detail, step=self.ap_step, detail_step=self.ap_detail_step),
        )
        if self.synthesis_fft_size is not None:  # every later step runs on the smaller spectra
            bins = self.synthesis_fft_size // 2 + 1
            envelope = vocoder.Envelope(
                vocoder.resize_bins(envelope.sp, bins), vocoder.resize_bins(envelope.ap, bins), frame_s
            )
        envelope.sp.flags.writeable = envelope.ap.flags.writeable = False  # shared by the line's repeats
        if self.analysis_cache > 0:
            with self._analyses_lock:
                remember(self._analyses, key, envelope, self.analysis_cache)
        return envelope

    def _tone_track(
        self, units: Sequence[PhraseUnit], placements: Sequence[Placement], tones: Sequence[int], times: Floats
    ) -> Floats:
        """Semitone offsets at ``times`` (s) bending each syllable toward its lexical tone (0 without)."""
        bend = np.zeros_like(times)
        if self.tone_depth == 0 or not any(tones):
            return bend
        for unit, placed, tone in zip(units, placements, tones, strict=True):
            vowel_end = min(placed.nucleus.end, unit.unit.notes[0].end)
            bend += tone_offsets(tone, times, placed.onset.start, vowel_end, depth=self.tone_depth)
        frame_s = float(times[1] - times[0]) if times.size > 1 else 1.0
        return smooth(bend, max(int(round(0.03 / frame_s)), 1))

    def _source_f0(self, speaker: str, language: str) -> float:
        """espeak's monotone F0 (Hz) for ``speaker`` at this singer's rate and pitch (measured once)."""
        return source_f0(speaker, language, self.rate_wpm, self.source_pitch)


def warm_up() -> None:
    """Load the installed neural voices and run each once on a short line, so the first song a process
    sings does not pay for loading the models (seconds: graphs cut or patched, then compiled) or for
    their first inference (kernel set-up): the first sheet of the vocal set sang at 19× real time
    against 33× for the rest before this ran first."""
    english = english_voice()
    if english is not None:
        english.speak(["la", "la"]).audio  # noqa: B018 - the property runs the synthesis
    mandarin = mandarin_voice()
    if mandarin is not None:
        mandarin.speak("啦啦").audio  # noqa: B018


def _voice_of(score: Score) -> Voice:
    """The voice that sings ``score.vocal`` (which must be set); an unknown voice id is refused."""
    assert score.vocal is not None
    voice = VOICES.get(score.vocal.voice)
    if voice is None:
        raise ValueError(f"unknown voice id {score.vocal.voice!r}; known: {sorted(VOICES)}")
    return voice


_F0_CACHE: dict[tuple[str, str, int, int], float] = {}
_F0_LOCK = threading.Lock()


def source_f0(speaker: str, language: str, rate_wpm: int, pitch: int) -> float:
    """espeak's monotone F0 (Hz) for ``speaker`` at ``pitch``, measured once per process and setting."""
    key = (speaker, language, rate_wpm, pitch)
    with _F0_LOCK:
        if key not in _F0_CACHE:
            text = _CALIBRATION_TEXT.get(language, _CALIBRATION_TEXT["en"])
            with fresh_espeak() as private:
                utterance = private.speak(text, voice=speaker, rate_wpm=rate_wpm, pitch=pitch)
            _F0_CACHE[key] = measure_f0(utterance.audio.astype(np.float64) / 32768.0, utterance.sample_rate)
        return _F0_CACHE[key]


def _phrase_units(
    score: Score, utterance: Utterance, spans: Sequence[tuple[int, int]], sung: Sequence[SungSyllable]
) -> list[PhraseUnit]:
    """Every sung syllable of the line paired with the spoken syllable that sings it, in time order."""
    spoken = segment(utterance, spans)
    units: list[PhraseUnit] = []
    for word, syllables in enumerate(spoken):
        of_word = sorted((s for s in sung if s.word == word), key=lambda s: (s.syllable, s.start))
        for spoken_syllable, group in pair_syllables(syllables, of_word):
            unit = make_unit(spoken_syllable, group, score, utterance.sample_rate)
            units.append(PhraseUnit(unit=unit, sung=group))
    return sorted(units, key=lambda u: u.unit.note_span.start)


def _paste_noise(
    y: Floats,
    speech: Floats,
    units: Sequence[Unit],
    placements: Sequence[Placement],
    start_s: float,
    rate: int,
    times: Floats,
    gain: Floats,
) -> Floats:
    """WORLD's output ``y`` with the unvoiced consonants pasted from the spoken ``speech`` (see
    :func:`~tunesmith.engines.builtin.singer.timemap.noise_copies`), scaled by the loudness ``gain``."""
    copies = [
        (round((c.out_start - start_s) * rate), round(c.src_start * rate), round((c.out_end - c.out_start) * rate))
        for c in noise_copies(units, placements)
    ]
    if not copies:
        return y
    per_sample = np.interp(start_s + np.arange(y.size) / rate, times, gain)
    return vocoder.splice(y, speech, copies, per_sample, ramp=int(_NOISE_RAMP_S * rate))


def voiced_frames(utterance: Utterance, frame_s: float, kinds: frozenset[PhonemeClass] | None = None) -> Floats:
    """1.0 for each WORLD frame of the utterance inside a voiced phoneme (vowel, nasal, …), else 0.0;
    with ``kinds``, inside a phoneme of those classes."""
    n = vocoder.frame_count(utterance.samples, utterance.sample_rate, frame_s)
    voiced = np.zeros(n, dtype=np.float64)
    for ev, nxt in zip(utterance.phonemes, [*utterance.phonemes[1:], None], strict=True):
        if ev.kind in kinds if kinds is not None else ev.kind.voiced:
            end = nxt.sample if nxt is not None else utterance.samples
            a, b = (int(round(t / utterance.sample_rate / frame_s)) for t in (ev.sample, end))
            voiced[a : max(b, a + 1)] = 1.0
    return voiced


_STOPS = frozenset({PhonemeClass.STOP, PhonemeClass.VOICED_STOP})


def analysis_detail(utterance: Utterance, frame_s: float, transition_frames: int) -> npt.NDArray[np.bool_]:
    """Per WORLD frame of the utterance: whether the spectrum changes fast there, so the analysis must
    not skip it — within ``transition_frames`` of a phoneme boundary, or inside a stop (closure, burst)."""
    n = vocoder.frame_count(utterance.samples, utterance.sample_rate, frame_s)
    detail = np.zeros(n, dtype=bool)
    events = utterance.phonemes
    for ev, nxt in zip(events, [*events[1:], None], strict=True):
        a = int(round(ev.sample / utterance.sample_rate / frame_s))
        b = int(round((nxt.sample if nxt is not None else utterance.samples) / utterance.sample_rate / frame_s))
        detail[max(a - transition_frames, 0) : a + transition_frames + 1] = True
        if ev.kind in _STOPS:
            detail[a : max(b, a + 1)] = True
    return detail


def measure_f0(speech: Floats, sample_rate: int) -> float:
    """The median F0 (Hz) of monotone ``speech`` (DIO + StoneMask, octave errors dropped)."""
    pw = world()
    f0, times = pw.dio(speech, sample_rate, frame_period=5.0)
    f0 = pw.stonemask(speech, f0, times, sample_rate)
    voiced = f0[f0 > 0]
    if voiced.size == 0:
        raise RuntimeError("espeak produced no voiced speech to calibrate the singer")
    median = float(np.median(voiced))
    return float(np.median(voiced[np.abs(np.log2(voiced / median)) < 0.25]))
