"""Cover images for a music task (§3.16): new artwork per track, unlike each other and the originals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from tunesmith.engines.jobs import JobOutput
from tunesmith.media.cover import make_cover

MIN_DIFFERENCE = 12.0  # mean absolute difference (0–255) of 64×64 thumbnails that counts as "different"
MAX_RESEEDS = 12
SEED_STEP = 7919

Thumb = npt.NDArray[np.float64]


def make_cover_images(payload: dict[str, Any], workdir: Path) -> JobOutput:
    """``payload["covers"]``: ``[{title, style, seed}]``, one image each; ``payload["inputs"]``: the
    existing covers, which every new image must differ from (a clashing seed is stepped on)."""
    seen = [_thumb(Image.open(path)) for path in payload.get("inputs", {}).values()]
    files: dict[str, Path] = {}
    seeds: list[int] = []
    for i, spec in enumerate(payload["covers"], start=1):
        path, seed, thumb = _distinct_cover(spec["title"], spec["style"], int(spec["seed"]),
                                            workdir / f"cover-{i}.png", seen)
        seen.append(thumb)
        files[f"image_{i}"] = path
        seeds.append(seed)
    return JobOutput(files=files, data={"seeds": seeds})


def _distinct_cover(title: str, style: str, seed: int, path: Path, seen: list[Thumb]) -> tuple[Path, int, Thumb]:
    """Draw with ``seed``, stepping the seed until the image differs from everything in ``seen``."""
    for attempt in range(MAX_RESEEDS):
        candidate = seed + attempt * SEED_STEP
        make_cover(title, style, candidate, path)
        thumb = _thumb(Image.open(path))
        if all(float(np.mean(np.abs(thumb - other))) >= MIN_DIFFERENCE for other in seen):
            break
    return path, candidate, thumb


def _thumb(image: Image.Image) -> Thumb:
    return np.asarray(image.convert("RGB").resize((64, 64)), dtype=np.float64)
