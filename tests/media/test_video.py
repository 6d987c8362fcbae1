"""Music video rendering: a decodable H.264/AAC MP4 at 1280×720 with the audio's duration; user text
(with characters that are special in ffmpeg filter syntax) only ever reaches Pillow."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import soundfile as sf
from PIL import Image

from tunesmith.media.cover import make_cover
from tunesmith.media.video import HEIGHT, WIDTH, VideoText, accent_colour, draw_background, render_music_video


def tone(path: Path, seconds: float, sr: int = 44100) -> Path:
    t = np.arange(int(seconds * sr)) / sr
    x = (0.4 * np.sin(2 * np.pi * 330 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t))).astype(np.float32)
    sf.write(path, np.stack([x, x], axis=1), sr, subtype="PCM_24")
    return path


def test_video_decodes_with_the_audio_duration(tmp_path: Path) -> None:
    audio = tone(tmp_path / "a.flac", 3.7)
    cover = make_cover("Test", "pop", 1, tmp_path / "cover.jpg", size=256)
    text = VideoText("It's: 100% \\ [done]; ok", "Ann 'O' Neil %{pts}", "example.com:8080")
    out = render_music_video(audio, cover, text, tmp_path / "v.mp4", duration_s=3.7)
    with av.open(str(out)) as container:
        video, audio_stream = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264" and audio_stream.codec_context.name == "aac"
        assert (video.codec_context.width, video.codec_context.height) == (WIDTH, HEIGHT)
        assert container.duration is not None and abs(container.duration / 1e6 - 3.7) <= 0.2
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert abs(len(frames) / 25 - 3.7) <= 0.2
    wave_area = (slice(360, 600), slice(640, 1200))
    assert not np.array_equal(frames[10][wave_area], frames[40][wave_area]), "the visualisation does not move"
    assert not (tmp_path / "v-background.png").exists()


def test_background_draws_title_author_and_watermark(tmp_path: Path) -> None:
    art = Image.open(make_cover("", "jazz", 2, tmp_path / "c.png", size=256)).convert("RGB")
    plain = np.asarray(draw_background(art, VideoText("")).convert("RGB"), dtype=np.int16)
    full = np.asarray(draw_background(art, VideoText("Title", "Author", "site.example")).convert("RGB"), dtype=np.int16)
    assert plain.shape == (HEIGHT, WIDTH, 3)
    changed = np.abs(full - plain).sum(axis=2) > 30
    assert changed[140:230, 640:].any() and changed[240:300, 640:].any()  # title, author
    assert changed[650:710, 900:].any()  # watermark, bottom right
    assert accent_colour(art) != (0, 0, 0)
