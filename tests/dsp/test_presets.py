from __future__ import annotations

import numpy as np
import pytest

from tests.dsp.signals import SR, noise, tone
from tunesmith.dsp.effects import DeEsser, de_ess, delay_return
from tunesmith.dsp.mix import sum_stems
from tunesmith.dsp.presets import FAMILY_PRESETS, MIX_STYLES, presets_for
from tunesmith.dsp.progressive import ProgressiveMix
from tunesmith.music.score import StemFamily
from tunesmith.music.styles import GENRES


def test_every_genre_names_a_mix_style_with_a_full_vocal_chain() -> None:
    for genre in GENRES:
        style = MIX_STYLES[genre.mix]
        vocal = style.preset("vocals")
        assert vocal.deesser is not None and vocal.compressor is not None and vocal.eq
        assert vocal.reverb_send_db is not None and vocal.level_over_rest_db is not None
        assert vocal.room == style.room


def test_styles_change_the_families_they_name_and_keep_the_rest() -> None:
    rock = presets_for([StemFamily.GUITAR, StemFamily.WOODWINDS], "rock")
    assert rock[StemFamily.GUITAR].pan != FAMILY_PRESETS["guitar"].pan
    assert rock[StemFamily.WOODWINDS].gain_db == FAMILY_PRESETS["woodwinds"].gain_db
    assert presets_for(["vocals"], None)["vocals"] == FAMILY_PRESETS["vocals"]
    assert presets_for(["vocals"], "no-such-style")["vocals"] == FAMILY_PRESETS["vocals"]


def test_rooms_differ_between_genres() -> None:
    assert MIX_STYLES["ambient"].room.room_size > MIX_STYLES["hiphop"].room.room_size


@pytest.mark.parametrize("mix", sorted(MIX_STYLES))
def test_stems_still_sum_to_the_mix_in_every_style(mix: str) -> None:
    stems = {
        StemFamily.DRUMS: noise(2, 0.2, seed=1),
        StemFamily.BASS: tone(2, 55.0, 0.5),
        StemFamily.VOCALS: tone(2, 330.0, 0.3, channels=1),
    }
    mixed = ProgressiveMix(stems, [], presets_for(stems, mix), SR, 2 * SR)
    list(mixed.run([]))
    processed, premaster = mixed.result().processed, mixed.result().premaster
    residual = premaster - sum_stems(processed.values(), premaster.shape[1])
    assert float(np.abs(residual).max()) < 1e-5


def test_de_esser_only_touches_the_high_band() -> None:
    low = tone(1, 200.0, 0.5)
    assert np.allclose(de_ess(low, SR, DeEsser(6000.0, -30.0, 4.0)), low, atol=2e-2)
    hiss = noise(1, 0.5, seed=3)
    tamed = de_ess(hiss, SR, DeEsser(6000.0, -40.0, 8.0))
    assert float(np.sqrt(np.mean(tamed**2))) < float(np.sqrt(np.mean(hiss**2)))


def test_delay_return_is_a_delayed_copy() -> None:
    from tunesmith.dsp.effects import DelaySend

    click = np.zeros((2, SR), dtype=np.float32)
    click[:, 0] = 1.0
    echo = delay_return(click, SR, DelaySend(0.25, 0.0, 0.0))
    assert int(np.argmax(np.abs(echo[0]))) == pytest.approx(SR // 4, abs=2)


def _room_under_dry_lu(mix: str) -> float:
    """How far (LU) the lead vocal's reverb return of style ``mix`` sits under a dry, syllabic voice."""
    from tunesmith.dsp.effects import _reverb_chain, process
    from tunesmith.dsp.loudness import integrated_lufs

    voice = tone(3.0, 330.0, 0.3)
    voice = voice * ((np.arange(voice.shape[1]) / SR * 4) % 1 < 0.6).astype(np.float32)  # 4 syllables a second
    style = MIX_STYLES[mix]
    send = style.preset("vocals").reverb_send_db
    assert send is not None
    wet = process(_reverb_chain(style.room, send), voice, SR)
    return integrated_lufs(voice, SR) - integrated_lufs(wet, SR)


def test_the_lead_vocal_stays_drier_than_its_room() -> None:
    # the reverb returns well above its send, so the sends are set by the return they give
    assert _room_under_dry_lu("pop") > 12.0  # the standard chain: the words stay in front
    for mix in MIX_STYLES:
        if mix != "ambient":  # ambient is a wash by design
            assert _room_under_dry_lu(mix) > 6.0, mix
