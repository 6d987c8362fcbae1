"""A test double of the SongEngine contract: fast, deterministic, with real (tiny) files.

Used only by tests through ``create_app(engine=FakeEngine)``; no setting of the product selects it.
Options: ``render_s`` (seconds each render sleeps, in small steps), ``fail`` (raise in render),
``chunks`` (number of MP3 chunks streamed).
"""

from __future__ import annotations

import json
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

SR = 44100


class FakeEngine:
    name = "fake"

    def __init__(self, render_s: float = 0.0, fail: bool = False, chunks: int = 4, **_: object) -> None:
        self.render_s, self.fail, self.chunks = render_s, fail, chunks

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
        seconds = 2.0
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
        (workdir / "score.json").write_text(json.dumps({"fake": True}))
        (workdir / "stems").mkdir(exist_ok=True)
        sf.write(workdir / "stems" / "vocals.flac", np.stack([tone, tone], axis=1), SR)
        sf.write(workdir / "master.flac", np.stack([tone, tone], axis=1), SR, subtype="PCM_24")
        words = [WordTiming("fake", 0.5, 1.0, 0)] if plan.tracks[index].lyrics else []
        return TrackResult(
            duration_s=seconds,
            audio_mp3=workdir / "audio.mp3",
            cover_image=workdir / "cover.png",
            score_json=workdir / "score.json",
            stems={"vocals": workdir / "stems" / "vocals.flac"},
                           master_audio=workdir / "master.flac",
            words=words,
            stage_seconds={"render": self.render_s},
        )

    @staticmethod
    def _sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(min(0.05, end - time.monotonic()) if end > time.monotonic() else 0)
