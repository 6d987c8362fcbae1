"""Mixing and mastering a song piece by piece while its vocal is still being sung.

The instrumental bed (every stem that is not sung) is rendered in full first — it is fast — and mixed
in one go. The sung stems arrive phrase by phrase, in the order the phrases start. Everything that
would need the whole song is decided from the bed and from where the phrases *will* be:

* every sung phrase is gain-staged on its own to the stem reference loudness before its channel strip;
* a **vocal rider** after the channel strip sets each phrase to sit ``level_over_rest_db`` above the bed
  over the phrase's own span (measured, so it holds exactly), fading between phrases in the gaps;
* the master bus is planned on a *proxy* premaster: the bed whose power is raised, span by span, by the
  power the riders will add. The plan's make-up gain then meets the real premaster piece by piece
  (:class:`~tunesmith.dsp.master.StreamingMaster`); a voice is peakier than the proxy's noise, so the
  limiter takes more than planned, and the streaming master follows its own output against the plan's
  expected one and makes the difference up over the rest of the song (the 20 English mixes of the
  vocal set: −14.49 … −14.07 LUFS without that, −14.07 … −13.97 with it).

Every stem goes through its own strip and the master gain is one curve, so the processed stems still
sum to the premaster and the mastered stems to the mastered mix, sample for sample.

**The user's own audio** (add-vocals, add-instrumental) joins the bed as an *untouched* stem: it is gain-staged
and goes through the channel strip its preset gives it (callers pass a plain ``MixPreset()``, so only a gain),
but no pocket is carved into it and the closing fade leaves it alone, so in the result it is the upload times
one constant and the master's gain curve. An untouched stem may be the ``lead``: it is then set, by one
constant gain, ``lead_over_rest_db`` above the rest of the bed where it sounds (a vocal the band accompanies).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from tunesmith.dsp.effects import ChannelStrip, MixPreset, ReverbSpace
from tunesmith.dsp.limiter import apply_gain
from tunesmith.dsp.loudness import (
    integrated_from_power,
    integrated_lufs,
    k_weighted_power,
    lufs_to_power,
    power_to_lufs,
)
from tunesmith.dsp.master import CEILING_DBTP, TARGET_LUFS, StreamingMaster, plan_master
from tunesmith.dsp.mix import DEFAULT_FADE_OUT_S, STEM_REFERENCE_LUFS, sum_stems
from tunesmith.dsp.pocket import Gain, carve, pocket_gain, span_gain
from tunesmith.dsp.presets import DEFAULT_PRESET, SHARED_ROOM
from tunesmith.dsp.types import Audio, as_stereo, closing_fade, db_to_gain

K = TypeVar("K", bound=str)

RIDE_S = 0.02  # the rider's fade between two phrases' levels, taken from the gap before the later phrase
QUIET_BED_LU = 12.0  # over a span where the bed is quieter than its whole by more, the rider uses this floor
CHUNK_S = 2.0


@dataclass(frozen=True, slots=True)
class PhraseSpan(Generic[K]):
    """Where a sung phrase of stem ``family`` will sound: samples ``[start, stop)`` of the song."""

    family: K
    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class Phrase(Generic[K]):
    """A sung phrase as it arrives: its span and its mono or stereo audio (1|2, stop − start)."""

    span: PhraseSpan[K]
    audio: Audio


@dataclass(frozen=True, slots=True)
class MixResult(Generic[K]):
    """The finished song: processed stems and premaster (2, n), and the mastered stems and mix (2, n)."""

    processed: dict[K, Audio]
    premaster: Audio
    mastered_stems: dict[K, Audio]
    mastered: Audio


class ProgressiveMix(Generic[K]):
    """Mix ``bed`` (raw stems, (1|2, n) of one length ``n``) with sung phrases that arrive later.

    ``spans`` lists every phrase that will arrive, per sung family, in start order within each family
    (phrases of one family must not overlap); the phrases themselves are passed to :meth:`run` in the
    order they start. ``presets`` per family (missing: the default channel); families whose preset sets
    ``level_over_rest_db`` are ridden phrase by phrase against the bed, the others keep their fader.
    """

    def __init__(
        self,
        bed: Mapping[K, Audio],
        spans: Sequence[PhraseSpan[K]],
        presets: Mapping[K, MixPreset],
        sample_rate: int,
        length: int,
        *,
        space: ReverbSpace = SHARED_ROOM,
        fade_out_s: float = DEFAULT_FADE_OUT_S,
        target_lufs: float = TARGET_LUFS,
        ceiling_dbtp: float = CEILING_DBTP,
        untouched: frozenset[K] = frozenset(),
        lead: tuple[K, float] | None = None,
    ) -> None:
        if any(a.shape[1] != length for a in bed.values()):
            raise ValueError(f"every bed stem must be {length} samples long")
        if lead is not None and lead[0] not in untouched:
            raise ValueError(f"the lead {lead[0]!r} must be an untouched bed stem")
        started = time.perf_counter()
        self.seconds = {"mix": 0.0, "master": 0.0}  # wall time spent mixing and mastering so far
        self.sample_rate, self.length, self.fade_out_s = sample_rate, length, fade_out_s
        self.presets, self.space, self.untouched = presets, space, untouched
        self.processed: dict[K, Audio] = {}
        for family, a in bed.items():
            strip = ChannelStrip(self._preset(family), space).process(_staged(a, sample_rate), sample_rate)
            self.processed[family] = strip if family in untouched else self._finish(strip, 0)
        if lead is not None:
            self._set_lead(*lead)
        # the riders measure against the band as arranged: a pocket carved for a voice is a gain in its
        # clarity, not a reason to sing it quieter
        rest_power = k_weighted_power(sum_stems(self.processed.values(), length), sample_rate)
        self._rest_power = np.concatenate([[0.0], np.cumsum(rest_power)])
        self._rest_lufs = integrated_from_power(rest_power, sample_rate)
        self._carve_pockets(spans)
        self.rest = sum_stems(self.processed.values(), length)
        self.voices = {
            family: _Voice(family, [s for s in spans if s.family == family], self._preset(family), space, self)
            for family in dict.fromkeys(s.family for s in spans)
        }
        for family in self.voices:
            self.processed[family] = np.zeros((2, length), dtype=np.float32)
        planned = time.perf_counter()
        self.seconds["mix"] += planned - started
        proxy = self._proxy_premaster(spans)
        plan = plan_master(proxy, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp)
        self.master = StreamingMaster(plan, sample_rate, ceiling_dbtp=ceiling_dbtp)
        self.premaster = self.rest.copy()
        self.mastered = np.zeros((2, length), dtype=np.float32)
        self.gain = np.ones(length, dtype=np.float32)
        self.seconds["master"] += time.perf_counter() - planned

    def run(self, phrases: Iterable[Phrase[K]], *, chunk_s: float = CHUNK_S) -> Iterator[Audio]:
        """Take the phrases in start order and yield the mastered mix (2, ≤ chunk) piece by piece, as
        early as the phrases allow; when the iterator ends the whole song has been yielded and
        :meth:`result` is ready."""
        step, done = max(1, int(chunk_s * self.sample_rate)), 0
        for phrase in phrases:
            self.voices[phrase.span.family].add(phrase)
            for chunk in self._advance(step, done, self._ready()):
                done += chunk.shape[1]
                yield chunk
        for voice in self.voices.values():
            voice.close()
        yield from self._advance(step, done, self.length, final=True)

    def result(self) -> MixResult[K]:
        """The finished song (after :meth:`run` has been consumed)."""
        stems = {family: apply_gain(audio, self.gain) for family, audio in self.processed.items()}
        return MixResult(self.processed, self.premaster, stems, self.mastered)

    def _advance(self, step: int, done: int, ready: int, *, final: bool = False) -> Iterator[Audio]:
        """Process the sung stems up to ``ready`` and yield every whole chunk the master can now finish."""
        started = time.perf_counter()
        for voice in self.voices.values():
            voice.process_until(ready)
        self.seconds["mix"] += time.perf_counter() - started
        complete = min((voice.processed_to for voice in self.voices.values()), default=self.length)
        limit = self.length if final else complete - self.master.lookahead
        while done < self.length and (done + step <= limit or (final and done < limit)):
            stop = min(done + step, self.length)
            started = time.perf_counter()
            gain = self.master.gain(self.premaster, done, stop)
            self.gain[done:stop] = gain
            self.mastered[:, done:stop] = apply_gain(self.premaster[:, done:stop], gain)
            self.seconds["master"] += time.perf_counter() - started
            yield self.mastered[:, done:stop]
            done = stop

    def _set_lead(self, family: K, over_db: float) -> None:
        """Scale the processed bed stem ``family`` by one gain so that, over the 400 ms blocks where it is
        within 30 dB of its loudest, it is ``over_db`` louder than the rest of the bed there."""
        lead = self.processed[family]
        rest = sum_stems([a for f, a in self.processed.items() if f != family], self.length)
        block = int(0.4 * self.sample_rate)
        blocks = self.length // block
        if blocks == 0:
            return
        lead_power = k_weighted_power(lead, self.sample_rate)[: blocks * block].reshape(blocks, block).mean(axis=1)
        rest_power = k_weighted_power(rest, self.sample_rate)[: blocks * block].reshape(blocks, block).mean(axis=1)
        if not np.any(lead_power > 0):
            return
        active = lead_power >= lead_power.max() * 1e-3
        lead_lufs = power_to_lufs(float(lead_power[active].mean()))
        rest_lufs = power_to_lufs(float(rest_power[active].mean()))
        if np.isfinite(lead_lufs) and np.isfinite(rest_lufs):
            self.processed[family] = (lead * db_to_gain(rest_lufs + over_db - lead_lufs)).astype(np.float32)

    def _carve_pockets(self, spans: Sequence[PhraseSpan[K]]) -> None:
        """Carve every bed stem's presence range (untouched stems excepted) under the phrases of each family
        whose preset has a :class:`~tunesmith.dsp.pocket.Pocket` (each stem alike, so the stems still sum to
        the bed)."""
        for family in dict.fromkeys(s.family for s in spans):
            pocket = self._preset(family).pocket
            if pocket is None or pocket.depth_db == 0:
                continue
            keyed = [(s.start, s.stop) for s in spans if s.family == family]
            gain = pocket_gain(keyed, self.length, self.sample_rate, pocket)
            for stem, audio in self.processed.items():
                if stem in self.untouched:
                    continue
                self.processed[stem] = carve(audio, self.sample_rate, gain, centre_hz=pocket.centre_hz, q=pocket.q)

    def _ready(self) -> int:
        """How far every sung stem can be processed with the phrases received so far."""
        return min((voice.ready for voice in self.voices.values()), default=self.length)

    def _preset(self, family: K) -> MixPreset:
        return self.presets.get(family, DEFAULT_PRESET)

    def _finish(self, processed: Audio, start: int) -> Audio:
        """Apply the song's closing fade to the processed piece that starts at sample ``start``."""
        fade = int(round(self.fade_out_s * self.sample_rate))
        first = self.length - fade
        if start + processed.shape[1] <= first or fade <= 0:
            return processed
        ramp = closing_fade(fade)
        lo = max(start, first)
        out = processed.copy()
        out[:, lo - start :] *= ramp[lo - first : lo - first + processed.shape[1] - (lo - start)]
        return out

    def bed_lufs(self, start: int, stop: int) -> float:
        """The bed's ungated loudness over samples ``[start, stop)``, floored at the whole bed's
        loudness minus :data:`QUIET_BED_LU` (an a-cappella line is ridden against that floor)."""
        span = max(stop - start, 1)
        local = power_to_lufs(float(self._rest_power[stop] - self._rest_power[start]) / span)
        if not np.isfinite(self._rest_lufs):
            return STEM_REFERENCE_LUFS if not np.isfinite(local) else local
        return max(local, self._rest_lufs - QUIET_BED_LU) if np.isfinite(local) else self._rest_lufs - QUIET_BED_LU

    def _planned_lufs(self, span: PhraseSpan[K]) -> float:
        """The loudness a phrase will have in the mix: ridden ones their level over the bed; the others
        the stem reference plus their fader and make-up (their compressor's bite is not foreseen)."""
        preset = self._preset(span.family)
        if preset.level_over_rest_db is not None:
            return self.bed_lufs(span.start, span.stop) + preset.level_over_rest_db
        makeup = preset.compressor.makeup_db if preset.compressor is not None else 0.0
        return STEM_REFERENCE_LUFS + preset.gain_db + makeup

    def _proxy_premaster(self, spans: Sequence[PhraseSpan[K]]) -> Audio:
        """The premaster as the master plan sees it: the bed plus, over every ridden span, steady noise
        with the power the rider will put there (sung phrases are about as peaky as noise; scaling the
        bed instead would over-feed its drum transients to the glue compressor and the limiter)."""
        families = list(dict.fromkeys(span.family for span in spans))
        noise = {family: np.random.default_rng(seed) for seed, family in enumerate(families)}
        probe = np.random.default_rng(len(families)).standard_normal((2, 5 * self.sample_rate), dtype=np.float32)
        noise_power = float(np.mean(k_weighted_power(probe, self.sample_rate)))
        proxy = self.rest.copy()
        for span in spans:  # one noise per family: two families singing at once add up as power
            a, b = span.start, min(span.stop, self.length)
            if b > a:
                scale = np.float32(np.sqrt(lufs_to_power(self._planned_lufs(span)) / noise_power))
                proxy[:, a:b] += noise[span.family].standard_normal((2, b - a), dtype=np.float32) * scale
        return proxy


class _Voice(Generic[K]):
    """One sung family: raw phrases in, the stripped and ridden stem out, as far as it is complete.

    The stem is processed in segments: a lead-in of silence up to the first phrase, then per phrase
    the :data:`RIDE_S` before it (where the rider fades), the phrase and the gap after it.
    """

    def __init__(
        self, family: K, spans: list[PhraseSpan[K]], preset: MixPreset, space: ReverbSpace, mix: ProgressiveMix[K]
    ):
        self.family, self.spans, self.preset, self.mix = family, spans, preset, mix
        self.strip = ChannelStrip(preset, space)
        self.raw = np.zeros((2, mix.length), dtype=np.float32)
        self.ride = int(RIDE_S * mix.sample_rate)
        self.received = 0  # phrases of this family added so far
        self.processed_to = 0
        self.segment = -1  # the next segment to process (-1: the lead-in)
        self.level = 1.0  # the rider's gain of the last processed phrase
        self.send_gain: Gain | None = None  # the ducked send's gain over the song (None: not ducked)
        duck = preset.send_duck
        if duck is not None and duck.depth_db > 0:
            keyed = [(s.start, s.stop) for s in spans]
            self.send_gain = span_gain(keyed, mix.length, mix.sample_rate, duck.depth_db, duck.attack_s, duck.release_s)

    @property
    def ready(self) -> int:
        """The sample up to which this stem's raw signal is complete: the next missing phrase's segment."""
        if self.received >= len(self.spans):
            return self.mix.length
        return self._segment_start(self.received)

    def add(self, phrase: Phrase[K]) -> None:
        """Stage ``phrase`` to the stem reference loudness and place it in the raw stem (cut or padded to
        its announced span)."""
        span = phrase.span
        if self.received >= len(self.spans) or span != self.spans[self.received]:
            raise ValueError(f"phrase {span} was not announced next for {self.family!r}: {self.received} {self.spans}")
        audio = _staged(phrase.audio, self.mix.sample_rate)[:, : span.stop - span.start]
        stop = min(span.start + audio.shape[1], self.mix.length)
        self.raw[:, span.start : stop] += audio[:, : stop - span.start]
        self.received += 1

    def close(self) -> None:
        """No more phrases will come."""
        self.received = len(self.spans)

    def process_until(self, ready: int) -> None:
        """Run the strip and the rider over every whole segment that ends at or before ``ready``."""
        mix = self.mix
        while self.processed_to < mix.length:
            index = self.segment
            stop = self._segment_start(index + 1) if index + 1 < len(self.spans) else mix.length
            if stop > ready:
                return
            start = self.processed_to
            send_gain = self.send_gain[start:stop] if self.send_gain is not None else None
            out = mix._finish(self.strip.process(self.raw[:, start:stop], mix.sample_rate, send_gain), start)
            if index >= 0:
                out = self._ride(out, start, self.spans[index])
            mix.processed[self.family][:, start:stop] = out
            mix.premaster[:, start:stop] += out
            self.processed_to, self.segment = stop, index + 1

    def _ride(self, out: Audio, start: int, span: PhraseSpan[K]) -> Audio:
        """Scale a segment (starting at sample ``start``) so its phrase ``span`` sits at its level over
        the bed; the part before the phrase (at most :data:`RIDE_S`) fades from the previous level."""
        over = self.preset.level_over_rest_db
        if over is None:
            return out
        a, b = span.start - start, span.stop - start
        power = float(np.mean(k_weighted_power(out[:, a:b], self.mix.sample_rate))) if b > a else 0.0
        sung = power_to_lufs(power)
        level = db_to_gain(self.mix.bed_lufs(span.start, span.stop) + over - sung) if np.isfinite(sung) else self.level
        gain = np.full(out.shape[1], level, dtype=np.float32)
        if a > 0:
            gain[:a] = np.linspace(self.level, level, a, dtype=np.float32)
        self.level = level
        return apply_gain(out, gain)

    def _segment_start(self, index: int) -> int:
        """Where segment ``index`` begins: :data:`RIDE_S` before its phrase, not before the previous
        phrase's end (segment 0 begins after the lead-in)."""
        span = self.spans[index]
        floor = self.spans[index - 1].stop if index > 0 else 0
        return min(span.start, max(floor, span.start - self.ride))


def _staged(audio: Audio, sample_rate: int, target_lufs: float = STEM_REFERENCE_LUFS) -> Audio:
    """``audio`` as stereo, scaled so its loudness is ``target_lufs`` (integrated, or ungated for a piece
    shorter than one gating block); silence passes unchanged."""
    stereo = as_stereo(audio)
    loudness = integrated_lufs(stereo, sample_rate)
    if not np.isfinite(loudness):
        loudness = power_to_lufs(float(np.mean(k_weighted_power(stereo, sample_rate)))) if stereo.size else -np.inf
    if not np.isfinite(loudness):
        return stereo
    return (stereo * db_to_gain(target_lufs - loudness)).astype(np.float32)
