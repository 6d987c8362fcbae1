"""Decode any common audio file (MP3, WAV, FLAC, Ogg Vorbis, Opus, M4A/AAC, AIFF) with the bundled ffmpeg.

The file is sniffed first (:mod:`tunesmith.media.sniff`); only audio types reach ffmpeg, with the demuxer
forced to the sniffed format and the protocols limited to local files, so a crafted file cannot make
ffmpeg open a playlist, another file or a URL. :func:`probe` reads the header only (milliseconds), so
over-long input is refused before a full decode; :func:`decode_audio` pipes raw float32 out of ffmpeg
with a hard timeout and refuses again if the decoded audio turns out longer than the limit.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tunesmith.dsp.types import Audio
from tunesmith.errors import BadRequest
from tunesmith.media.sniff import DEMUXERS, is_audio, sniff_file

PROBE_TIMEOUT_S = 20.0
"""Longest wait for ffmpeg to read a file's header, in seconds."""
DECODE_TIMEOUT_S = 180.0
"""Default hard limit for a full decode, in seconds (an 8-minute MP3 takes about 2 s on one core)."""
LENGTH_TOLERANCE_S = 0.5
"""Slack on ``max_seconds`` in seconds: encoder padding must not turn a 120.0 s song into "too long"."""

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_AUDIO_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: ([^,\s]+)[^,]*, (\d+) Hz, ([^,]+)")
_CHANNELS = re.compile(r"(\d+) channels")


class AudioDecodeError(BadRequest):
    """The file is not audio, or ffmpeg cannot decode it; the message says which and why."""


class AudioTooLongError(AudioDecodeError):
    """The audio is longer than the caller's limit (``duration_s`` > ``limit_s``, both in seconds)."""

    def __init__(self, duration_s: float, limit_s: float) -> None:
        super().__init__(f"the audio is {duration_s:.1f} s long; the limit is {limit_s:g} s")
        self.duration_s = duration_s
        self.limit_s = limit_s


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the header says: ``duration_s`` (``None`` when the container does not tell), the first audio
    stream's ``codec``, ``sample_rate`` in Hz and ``channels``, and the sniffed ``mime_type``."""

    mime_type: str
    codec: str
    sample_rate: int
    channels: int
    duration_s: float | None


def ffmpeg_exe() -> str:
    """Path of the static ffmpeg binary shipped by ``imageio-ffmpeg`` (imported lazily)."""
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def probe(path: Path) -> ProbeResult:
    """Read the header of the audio file at ``path``; raises :class:`AudioDecodeError` for anything else."""
    mime = _audio_type(path)
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *_input(path, mime)]
    stderr = _run(command, PROBE_TIMEOUT_S, expect_success=False)[1]
    stream = _AUDIO_STREAM.search(stderr)
    if stream is None:
        raise AudioDecodeError(f"the file has no audio stream ffmpeg can read ({_last_line(stderr)})")
    return ProbeResult(mime, stream.group(1), int(stream.group(2)), _channel_count(stream.group(3)),
                       _duration(stderr))


def decode_audio(path: Path, *, max_seconds: float, sample_rate: int = 44100, channels: int | None = None,
                 timeout_s: float = DECODE_TIMEOUT_S) -> tuple[Audio, int]:
    """Decode ``path`` → float32 ``(channels, samples)`` at ``sample_rate`` Hz, and that rate.

    ``channels``: 1 or 2 to mix to that count; ``None`` keeps mono as mono and makes anything wider
    stereo. Audio longer than ``max_seconds`` (seconds) raises :class:`AudioTooLongError`, from the header
    when it tells, else after decoding at most ``max_seconds`` plus a little.
    """
    info = probe(path)
    if info.duration_s is not None and info.duration_s > max_seconds + LENGTH_TOLERANCE_S:
        raise AudioTooLongError(info.duration_s, max_seconds)
    count = channels or min(info.channels, 2)
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *_input(path, info.mime_type),
        "-map", "0:a:0", "-vn", "-sn", "-dn", "-t", f"{max_seconds + 2 * LENGTH_TOLERANCE_S:.3f}",
        "-ac", str(count), "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1",
    ]
    raw = _run(command, timeout_s, expect_success=True)[0]
    samples = np.frombuffer(raw, dtype="<f4")
    frames = len(samples) // count
    if frames == 0:
        raise AudioDecodeError("ffmpeg decoded no audio samples from the file")
    if frames / sample_rate > max_seconds + LENGTH_TOLERANCE_S:
        raise AudioTooLongError(frames / sample_rate, max_seconds)
    audio = samples[: frames * count].reshape(frames, count).T
    return np.ascontiguousarray(audio, dtype=np.float32), sample_rate


def _audio_type(path: Path) -> str:
    try:
        mime = sniff_file(path)
    except OSError as exc:
        raise AudioDecodeError(f"the file cannot be read: {exc.strerror or exc}") from exc
    if not is_audio(mime):
        raise AudioDecodeError(f"not an audio file: detected {mime or 'an unknown file type'}")
    assert mime is not None
    return mime


def _input(path: Path, mime: str) -> list[str]:
    """ffmpeg input options: local files only, the sniffed demuxer, then the file."""
    return ["-protocol_whitelist", "file", "-f", DEMUXERS[mime], "-i", f"file:{path}"]


def _run(command: list[str], timeout_s: float, *, expect_success: bool) -> tuple[bytes, str]:
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AudioDecodeError(f"decoding took longer than {timeout_s:g} s and was stopped") from exc
    except OSError as exc:
        raise AudioDecodeError(f"ffmpeg could not be started: {exc}") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if expect_success and done.returncode != 0:
        raise AudioDecodeError(f"ffmpeg could not decode the file: {_last_line(stderr)}")
    return done.stdout, stderr


def _duration(stderr: str) -> float | None:
    found = _DURATION.search(stderr)
    if found is None:
        return None
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _channel_count(layout: str) -> int:
    layout = layout.strip()
    if layout.startswith("mono"):
        return 1
    counted = _CHANNELS.match(layout)
    return int(counted.group(1)) if counted else 2


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1][-300:] if lines else "no error message"
