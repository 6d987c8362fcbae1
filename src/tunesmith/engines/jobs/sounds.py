"""Sounds (§3.10): render the requested sound twice (two seeds), each as an MP3 with a cover image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunesmith.engines.builtin.renderer import default_soundfont
from tunesmith.engines.builtin.sounds import SoundRequest, SoundResult, render_sound
from tunesmith.engines.jobs import JobOutput
from tunesmith.media.cover import make_cover
from tunesmith.media.mp3 import MP3_SAMPLE_RATE, encode_mp3

COVER_PX = 512


def make_sounds(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload``: ``prompt``, ``loop``, ``tempo`` (or None), ``key``, ``title``, ``soundfont`` (or None)
    and ``tracks``: ``[{id, seed}]``; one MP3 (``audio_<i>``) and cover (``image_<i>``) per track."""
    soundfont = Path(payload["soundfont"]) if payload.get("soundfont") else default_soundfont()
    files: dict[str, Path] = {}
    tracks = []
    for i, track in enumerate(payload["tracks"]):
        request = SoundRequest(payload["prompt"], loop=payload["loop"], tempo_bpm=payload.get("tempo"),
                               key=payload["key"], seed=int(track["seed"]))
        result = render_sound(request, soundfont=soundfont, sample_rate=MP3_SAMPLE_RATE)
        tags = describe(result)
        audio = workdir / f"{track['id']}.mp3"
        audio.write_bytes(encode_mp3(result.audio, result.sample_rate))
        image = make_cover(payload["title"], tags, int(track["seed"]), workdir / f"{track['id']}.jpg", size=COVER_PX)
        files[f"audio_{i}"], files[f"image_{i}"] = audio, image
        tracks.append({"id": track["id"], "title": payload["title"], "tags": tags,
                       "duration": round(result.duration_s, 2), "audio": f"audio_{i}", "image": f"image_{i}"})
    return JobOutput(files=files, data={"tracks": tracks})


def describe(result: SoundResult) -> str:
    """Tags for a sound: ``loop, drums, 110 bpm`` / ``sound effect, rain`` / ``…, A minor``."""
    tags = ["loop" if result.loop else "sound effect", result.recipe]
    if result.tempo_bpm is not None:
        tags.append(f"{result.tempo_bpm:g} bpm")
    if result.key is not None:
        tags.append(result.key.name())
    return ", ".join(tags)
