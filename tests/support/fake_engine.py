"""A test double of the SongEngine contract: fast, deterministic, with real (tiny) files.

Used only by tests through ``create_app(engine=FakeEngine)``; no setting of the product selects it.
Options: ``render_s`` (seconds each render sleeps, in small steps), ``fail`` (raise in render),
``chunks`` (number of MP3 chunks streamed), ``seconds`` (track length).
"""

from __future__ import annotations

import time
from pathlib import Path

import lameenc
import numpy as np
import soundfile as sf
from PIL import Image

from tunesmith.engines.base import (
    ProgressSink,
    SongPlan,
    SongRequest,
    TrackPlan,
    TrackResult,
    WordTiming,
)
from tunesmith.music.score import (
    Key,
    LyricLine,
    LyricWord,
    Note,
    Part,
    Score,
    Section,
    StemFamily,
    SungSyllable,
    VocalLine,
)
from tunesmith.music.score_io import score_to_json

SR = 44100


class FakeEngine:
    name = "fake"

    def __init__(self, render_s: float = 0.0, fail: bool = False, chunks: int = 4, seconds: float = 2.0,
                 source_stem: bool = False, **_: object) -> None:
        self.render_s, self.fail, self.chunks, self.seconds = render_s, fail, chunks, seconds
        self.source_stem = source_stem  # store the band as the user's own audio ("source"), as audio-in tracks do

    def load(self) -> None:
        return None

    def plan(self, request: SongRequest) -> SongPlan:
        lyrics = request.lyrics or ("" if request.instrumental else f"[Verse]\n{request.idea}")
        tracks = tuple(
            TrackPlan(
                index=i,
                title=request.title or f"Fake {i}",
                lyrics=lyrics,
                tags=request.style or "fake",
                language="en",
                seed=i,
            )
            for i in range(2)
        )
        return SongPlan(request, tracks)

    def render(self, plan: SongPlan, index: int, workdir: Path, stream: ProgressSink) -> TrackResult:
        seconds = self.seconds
        t = np.arange(int(SR * seconds)) / SR
        tone = (0.2 * np.sin(2 * np.pi * (220 + 110 * index) * t)).astype(np.float32)
        pcm = (np.stack([tone, tone], axis=1) * 32767).astype(np.int16)
        enc = lameenc.Encoder()
        enc.set_bit_rate(128)
        enc.set_in_sample_rate(SR)
        enc.set_channels(2)
        data = b""
        for part in np.array_split(pcm, self.chunks):
            chunk = enc.encode(part.tobytes())
            data += chunk
            stream.write(chunk)
            self._sleep(self.render_s / self.chunks)
            if self.fail:
                raise RuntimeError("the fake engine was told to fail")
        tail = enc.flush()
        data += tail
        stream.write(tail)
        (workdir / "audio.mp3").write_bytes(data)
        Image.new("RGB", (64, 64), (index * 80, 40, 90)).save(workdir / "cover.png")
        sung = bool(plan.tracks[index].lyrics)
        (workdir / "score.json").write_text(score_to_json(fake_score(sung, plan.request.voice)))
        (workdir / "stems").mkdir(exist_ok=True)
        # The stems sum to the master exactly, as the real engine's mastered stems do.
        parts = {"vocals": 0.6 * tone, "drums": 0.4 * tone} if sung else {"drums": tone}
        if self.source_stem:
            parts["source"] = parts.pop("drums")
        stems = {}
        for family, audio in parts.items():
            stems[family] = workdir / "stems" / f"{family}.flac"
            sf.write(stems[family], np.stack([audio, audio], axis=1), SR, subtype="PCM_24")
        sf.write(workdir / "master.flac", np.stack([tone, tone], axis=1), SR, subtype="PCM_24")
        words = [WordTiming("fake", 0.5, 1.0, 0)] if sung else []
        return TrackResult(
            duration_s=seconds,
            audio_mp3=workdir / "audio.mp3",
            cover_image=workdir / "cover.png",
            score_json=workdir / "score.json",
            stems=stems,
            master_audio=workdir / "master.flac",
            words=words,
            stage_seconds={"render": self.render_s},
        )

    @staticmethod
    def _sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(min(0.05, end - time.monotonic()) if end > time.monotonic() else 0)


def fake_score(sung: bool, voice: str | None = None) -> Score:
    """A 2-second score at 120 BPM: a kick on every beat and, when ``sung``, the word "fake" from 0.5 to
    1.0 s (ticks 480–960), sung by ``voice`` (default ``f-warm``)."""
    kick = Part("standard kit", StemFamily.DRUMS, 0, tuple(Note(t, 240, 36, 100) for t in range(0, 1920, 480)),
                is_drum=True)
    vocal = VocalLine("en", voice or "f-warm", (LyricLine("fake", (LyricWord("fake", ("fake",)),), 0),),
                      (SungSyllable(0, 0, 0, "fake", (Note(480, 480, 64, 90),)),)) if sung else None
    return Score(tempo_bpm=120.0, meter=(4, 4), key=Key(0, "major"), sections=(Section("verse", "Verse", 0, 1920),),
                 chords=(), parts=(kick,), vocal=vocal, metadata={"genre": "pop", "tags": "fake", "title": "Fake"})
