"""Music videos: cover art, an animated waveform that follows the audio, title, author and a watermark.

Everything a user typed (title, author, domain name) is drawn by Pillow into the still background;
ffmpeg only ever sees file paths and numbers we generate, so no user text reaches its filter syntax.
ffmpeg is the static build shipped by ``imageio-ffmpeg`` (H.264 via libx264, AAC via the native encoder).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tunesmith.media.cover import FONT_CANDIDATES

WIDTH, HEIGHT = 1280, 720  # pixels
FPS = 25
COVER_BOX = (80, 110, 580, 610)  # left, top, right, bottom of the sharp cover art
TEXT_LEFT = 640  # x of the title and author block
WAVE_BOX = (640, 360, 1200, 600)  # the waveform's area
PROGRESS_H = 6  # pixels, the progress bar along the bottom edge
AUDIO_BITRATE = "192k"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class VideoText:
    """The words on screen; any may be empty."""

    title: str
    author: str = ""
    watermark: str = ""


class VideoError(RuntimeError):
    """ffmpeg failed or is unavailable."""


def ffmpeg_exe() -> str:
    """Path of the static ffmpeg binary shipped by ``imageio-ffmpeg`` (imported lazily)."""
    import imageio_ffmpeg

    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def render_music_video(audio: Path, cover: Path, text: VideoText, out: Path, *, duration_s: float,
                       accent: tuple[int, int, int] | None = None) -> Path:
    """Write an MP4 (H.264 yuv420p 1280×720 at 25 fps + AAC 192 kb/s) of ``duration_s`` seconds to ``out``.

    ``audio``: any file ffmpeg decodes (FLAC, MP3, WAV); ``cover``: any image Pillow opens; ``accent``:
    the waveform colour (default: the cover's most saturated tone).
    """
    if duration_s <= 0:
        raise ValueError("duration_s must be positive")
    out.parent.mkdir(parents=True, exist_ok=True)
    art = Image.open(cover).convert("RGB")
    colour = accent or accent_colour(art)
    background = draw_background(art, text).convert("RGB")
    still = out.with_name(out.stem + "-background.png")
    background.save(still)
    try:
        _run(_command(audio, still, out, duration_s, colour))
    finally:
        still.unlink(missing_ok=True)
    return out


def _command(audio: Path, still: Path, out: Path, duration_s: float, colour: tuple[int, int, int]) -> list[str]:
    """The ffmpeg invocation: a looped still, a waveform overlay and a progress bar, muxed with the audio."""
    hex_colour = "0x{:02x}{:02x}{:02x}".format(*colour)
    wave_w, wave_h = WAVE_BOX[2] - WAVE_BOX[0], WAVE_BOX[3] - WAVE_BOX[1]
    graph = (
        f"[0:v]format=yuv420p,loop=loop=-1:size=1:start=0,settb=1/{FPS},setpts=N[bg];"
        f"[1:a]aformat=channel_layouts=stereo,showwaves=s={wave_w}x{wave_h}:mode=cline:rate={FPS}"
        f":scale=sqrt:colors={hex_colour}[wave];"
        f"[bg][wave]overlay={WAVE_BOX[0]}:{WAVE_BOX[1]}:format=yuv420:shortest=1[v1];"
        f"color=c={hex_colour}:s={WIDTH}x{PROGRESS_H}:r={FPS}[bar];"
        f"[v1][bar]overlay=x='-w+W*t/{duration_s:.3f}':y={HEIGHT - PROGRESS_H}:format=yuv420:shortest=1,"
        f"format=yuv420p[v]"
    )
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-i", str(still), "-i", str(audio), "-filter_complex", graph,
        "-map", "[v]", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-pix_fmt", "yuv420p", "-r", str(FPS), "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", "44100",
        "-t", f"{duration_s:.3f}", "-movflags", "+faststart", str(out),
    ]


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise VideoError(f"ffmpeg could not be started: {exc}") from exc
    if done.returncode != 0:
        raise VideoError(f"ffmpeg failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def accent_colour(art: Image.Image) -> tuple[int, int, int]:
    """The most saturated, reasonably bright colour of ``art`` (sampled on a 32×32 thumbnail)."""
    pixels = np.asarray(art.convert("HSV").resize((32, 32)), dtype=np.float64).reshape(-1, 3)
    score = pixels[:, 1] * np.clip(pixels[:, 2] - 90.0, 0.0, None)
    if float(score.max()) <= 0.0:
        return (235, 235, 235)
    rgb = np.asarray(art.resize((32, 32)), dtype=np.uint8).reshape(-1, 3)[int(np.argmax(score))]
    return int(rgb[0]), int(rgb[1]), int(rgb[2])


def draw_background(art: Image.Image, text: VideoText) -> Image.Image:
    """The still frame: blurred, darkened cover filling 16:9, the sharp cover, title, author, watermark."""
    canvas = _fill(art).filter(ImageFilter.GaussianBlur(radius=28))
    canvas = Image.blend(canvas, Image.new("RGB", canvas.size, (0, 0, 0)), 0.55).convert("RGBA")
    size = COVER_BOX[2] - COVER_BOX[0]
    canvas.paste(art.resize((size, size), Image.Resampling.LANCZOS), COVER_BOX[:2])
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    _draw_line(draw, text.title, (TEXT_LEFT, 150), WIDTH - TEXT_LEFT - 80, 64, (255, 255, 255, 255))
    _draw_line(draw, text.author, (TEXT_LEFT, 250), WIDTH - TEXT_LEFT - 80, 36, (225, 225, 225, 235))
    _draw_watermark(draw, text.watermark)
    return Image.alpha_composite(canvas, overlay)


def _fill(art: Image.Image) -> Image.Image:
    """``art`` scaled and centre-cropped to cover the whole frame."""
    scale = max(WIDTH / art.width, HEIGHT / art.height)
    big = art.resize((max(WIDTH, round(art.width * scale)), max(HEIGHT, round(art.height * scale))))
    left, top = (big.width - WIDTH) // 2, (big.height - HEIGHT) // 2
    return big.crop((left, top, left + WIDTH, top + HEIGHT))


def _draw_line(draw: ImageDraw.ImageDraw, text: str, at: tuple[int, int], max_width: int, px: int,
               fill: tuple[int, int, int, int]) -> None:
    """One line of ``text`` at ``at``, shrunk (down to 20 px) and then ellipsised to fit ``max_width``."""
    clean = " ".join(text.split())
    font = _font(clean, px)
    line = _drawable(font, clean)
    if not line:
        return
    while font.getlength(line) > max_width and px > 20:
        px -= 4
        font = _font(line, px)
    while font.getlength(line) > max_width and len(line) > 1:
        line = line[:-2].rstrip() + "…"
    draw.text((at[0] + 3, at[1] + 3), line, font=font, fill=(0, 0, 0, 160))
    draw.text(at, line, font=font, fill=fill)


def _draw_watermark(draw: ImageDraw.ImageDraw, text: str) -> None:
    """``text`` small and translucent in the bottom-right corner, above the progress bar."""
    clean = " ".join(text.split())
    font = _font(clean, 26)
    line = _drawable(font, clean)
    if not line:
        return
    box = draw.textbbox((0, 0), line, font=font)
    x = WIDTH - 30 - (box[2] - box[0]) - box[0]
    y = HEIGHT - PROGRESS_H - 20 - (box[3] - box[1]) - box[1]
    draw.text((x, y), line, font=font, fill=(255, 255, 255, 150))


def _font(text: str, px: int) -> Font:
    """The installed candidate font (or Pillow's own) that can draw the most characters of ``text``."""
    fonts: list[Font] = [ImageFont.truetype(p, px) for p in FONT_CANDIDATES if Path(p).is_file()]
    fonts.append(ImageFont.load_default(size=px))
    return max(fonts, key=lambda font: len(_drawable(font, text)))


def _drawable(font: Font, text: str) -> str:
    """``text`` without the characters ``font`` would draw as its 'missing glyph' box."""
    missing = font.getmask("\U0010fffd")
    blank = (missing.size, bytes(missing))
    return "".join(c for c in text if c.isspace() or (font.getmask(c).size, bytes(font.getmask(c))) != blank).strip()

