from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tunesmith.engines.builtin.renderer import default_soundfont, load_soundfont, render_stems
from tunesmith.music.score import Key, Note, Part, Score, Section, StemFamily

T = 480  # ticks per beat
SR = 22050  # half rate keeps these tests quick; the renderer is rate-agnostic


def _score(*parts: Part, beats: int = 8) -> Score:
    return Score(120.0, (4, 4), Key(0, "major"), (Section("verse", "Verse", 0, beats * T),), (), parts)


def _drums(beats: int = 8) -> Part:
    kicks = tuple(Note(b * T, T // 4, 36 if b % 2 == 0 else 38, 110) for b in range(beats))
    return Part("kit", StemFamily.DRUMS, 0, kicks, is_drum=True)


def _bass(beats: int = 8) -> Part:
    return Part("bass", StemFamily.BASS, 33, tuple(Note(b * T, T - 40, 40 + b % 3, 100) for b in range(beats)))


def _keys(program: int, pan: float = 0.0) -> Part:
    chord = tuple(Note(0, 8 * T, p, 80) for p in (60, 64, 67))
    return Part(f"keys{program}", StemFamily.KEYBOARD, program, chord, pan=pan)


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))


def test_every_family_sounds_and_stems_share_one_length() -> None:
    score = _score(_drums(), _bass(), _keys(0), _keys(48))
    stems = render_stems(score, sample_rate=SR, soundfont=default_soundfont(), tail_s=1.0)
    assert set(stems) == {StemFamily.DRUMS, StemFamily.BASS, StemFamily.KEYBOARD}
    expected = int(np.ceil((score.duration_s + 1.0) * SR))
    for audio in stems.values():
        assert audio.dtype == np.float32 and audio.shape == (2, expected)
        assert _rms(audio) > 1e-3


def test_family_stem_is_the_sum_of_its_parts() -> None:
    sf = default_soundfont()
    both = render_stems(_score(_keys(0), _keys(48)), sample_rate=SR, soundfont=sf)[StemFamily.KEYBOARD]
    piano = render_stems(_score(_keys(0)), sample_rate=SR, soundfont=sf)[StemFamily.KEYBOARD]
    strings = render_stems(_score(_keys(48)), sample_rate=SR, soundfont=sf)[StemFamily.KEYBOARD]
    assert np.allclose(both, piano + strings, atol=1e-6)


def test_drums_stay_on_the_drum_stem_and_use_the_percussion_bank() -> None:
    sf = default_soundfont()
    together = render_stems(_score(_drums(), _bass()), sample_rate=SR, soundfont=sf)
    bass_alone = render_stems(_score(_bass()), sample_rate=SR, soundfont=sf)[StemFamily.BASS]
    assert np.array_equal(together[StemFamily.BASS], bass_alone)
    as_piano = Part("kit", StemFamily.DRUMS, 0, _drums().notes, is_drum=False)
    melodic = render_stems(_score(as_piano), sample_rate=SR, soundfont=sf)[StemFamily.DRUMS]
    assert not np.allclose(together[StemFamily.DRUMS], melodic, atol=1e-3)


def test_release_tail_rings_after_the_last_note() -> None:
    stems = render_stems(_score(_keys(48)), sample_rate=SR, soundfont=default_soundfont(), tail_s=2.0)
    audio = stems[StemFamily.KEYBOARD]
    end = int(_score().duration_s * SR)
    assert _rms(audio[:, end : end + SR // 10]) > 1e-4


def test_part_pan_moves_the_part() -> None:
    left = render_stems(_score(_keys(0, pan=-1.0)), sample_rate=SR, soundfont=default_soundfont())
    audio = left[StemFamily.KEYBOARD]
    assert _rms(audio[0]) > 10 * _rms(audio[1])


def test_empty_parts_produce_no_stem_and_soundfont_is_cached() -> None:
    empty = Part("none", StemFamily.BRASS, 56, ())
    assert render_stems(_score(empty, _bass()), sample_rate=SR, soundfont=default_soundfont()).keys() == {
        StemFamily.BASS
    }
    assert load_soundfont(default_soundfont()) is load_soundfont(default_soundfont())


def test_missing_soundfont_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="SoundFont"):
        render_stems(_score(_bass()), sample_rate=SR, soundfont=tmp_path / "none.sf2")
