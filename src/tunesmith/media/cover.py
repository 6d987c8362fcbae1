"""Generated cover art: a gradient, a seeded pattern of shapes and the title, drawn with Pillow.

The palette follows the style's genre and mood words (declarative tables below); the seed picks the
palette variant, the gradient angle, the pattern and its layout, so two seeds give clearly different
covers for the same song.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

COVER_SIZE = 1024  # pixels, square
Color = tuple[int, int, int]
Palette = tuple[str, str, str, str]  # background from, background to, accent, highlight (hex)
Rng = np.random.Generator

PALETTES: dict[str, tuple[Palette, ...]] = {
    "rock": (("#1b1b1f", "#5a1111", "#e63946", "#f1faee"), ("#232526", "#414345", "#ff6b35", "#efefd0")),
    "metal": (("#050505", "#2b2b2b", "#b3001b", "#d9d9d9"),),
    "punk": (("#0d0d0d", "#ff006e", "#ffbe0b", "#fb5607"),),
    "pop": (("#ff9a9e", "#fad0c4", "#ff4d6d", "#ffffff"), ("#a18cd1", "#fbc2eb", "#7b2ff7", "#fff3b0")),
    "jazz": (("#0b1d3a", "#1f4068", "#e09f3e", "#fff3c4"), ("#2d1e2f", "#5c3d2e", "#d4a373", "#faedcd")),
    "blues": (("#03045e", "#0077b6", "#90e0ef", "#caf0f8"),),
    "soul": (("#3d0e1e", "#8e3b46", "#e0a458", "#ffdbb5"),),
    "hip hop": (("#111111", "#3a0ca3", "#f72585", "#fee440"), ("#1d1d1d", "#5f0f40", "#fb8b24", "#e36414")),
    "rap": (("#111111", "#2b2d42", "#ef233c", "#edf2f4"),),
    "electronic": (
        ("#0f0c29", "#302b63", "#00f5d4", "#f15bb5"),
        ("#000428", "#004e92", "#39ff14", "#e0fbfc"),
    ),
    "edm": (("#12002f", "#5a189a", "#00f5ff", "#ff00c8"),),
    "synthwave": (("#1a0033", "#ff2975", "#f222ff", "#8c1eff"),),
    "lofi": (("#ffd6a5", "#bdb2ff", "#9bf6ff", "#3d405b"),),
    "ambient": (("#e0eafc", "#cfdef3", "#89a7d1", "#3a506b"), ("#d7e1ec", "#a9c6de", "#5c7aea", "#14213d")),
    "classical": (("#f5ebe0", "#d6ccc2", "#6b4f4f", "#3c2a21"),),
    "orchestral": (("#1d1a05", "#5e503f", "#c6ac8f", "#eae0d5"),),
    "country": (("#f4a261", "#e76f51", "#264653", "#fefae0"),),
    "folk": (("#ccd5ae", "#e9edc9", "#606c38", "#283618"),),
    "acoustic": (("#faedcd", "#d4a373", "#6f4518", "#fefae0"),),
    "reggae": (("#1b4332", "#2d6a4f", "#ffd60a", "#d00000"),),
    "latin": (("#ff7b00", "#ff006e", "#ffea00", "#3a0ca3"),),
    "funk": (("#ff5400", "#ff0054", "#ffbd00", "#390099"),),
    "sad": (("#1e2a3a", "#3e5c76", "#748cab", "#f0ebd8"),),
    "melancholy": (("#22223b", "#4a4e69", "#9a8c98", "#f2e9e4"),),
    "happy": (("#ffe066", "#ff9f1c", "#2ec4b6", "#ffffff"),),
    "upbeat": (("#ffbe0b", "#fb5607", "#3a86ff", "#ffffff"),),
    "dark": (("#000000", "#1a1a2e", "#16213e", "#e94560"),),
    "dreamy": (("#cdb4db", "#ffc8dd", "#a2d2ff", "#ffffff"),),
    "love": (("#590d22", "#c9184a", "#ff8fa3", "#fff0f3"),),
    "romantic": (("#6d2e46", "#a26769", "#ece2d0", "#ffffff"),),
    "summer": (("#00b4d8", "#90e0ef", "#ffb703", "#fb8500"),),
    "night": (("#03071e", "#1b263b", "#ffd60a", "#e0e1dd"),),
    "epic": (("#10002b", "#3c096c", "#ff9e00", "#ffffff"),),
    "indie": (("#f6bd60", "#f7ede2", "#84a59d", "#f28482"),),
    "house": (("#0b090a", "#161a1d", "#ff006e", "#8338ec"),),
    "techno": (("#000000", "#212529", "#adb5bd", "#f8f9fa"),),
    "trance": (("#03045e", "#7209b7", "#4cc9f0", "#f72585"),),
    "drum and bass": (("#0d1b2a", "#1b263b", "#00ff9f", "#e0e1dd"),),
    "trap": (("#0a0a0a", "#2d0036", "#a100f2", "#ff4d6d"),),
    "gospel": (("#fff8e7", "#f4d58d", "#bf0603", "#2d0c05"),),
    "swing": (("#2b2118", "#6f1d1b", "#bb9457", "#ffe6a7"),),
    "bossa": (("#06d6a0", "#ffd166", "#ef476f", "#073b4c"),),
    "disco": (("#240046", "#ff006e", "#ffbe0b", "#fdfffc"),),
    "r&b": (("#2b0f2e", "#6a2c70", "#f08a5d", "#f9ed69"),),
    "k-pop": (("#ffafcc", "#bde0fe", "#cdb4db", "#3a0ca3"),),
    "j-pop": (("#ffc8dd", "#a2d2ff", "#ff006e", "#ffffff"),),
    "c-pop": (("#f8edeb", "#fec5bb", "#e5989b", "#6d6875"),),
    "guofeng": (("#f1e9da", "#a4161a", "#0b090a", "#d4a373"),),
    "cinematic": (("#0b0c10", "#1f2833", "#c5c6c7", "#66fcf1"),),
    "国风": (("#f1e9da", "#a4161a", "#0b090a", "#d4a373"), ("#e9f5db", "#718355", "#1b4332", "#fefae0")),
    "古风": (("#f5ebe0", "#8d99ae", "#2b2d42", "#d90429"),),
    "摇滚": (("#1b1b1f", "#5a1111", "#e63946", "#f1faee"),),
    "电子": (("#0f0c29", "#302b63", "#00f5d4", "#f15bb5"),),
    "爵士": (("#0b1d3a", "#1f4068", "#e09f3e", "#fff3c4"),),
    "民谣": (("#ccd5ae", "#e9edc9", "#606c38", "#283618"),),
    "说唱": (("#111111", "#3a0ca3", "#f72585", "#fee440"),),
    "悲伤": (("#1e2a3a", "#3e5c76", "#748cab", "#f0ebd8"),),
    "欢快": (("#ffe066", "#ff9f1c", "#2ec4b6", "#ffffff"),),
    "浪漫": (("#590d22", "#c9184a", "#ff8fa3", "#fff0f3"),),
    "梦幻": (("#cdb4db", "#ffc8dd", "#a2d2ff", "#ffffff"),),
}
DEFAULT_PALETTES: tuple[Palette, ...] = (
    ("#2b2d42", "#8d99ae", "#ef233c", "#edf2f4"),
    ("#264653", "#2a9d8f", "#e9c46a", "#f4a261"),
    ("#3d348b", "#7678ed", "#f7b801", "#f18701"),
    ("#0b132b", "#3a506b", "#5bc0be", "#ffffff"),
)
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


def make_cover(title: str, style: str, seed: int, path: Path, *, size: int = COVER_SIZE) -> Path:
    """Draw a ``size``×``size`` cover for ``title`` in ``style`` and save it to ``path``.

    The format follows the suffix (``.jpg``/``.jpeg`` → JPEG quality 90, otherwise PNG). Deterministic
    for a given (title, style, seed); the title also feeds the layout seed.
    """
    rng = np.random.default_rng([seed, zlib.crc32(title.encode("utf-8"))])
    palette = tuple(_hex(c) for c in choose_palette(style, rng))
    image = _gradient(size, palette[0], palette[1], float(rng.uniform(0, np.pi)))
    image = _draw_pattern(image, palette, rng)
    _draw_title(image, title)
    return _save(image, Path(path))


def choose_palette(style: str, rng: Rng) -> Palette:
    """A palette for the genre/mood words found in ``style`` (any of them, seeded), else a default one."""
    text = style.lower()
    matches = [p for word, options in PALETTES.items() if _mentions(text, word) for p in options]
    options = matches or list(DEFAULT_PALETTES)
    return options[int(rng.integers(len(options)))]


def _mentions(text: str, word: str) -> bool:
    """Word-start match for Latin words, substring match for Chinese ones."""
    return bool(re.search(rf"\b{re.escape(word)}", text)) if word.isascii() else word in text


def _hex(color: str) -> Color:
    value = color.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _gradient(size: int, start: Color, stop: Color, angle: float) -> Image.Image:
    """A linear gradient from ``start`` to ``stop`` along direction ``angle`` (radians)."""
    y, x = np.mgrid[0:size, 0:size] / (size - 1) - 0.5
    t = (x * np.cos(angle) + y * np.sin(angle)) / np.sqrt(0.5) + 0.5
    t = np.clip(t, 0.0, 1.0)[..., np.newaxis]
    pixels = np.asarray(start, dtype=np.float64) * (1 - t) + np.asarray(stop, dtype=np.float64) * t
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def _draw_pattern(image: Image.Image, palette: Sequence[Color], rng: Rng) -> Image.Image:
    """Composite one seeded pattern of translucent shapes over ``image``; a blurred copy adds depth."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pattern = PATTERNS[int(rng.integers(len(PATTERNS)))]
    pattern(ImageDraw.Draw(layer), image.size[0], palette, rng)
    glow = layer.filter(ImageFilter.GaussianBlur(radius=image.size[0] / 40))
    base = Image.alpha_composite(image.convert("RGBA"), glow)
    return Image.alpha_composite(base, layer).convert("RGB")


def _rgba(color: Color, alpha: int) -> tuple[int, int, int, int]:
    return (*color, alpha)


def _circles(draw: ImageDraw.ImageDraw, size: int, palette: Sequence[Color], rng: Rng) -> None:
    for _ in range(int(rng.integers(6, 14))):
        cx, cy, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(size * 0.05, size * 0.3)
        draw.ellipse(
            (cx - r, cy - r, cx + r, cy + r),
            fill=_rgba(palette[int(rng.integers(2, 4))], int(rng.integers(60, 170))),
        )


def _rings(draw: ImageDraw.ImageDraw, size: int, palette: Sequence[Color], rng: Rng) -> None:
    cx, cy = rng.uniform(size * 0.25, size * 0.75, 2)
    for i in range(int(rng.integers(5, 11))):
        r = size * (0.08 + 0.07 * i)
        width = int(rng.integers(4, 24))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=_rgba(palette[2 + i % 2], 190), width=width)


def _stripes(draw: ImageDraw.ImageDraw, size: int, palette: Sequence[Color], rng: Rng) -> None:
    slope = rng.uniform(-1.0, 1.0)
    for _ in range(int(rng.integers(5, 12))):
        offset, width = rng.uniform(-size, 2 * size), rng.uniform(size * 0.02, size * 0.12)
        points = [
            (0, offset),
            (size, offset + slope * size),
            (size, offset + slope * size + width),
            (0, offset + width),
        ]
        draw.polygon(points, fill=_rgba(palette[int(rng.integers(2, 4))], int(rng.integers(90, 200))))


def _triangles(draw: ImageDraw.ImageDraw, size: int, palette: Sequence[Color], rng: Rng) -> None:
    for _ in range(int(rng.integers(5, 12))):
        points = [(float(rng.uniform(-0.1, 1.1) * size), float(rng.uniform(-0.1, 1.1) * size)) for _ in range(3)]
        draw.polygon(points, fill=_rgba(palette[int(rng.integers(2, 4))], int(rng.integers(60, 160))))


def _waves(draw: ImageDraw.ImageDraw, size: int, palette: Sequence[Color], rng: Rng) -> None:
    x = np.linspace(0, size, 200)
    for i in range(int(rng.integers(4, 9))):
        base, amp, freq, phase = (
            rng.uniform(0.2, 0.9) * size,
            rng.uniform(0.02, 0.1) * size,
            rng.uniform(1, 4),
            rng.uniform(0, 6.3),
        )
        y = base + amp * np.sin(2 * np.pi * freq * x / size + phase)
        draw.line(
            list(zip(x.tolist(), y.tolist(), strict=True)),
            fill=_rgba(palette[2 + i % 2], 200),
            width=int(rng.integers(6, 22)),
        )


PATTERNS: tuple[Callable[[ImageDraw.ImageDraw, int, Sequence[Color], Rng], None], ...] = (
    _circles,
    _rings,
    _stripes,
    _triangles,
    _waves,
)


def _draw_title(image: Image.Image, title: str) -> None:
    """Write ``title`` in the lower third, wrapped and scaled to fit, with a soft shadow for contrast."""
    font_path = _font_for(title)
    text = _renderable(title.strip(), font_path)
    if not text:
        return
    size = image.size[0]
    font, lines = _fit(text, font_path, max_width=int(size * 0.84))
    draw = ImageDraw.Draw(image)
    block = "\n".join(lines)
    box = draw.multiline_textbbox((0, 0), block, font=font, align="center", spacing=8)
    x, y = (size - (box[2] - box[0])) / 2 - box[0], size * 0.9 - (box[3] - box[1]) - box[1]
    ink, shadow = _ink_for(image.crop((x + box[0], y + box[1], x + box[2], y + box[3])))
    draw.multiline_text((x + 4, y + 4), block, font=font, fill=shadow, align="center", spacing=8)
    draw.multiline_text((x, y), block, font=font, fill=ink, align="center", spacing=8)


def _ink_for(region: Image.Image) -> tuple[Color, Color]:
    """Text and shadow colours that contrast with the mean brightness of ``region``."""
    mean = np.asarray(region.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(axis=0)
    if _luminance((int(mean[0]), int(mean[1]), int(mean[2]))) > 0.55:
        return (20, 20, 24), (235, 235, 235)
    return (250, 250, 250), (10, 10, 14)


def _luminance(color: Color) -> float:
    r, g, b = (c / 255 for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _load_font(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _font_for(text: str) -> str | None:
    """The first installed candidate font that can draw every character of ``text`` (``None`` = Pillow's)."""
    installed = [p for p in FONT_CANDIDATES if Path(p).is_file()]
    for path in installed:
        if len(_renderable(text, path)) == len(text):
            return path
    return installed[-1] if installed else None


def _renderable(text: str, font_path: str | None) -> str:
    """``text`` without the characters the font would draw as its 'missing glyph' box."""
    font = _load_font(font_path, 48)
    missing = _glyph(font, "\U0010fffd")
    return "".join(c for c in text if c.isspace() or _glyph(font, c) != missing).strip()


def _glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


def _fit(
    text: str, font_path: str | None, *, max_width: int
) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, list[str]]:
    """The largest font size (≤ 120 px) at which ``text`` wraps into ≤ 3 lines of ``max_width`` pixels."""
    for px in range(120, 23, -8):
        font = _load_font(font_path, px)
        lines = _wrap(text, font, max_width)
        if len(lines) <= 3 and all(font.getlength(line) <= max_width for line in lines):
            return font, lines
    font = _load_font(font_path, 24)
    return font, _wrap(text, font, max_width)[:3]


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: int) -> list[str]:
    """Greedy word wrap (character wrap for scripts without spaces)."""
    units = text.split() if " " in text else list(text)
    joiner = " " if " " in text else ""
    lines: list[str] = []
    for unit in units:
        candidate = f"{lines[-1]}{joiner}{unit}" if lines else unit
        if lines and font.getlength(candidate) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(unit)
    return lines


def _save(image: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image.save(path, "JPEG", quality=90)
    else:
        image.save(path, "PNG")
    return path
