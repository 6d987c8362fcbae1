"""The progressive mixer: a song mixed and mastered piece by piece while its phrases arrive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from tests.dsp.signals import SR, noise, tone
from tunesmith.dsp.effects import ChannelStrip, SendDuck, run_channel
from tunesmith.dsp.loudness import integrated_lufs, k_weighted_power, power_to_lufs, true_peak_dbtp
from tunesmith.dsp.mix import sum_stems
from tunesmith.dsp.presets import FAMILY_PRESETS, SHARED_ROOM, presets_for
from tunesmith.dsp.progressive import Phrase, PhraseSpan, ProgressiveMix

SECONDS = 24
LEAD = [(1.0, 4.5), (5.0, 8.8), (9.5, 13.0), (15.0, 22.0)]
BACKING = [(5.5, 7.0), (16.0, 18.0)]


def _bed() -> dict[str, np.ndarray]:
    beat = (noise(SECONDS, 0.4, seed=2) * ((np.arange(SECONDS * SR) % (SR // 2)) < SR // 20)).astype(np.float32)
    swell = (1.0 + np.arange(SECONDS * SR) / (SECONDS * SR)).astype(np.float32)  # the band gets louder
    return {"drums": beat * swell, "bass": tone(SECONDS, 55.0, 0.3) * swell}


def _phrases() -> list[Phrase[str]]:
    out = []
    for family, spans, pitch in (("vocals", LEAD, 220.0), ("backing_vocals", BACKING, 330.0)):
        for k, (a, b) in enumerate(spans):
            span = PhraseSpan(family, int(a * SR), int(b * SR))
            wobble = 1.0 + 0.5 * np.sin(2 * np.pi * 3 * np.arange(span.stop - span.start) / SR)
            audio = tone((span.stop - span.start) / SR, pitch, 0.05 * (k + 1), channels=1) * wobble
            out.append(Phrase(span, audio.astype(np.float32)))
    return sorted(out, key=lambda p: p.span.start)


def _mix(*, pocket: bool = True) -> ProgressiveMix[str]:
    families = ["drums", "bass", "vocals", "backing_vocals"]
    presets = presets_for(families, "pop")
    if not pocket:
        presets["vocals"] = replace(presets["vocals"], pocket=None)
    return ProgressiveMix(_bed(), [p.span for p in _phrases()], presets, SR, SECONDS * SR)


def _ungated(audio: np.ndarray, a: int, b: int) -> float:
    return power_to_lufs(float(np.mean(k_weighted_power(audio[:, a:b], SR))))


def test_streamed_pieces_are_the_song_and_stems_sum_to_it() -> None:
    mix = _mix()
    streamed = np.concatenate(list(mix.run(iter(_phrases()))), axis=1)
    result = mix.result()
    assert np.array_equal(streamed, result.mastered)
    assert streamed.shape == (2, SECONDS * SR)
    assert np.abs(sum_stems(result.processed.values(), SECONDS * SR) - result.premaster).max() < 1e-5
    assert np.abs(sum_stems(result.mastered_stems.values(), SECONDS * SR) - result.mastered).max() < 1e-5


def test_loudness_lands_near_the_target_under_the_ceiling() -> None:
    mix = _mix()
    list(mix.run(iter(_phrases())))
    mastered = mix.result().mastered
    assert integrated_lufs(mastered, SR) == pytest.approx(-14.0, abs=0.3)
    assert true_peak_dbtp(mastered, SR) <= -1.0


def test_every_phrase_rides_at_its_level_over_the_bed_as_arranged() -> None:
    mix, arranged = _mix(), _mix(pocket=False).rest  # the band before the lead's pocket is carved
    list(mix.run(iter(_phrases())))
    result = mix.result()
    for phrase in _phrases():
        span, over = phrase.span, mix.presets[phrase.span.family].level_over_rest_db
        assert over is not None
        sung = _ungated(result.processed[span.family], span.start, span.stop)
        assert sung == pytest.approx(_ungated(arranged, span.start, span.stop) + over, abs=0.05)


def test_the_band_makes_room_for_the_lead_only_while_it_sings() -> None:
    carved, arranged = _mix().rest, _mix(pocket=False).rest
    gap = slice(int(13.5 * SR), int(14.5 * SR))  # no lead from 13 s to 15 s (ramps of 0.06/0.25 s)
    assert np.array_equal(carved[:, gap], arranged[:, gap])
    for a, b in LEAD:
        span = slice(int(a * SR), int(b * SR))
        assert _presence_db(carved[:, span]) - _presence_db(arranged[:, span]) < -5.0  # the pocket: 12 dB at its centre


def test_the_leads_room_and_echoes_dip_while_it_sings_and_bloom_between_phrases() -> None:
    mix = _mix()
    duck = mix.presets["vocals"].send_duck
    assert duck is not None and duck.depth_db > 0
    gain = mix.voices["vocals"].send_gain
    assert gain is not None
    for a, b in LEAD:
        inside = gain[int((a + 0.1) * SR) : int((b - 0.1) * SR)]
        assert np.allclose(inside, 10 ** (-duck.depth_db / 20), atol=1e-6)
    assert np.all(gain[int(13.5 * SR) : int(14.9 * SR)] == 1.0)  # the gap: the room at its full send
    backing = mix.voices["backing_vocals"].send_gain  # keyed by the backing part's own phrases
    assert backing is not None
    assert backing[int(6.0 * SR)] < 1.0 and backing[int(3.0 * SR)] == 1.0


def test_a_ducked_send_scales_only_the_returns() -> None:
    audio = noise(2, 0.2, seed=7)
    preset = replace(FAMILY_PRESETS["vocals"], delay=None)
    dry = run_channel(audio, replace(preset, reverb_send_db=None), SR, SHARED_ROOM)
    full = run_channel(audio, preset, SR, SHARED_ROOM)
    half = np.full(audio.shape[1], 0.5, dtype=np.float32)
    ducked = ChannelStrip(preset, SHARED_ROOM).process(audio, SR, half)
    assert np.abs(ducked - (dry + 0.5 * (full - dry))).max() < 1e-5
    closed = ChannelStrip(preset, SHARED_ROOM).process(audio, SR, np.zeros(audio.shape[1], dtype=np.float32))
    assert np.abs(closed - dry).max() < 1e-6


def test_a_send_duck_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="send duck"):
        SendDuck(depth_db=-3.0)


def _presence_db(audio: np.ndarray) -> float:
    """Level (dB) of ``audio`` between 2 and 3.2 kHz."""
    band = sosfilt(butter(4, (2000.0, 3200.0), "bandpass", fs=SR, output="sos"), audio, axis=-1)
    return float(10 * np.log10(np.mean(band.astype(np.float64) ** 2)))


def test_audio_comes_out_before_the_last_phrase_is_sung() -> None:
    consumed: list[int] = []

    def arriving() -> Iterator[Phrase[str]]:
        for phrase in _phrases():
            consumed.append(phrase.span.start)
            yield phrase

    mix = _mix()
    first = next(iter(mix.run(arriving())))
    assert first.shape[1] > 0
    assert len(consumed) < len(_phrases()) // 2


def test_a_phrase_out_of_order_is_refused() -> None:
    mix = _mix()
    phrases = _phrases()
    with pytest.raises(ValueError, match="not announced next"):
        list(mix.run([phrases[1], phrases[0], *phrases[2:]]))


def test_a_song_without_phrases_is_the_mastered_bed() -> None:
    mix = ProgressiveMix(_bed(), [], presets_for(["drums", "bass"]), SR, SECONDS * SR)
    streamed = np.concatenate(list(mix.run([])), axis=1)
    assert integrated_lufs(streamed, SR) == pytest.approx(-14.0, abs=0.3)
    assert np.abs(streamed[:, -10:]).max() < 1e-3  # the song ends in silence


def test_channel_strip_fed_in_pieces_matches_one_pass() -> None:
    audio = noise(3, 0.2, seed=5)
    preset = FAMILY_PRESETS["vocals"]
    strip = ChannelStrip(preset, SHARED_ROOM)
    pieces = np.concatenate([strip.process(audio[:, a : a + 10_000], SR) for a in range(0, audio.shape[1], 10_000)], 1)
    assert np.abs(pieces - run_channel(audio, preset, SR, SHARED_ROOM)).max() < 1e-4
