from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from tunesmith.media.cover import PALETTES, choose_palette, make_cover


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float64)


def test_cover_is_at_least_1024_square_jpeg(tmp_path: Path) -> None:
    path = make_cover("Open Road", "upbeat pop rock", 1, tmp_path / "cover.jpg")
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size[0] >= 1024 and image.size[0] == image.size[1]


def test_two_seeds_give_visibly_different_covers(tmp_path: Path) -> None:
    a = _pixels(make_cover("Open Road", "pop", 1, tmp_path / "a.png"))
    b = _pixels(make_cover("Open Road", "pop", 2, tmp_path / "b.png"))
    assert np.mean(np.abs(a - b)) > 20


def test_same_seed_is_deterministic(tmp_path: Path) -> None:
    a = make_cover("Café Blue", "jazz", 5, tmp_path / "a.png").read_bytes()
    assert a == make_cover("Café Blue", "jazz", 5, tmp_path / "b.png").read_bytes()


def test_palette_follows_style_words() -> None:
    rng = np.random.default_rng(0)
    assert choose_palette("smoky late-night JAZZ trio", rng) in PALETTES["jazz"] + PALETTES["night"]


def test_title_is_drawn(tmp_path: Path) -> None:
    with_title = _pixels(make_cover("A Title", "ambient", 3, tmp_path / "a.png"))
    without = _pixels(make_cover("", "ambient", 3, tmp_path / "b.png"))
    assert np.mean(np.any(with_title != without, axis=2)) > 0.005


def test_chinese_style_words_pick_their_palette() -> None:
    rng = np.random.default_rng(0)
    assert choose_palette("欢快的国风", rng) in PALETTES["国风"] + PALETTES["欢快"]
