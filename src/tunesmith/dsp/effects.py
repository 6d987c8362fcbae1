"""Declarative channel-strip settings and the pedalboard chains built from them.

A :class:`MixPreset` describes one mixer channel (EQ, compression, fader, pan, reverb send); the
functions here turn it into processing over float32 ``(channels, samples)`` audio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pedalboard

from tunesmith.dsp.pocket import Pocket
from tunesmith.dsp.types import Audio

EqKind = Literal["low_shelf", "high_shelf", "peak"]


@dataclass(frozen=True, slots=True)
class EqBand:
    """One EQ band: ``freq_hz`` centre/corner in Hz, ``gain_db`` boost (+) or cut (−), ``q`` bandwidth."""

    kind: EqKind
    freq_hz: float
    gain_db: float
    q: float = 0.707


@dataclass(frozen=True, slots=True)
class CompressorSettings:
    """Feed-forward compressor: threshold in dBFS, ratio ≥ 1, attack/release in ms, makeup gain in dB."""

    threshold_db: float
    ratio: float
    attack_ms: float = 10.0
    release_ms: float = 120.0
    makeup_db: float = 0.0


@dataclass(frozen=True, slots=True)
class DeEsser:
    """Split-band de-esser: the band above ``freq_hz`` (Hz) is compressed (threshold dBFS, ratio ≥ 1,
    fast attack/release) and added back to the rest, so with no sibilance the signal is unchanged."""

    freq_hz: float = 6000.0
    threshold_db: float = -30.0
    ratio: float = 4.0


@dataclass(frozen=True, slots=True)
class DelaySend:
    """A delay return: echoes every ``delay_s`` seconds, each ``feedback`` (0–0.9) of the previous,
    added at ``send_db`` below the channel (wet only, so it is linear and keeps stems summing)."""

    delay_s: float
    feedback: float = 0.3
    send_db: float = -18.0


@dataclass(frozen=True, slots=True)
class ReverbSpace:
    """The shared room every channel sends to: Freeverb ``room_size``/``damping``/``width`` in 0–1."""

    room_size: float = 0.55
    damping: float = 0.5
    width: float = 1.0


@dataclass(frozen=True, slots=True)
class SendDuck:
    """The channel's delay and reverb returns turned down by ``depth_db`` while its own phrases sound:
    the words stay dry and the room and echoes bloom in the gaps between them (a ducked send, as mix
    engineers key a vocal's effects from the vocal). ``attack_s`` before a phrase the returns start to
    dip, ``release_s`` after it they are back (the gain ramps of :func:`~tunesmith.dsp.pocket.span_gain`)."""

    depth_db: float = 9.0
    attack_s: float = 0.05
    release_s: float = 0.3

    def __post_init__(self) -> None:
        if self.depth_db < 0 or self.attack_s < 0 or self.release_s < 0:
            raise ValueError(f"a send duck needs depth ≥ 0 dB and ramps ≥ 0 s: {self}")


@dataclass(frozen=True, slots=True)
class MixPreset:
    """One mixer channel.

    ``gain_db`` fader; ``pan`` −1 (left) … +1 (right); ``highpass_hz`` removes rumble below it (``None``
    = off); ``reverb_send_db`` level of the wet room signal added after the fader (``None`` = dry);
    ``level_over_rest_db`` when set, a sung channel is ridden phrase by phrase so that each phrase sits
    that many dB above the band (the stems that are not sung) over the phrase's own span (see
    :mod:`tunesmith.dsp.progressive`); ``deesser`` tames sibilance
    before the compressor; ``delay`` adds an echo return; ``room`` replaces the shared room for this
    channel's reverb send (a genre's own space); ``pocket`` on a sung channel carves the band's presence
    range while that channel's phrases sound (:mod:`tunesmith.dsp.pocket`); ``send_duck`` on a sung channel
    turns its delay and reverb returns down while its phrases sound (:class:`SendDuck`).
    """

    gain_db: float = 0.0
    pan: float = 0.0
    highpass_hz: float | None = None
    eq: tuple[EqBand, ...] = ()
    compressor: CompressorSettings | None = None
    reverb_send_db: float | None = None
    level_over_rest_db: float | None = None
    deesser: DeEsser | None = None
    delay: DelaySend | None = None
    room: ReverbSpace | None = None
    pocket: Pocket | None = None
    send_duck: SendDuck | None = None


def _eq_plugin(band: EqBand) -> pedalboard.Plugin:
    kinds: dict[EqKind, Callable[..., pedalboard.Plugin]] = {
        "low_shelf": pedalboard.LowShelfFilter,
        "high_shelf": pedalboard.HighShelfFilter,
        "peak": pedalboard.PeakFilter,
    }
    return kinds[band.kind](cutoff_frequency_hz=band.freq_hz, gain_db=band.gain_db, q=band.q)


def tone_chain(preset: MixPreset) -> pedalboard.Plugin:
    """The channel's filters and EQ (the inserts before dynamics) as one pedalboard effect."""
    plugins: list[pedalboard.Plugin] = []
    if preset.highpass_hz is not None:
        plugins.append(pedalboard.HighpassFilter(cutoff_frequency_hz=preset.highpass_hz))
    plugins.extend(_eq_plugin(band) for band in preset.eq)
    return pedalboard.Chain(plugins)


def dynamics_chain(preset: MixPreset) -> pedalboard.Plugin:
    """The channel's compressor and fader as one pedalboard effect."""
    plugins: list[pedalboard.Plugin] = []
    if preset.compressor is not None:
        c = preset.compressor
        plugins.append(
            pedalboard.Compressor(
                threshold_db=c.threshold_db, ratio=c.ratio, attack_ms=c.attack_ms, release_ms=c.release_ms
            )
        )
        gain = c.makeup_db + preset.gain_db
    else:
        gain = preset.gain_db
    plugins.append(pedalboard.Gain(gain_db=gain))
    return pedalboard.Chain(plugins)


def channel_chain(preset: MixPreset) -> pedalboard.Plugin:
    """The insert chain of a channel without de-essing (filters, EQ, compressor, fader)."""
    return pedalboard.Chain([tone_chain(preset), dynamics_chain(preset)])


def de_ess(audio: Audio, sample_rate: int, settings: DeEsser) -> Audio:
    """``audio`` (channels, n) with its band above ``settings.freq_hz`` compressed (see :class:`DeEsserStage`)."""
    return DeEsserStage(settings).process(audio, sample_rate)


class DeEsserStage:
    """A stateful split-band de-esser: the band above ``freq_hz`` is split off with a high-pass,
    compressed fast and added back to ``audio − band``."""

    def __init__(self, settings: DeEsser) -> None:
        self._split = pedalboard.HighpassFilter(cutoff_frequency_hz=settings.freq_hz)
        self._squash = pedalboard.Compressor(
            threshold_db=settings.threshold_db, ratio=settings.ratio, attack_ms=1.0, release_ms=60.0
        )

    def process(self, audio: Audio, sample_rate: int) -> Audio:
        band = process(self._split, audio, sample_rate)
        return (audio - band + process(self._squash, band, sample_rate)).astype(np.float32)


def delay_return(audio: Audio, sample_rate: int, send: DelaySend) -> Audio:
    """The wet-only echo of ``audio`` for ``send``, shape like the input."""
    return process(_delay_chain(send), audio, sample_rate)


def _delay_chain(send: DelaySend) -> pedalboard.Plugin:
    echo = pedalboard.Delay(delay_seconds=send.delay_s, feedback=send.feedback, mix=1.0)
    return pedalboard.Chain([echo, pedalboard.Gain(gain_db=send.send_db)])


def balance_pan(audio: Audio, pan: float) -> Audio:
    """Stereo balance for ``(2, n)`` audio: ``pan`` −1 … +1 attenuates the opposite side with a cosine law,
    so the centre (0) is unity on both sides."""
    if not -1.0 <= pan <= 1.0:
        raise ValueError(f"pan must lie in [-1, 1], got {pan}")
    if pan == 0.0:
        return audio
    left = float(np.cos(max(pan, 0.0) * np.pi / 2))
    right = float(np.cos(max(-pan, 0.0) * np.pi / 2))
    return np.multiply(audio, np.array([[left], [right]], dtype=np.float32), dtype=np.float32)


def reverb_return(audio: Audio, sample_rate: int, space: ReverbSpace, send_db: float) -> Audio:
    """The wet-only signal the shared room returns for ``audio`` sent at ``send_db``, shape like input.

    Freeverb is linear and time-invariant, so running it per channel and summing equals one shared
    reverb fed by the summed sends — which keeps processed stems summing exactly to the mix.
    """
    return process(_reverb_chain(space, send_db), audio, sample_rate)


def _reverb_chain(space: ReverbSpace, send_db: float) -> pedalboard.Plugin:
    room = pedalboard.Reverb(
        room_size=space.room_size, damping=space.damping, width=space.width, wet_level=1.0, dry_level=0.0
    )
    return pedalboard.Chain([room, pedalboard.Gain(gain_db=send_db)])


def process(plugin: pedalboard.Plugin, audio: Audio, sample_rate: int) -> Audio:
    """Run a pedalboard effect over the next piece of a signal, float32 out; its state (filters,
    envelopes, reverb tails) carries on to the next call, and a fresh effect starts from silence."""
    out = plugin.process(np.ascontiguousarray(audio, dtype=np.float32), float(sample_rate), reset=False)
    return np.asarray(out, dtype=np.float32)


class ChannelStrip:
    """One mixer channel as a stateful processor: filters/EQ → de-esser → compressor/fader → pan, plus the
    delay and reverb returns (the reverb in ``preset.room`` when set, else ``space``).

    Feed a signal's consecutive pieces to :meth:`process` in order: the filters, compressors and reverb
    tails carry on across the calls, so the pieces come out as one continuous processed signal.
    ``(2, n)`` in, ``(2, n)`` out.
    """

    def __init__(self, preset: MixPreset, space: ReverbSpace) -> None:
        self._tone = tone_chain(preset)
        self._deesser = DeEsserStage(preset.deesser) if preset.deesser is not None else None
        self._dynamics = dynamics_chain(preset)
        self._pan = preset.pan
        self._delay = _delay_chain(preset.delay) if preset.delay is not None else None
        send = preset.reverb_send_db
        self._reverb = _reverb_chain(preset.room or space, send) if send is not None else None

    def process(self, audio: Audio, sample_rate: int, send_gain: npt.NDArray[np.float32] | None = None) -> Audio:
        """The next ``audio.shape[1]`` samples of the channel's output; ``send_gain`` (one per sample) scales
        the delay and reverb returns (a ducked send), None leaves them as they are."""
        toned = process(self._tone, audio, sample_rate)
        if self._deesser is not None:
            toned = self._deesser.process(toned, sample_rate)
        dry = balance_pan(process(self._dynamics, toned, sample_rate), self._pan)
        returns = [process(fx, dry, sample_rate) for fx in (self._delay, self._reverb) if fx is not None]
        if send_gain is None or not returns:
            return sum(returns, dry).astype(np.float32)
        return (dry + sum(returns[1:], returns[0]) * send_gain[None, :]).astype(np.float32)


def run_channel(audio: Audio, preset: MixPreset, sample_rate: int, space: ReverbSpace) -> Audio:
    """A whole signal through a fresh :class:`ChannelStrip`. ``(2, n)`` in, ``(2, n)`` out."""
    return ChannelStrip(preset, space).process(audio, sample_rate)
