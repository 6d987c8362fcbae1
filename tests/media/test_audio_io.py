from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from tunesmith.media.audio_io import read_audio, write_flac, write_wav


def test_flac_is_24_bit_and_round_trips(tmp_path: Path) -> None:
    audio = (np.random.default_rng(0).uniform(-0.9, 0.9, (2, 4410))).astype(np.float32)
    path = write_flac(tmp_path / "stems" / "drums.flac", audio, 44100)
    assert soundfile.info(str(path)).subtype == "PCM_24"
    back, rate = read_audio(path)
    assert rate == 44100 and back.shape == audio.shape
    assert np.abs(back - audio).max() < 2**-22


def test_wav_clips_out_of_range_values(tmp_path: Path) -> None:
    audio = np.array([[2.0, -2.0, 0.5]], dtype=np.float32)
    back, _ = read_audio(write_wav(tmp_path / "x.wav", audio, 8000, subtype="FLOAT"))
    assert back.tolist() == [[1.0, -1.0, 0.5]]
