"""Sniffing by magic numbers and decoding every common format with the bundled ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tunesmith.media.decode import AudioDecodeError, AudioTooLongError, decode_audio, ffmpeg_exe, probe
from tunesmith.media.sniff import is_audio, sniff, sniff_file

SR = 44100
SECONDS = 1.5
# name: (ffmpeg output options, sniffed type, channels written)
FORMATS = {
    "tone.mp3": (["-c:a", "libmp3lame", "-b:a", "128k"], "audio/mpeg", 2),
    "tone.flac": (["-c:a", "flac"], "audio/flac", 2),
    "tone.ogg": (["-c:a", "libvorbis"], "audio/ogg", 2),
    "tone.opus": (["-c:a", "libopus", "-b:a", "64k"], "audio/opus", 2),
    "tone.m4a": (["-c:a", "aac", "-b:a", "128k"], "audio/mp4", 2),
    "tone.aac": (["-c:a", "aac", "-f", "adts"], "audio/aac", 2),
    "mono.mp3": (["-ac", "1", "-c:a", "libmp3lame"], "audio/mpeg", 1),
    "tagged.mp3": (["-c:a", "libmp3lame", "-metadata", "title=Tagged", "-id3v2_version", "3"], "audio/mpeg", 2),
}


def tone(seconds: float = SECONDS, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    wave = 0.4 * np.sin(2 * np.pi * 440.0 * t).astype(np.float32)
    return np.stack([wave] * channels, axis=1)


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A WAV written with soundfile and every other format encoded from it by the bundled ffmpeg."""
    folder = tmp_path_factory.mktemp("audio")
    wav = folder / "tone.wav"
    sf.write(wav, tone(), SR, subtype="PCM_16")
    for name, (options, _, _) in FORMATS.items():
        subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", str(wav), *options,
                        str(folder / name)], check=True, timeout=60)
    return folder


@pytest.mark.parametrize("name", ["tone.wav", *FORMATS])
def test_every_format_is_sniffed_and_decoded(audio_dir: Path, name: str) -> None:
    path = audio_dir / name
    expected_type, channels = FORMATS[name][1:] if name in FORMATS else ("audio/wav", 2)
    assert sniff_file(path) == expected_type and is_audio(expected_type)
    audio, rate = decode_audio(path, max_seconds=10)
    assert rate == SR and audio.dtype == np.float32 and audio.shape[0] == channels
    assert abs(audio.shape[1] / SR - SECONDS) < 0.1  # codec padding is a few ms
    assert 0.3 < float(np.abs(audio).max()) < 0.5
    info = probe(path)
    assert info.mime_type == expected_type and info.duration_s is not None and abs(info.duration_s - SECONDS) < 0.1


def test_mono_stays_mono_and_channels_can_be_forced(audio_dir: Path) -> None:
    assert decode_audio(audio_dir / "mono.mp3", max_seconds=10)[0].shape[0] == 1
    mixed, rate = decode_audio(audio_dir / "tone.ogg", max_seconds=10, sample_rate=8000, channels=1)
    assert mixed.shape[0] == 1 and rate == 8000 and abs(mixed.shape[1] - SECONDS * 8000) < 800


def test_over_long_audio_is_refused_from_the_header(audio_dir: Path) -> None:
    with pytest.raises(AudioTooLongError) as caught:
        decode_audio(audio_dir / "tone.flac", max_seconds=0.5)
    assert caught.value.limit_s == 0.5 and caught.value.duration_s == pytest.approx(SECONDS, abs=0.1)
    assert "the limit is 0.5 s" in caught.value.message and caught.value.code == 400


def test_over_long_audio_is_refused_when_the_header_does_not_tell(tmp_path: Path) -> None:
    """A raw ADTS stream carries no duration; the decode itself stops a little past the limit."""
    wav = tmp_path / "long.wav"
    sf.write(wav, tone(6.0, 1), SR)
    adts = tmp_path / "long.aac"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", str(wav), "-c:a", "aac", "-f",
                    "adts", str(adts)], check=True, timeout=60)
    with pytest.raises(AudioTooLongError):
        decode_audio(adts, max_seconds=2.0)


def test_non_audio_is_refused_naming_the_detected_type(tmp_path: Path) -> None:
    png = tmp_path / "song.mp3"  # the name lies; the bytes decide
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(AudioDecodeError, match="not an audio file: detected image/png"):
        decode_audio(png, max_seconds=10)
    text = tmp_path / "notes.wav"
    text.write_text("just some words, not audio at all")
    with pytest.raises(AudioDecodeError, match="unknown file type"):
        probe(text)


def test_broken_audio_is_an_error_not_a_crash(tmp_path: Path, audio_dir: Path) -> None:
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC" + bytes(range(256)) * 8)
    with pytest.raises(AudioDecodeError):
        decode_audio(broken, max_seconds=10)
    truncated = tmp_path / "truncated.m4a"
    truncated.write_bytes((audio_dir / "tone.m4a").read_bytes()[:200])
    with pytest.raises(AudioDecodeError):
        decode_audio(truncated, max_seconds=10)


def test_the_hard_timeout_stops_ffmpeg(audio_dir: Path) -> None:
    with pytest.raises(AudioDecodeError, match="longer than"):
        decode_audio(audio_dir / "tone.flac", max_seconds=10, timeout_s=0.001)


@pytest.mark.parametrize(("head", "expected"), [
    (b"\x89PNG\r\n\x1a\n\0\0", "image/png"),
    (b"\xff\xd8\xff\xe0\0\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\0", "image/gif"),
    (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
    (b"RIFF\0\0\0\0WAVEfmt ", "audio/wav"),
    (b"FORM\0\0\0\0AIFFCOMM", "audio/aiff"),
    (b"\x00\x00\x00\x18ftypisom\0\0\0\0isomiso2", "video/mp4"),
    (b"\x00\x00\x00\x18ftypmp42\0\0\0\0M4A mp42", "audio/mp4"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", None),
    (b"OggS\0\x02" + b"\0" * 20 + b"\x01\x1e" + b"\x80theora", None),
    (b"\xff\xfb\x90\x64", "audio/mpeg"),
    (b"\xff\xf1\x50\x80\x02\x1f\xfc", "audio/aac"),
    (b"\xff\xff\xff\xff", None),
    (b"<html><body>", None),
    (b"", None),
])
def test_sniff_by_magic_numbers(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


@pytest.mark.parametrize("seconds", [5.0, 480.0])
@pytest.mark.parametrize("suffix,options", [
    (".mp3", ["-c:a", "libmp3lame", "-b:a", "96k"]), (".wav", []), (".flac", ["-c:a", "flac"]),
    (".ogg", ["-c:a", "libvorbis", "-q:a", "2"]), (".m4a", ["-c:a", "aac", "-b:a", "96k"]),
])
def test_uploads_of_5_seconds_to_8_minutes_decode(tmp_path: Path, seconds: float, suffix: str,
                                                   options: list[str]) -> None:
    """The documented input range (Era B allows 8 minutes) decodes in full in every common format."""
    path = tmp_path / f"song{suffix}"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=330:sample_rate=44100:duration={seconds}", "-ac", "2", *options, str(path)],
                   check=True, timeout=120)
    audio, rate = decode_audio(path, max_seconds=480.0)
    assert rate == SR and audio.shape[0] == 2
    assert abs(audio.shape[1] / SR - seconds) < 0.1
    assert float(np.abs(audio[:, SR:2 * SR]).max()) > 0.05  # real signal, not padding
