"""The analysis bench's engine songs: the fixed set of ``bench/sets/analysis/songs.json`` rendered by the
built-in engine directly (no server), cached, with everything the truth needs read back from the render.

A render is cached under ``<bench cache>/analysis/<item>-<digest>/`` where the digest covers the item's
request and the source of every package the render reads (``engines``, ``music``, ``dsp``, ``media``):
any change to the engine renders again, an unchanged engine reuses the files. ``--fresh`` ignores the cache.

What a render leaves: ``master.flac`` (the mastered mix, 44.1 kHz), ``stems/<family>.flac`` (the mastered
stems, which sum to the master), ``score.json`` and ``words.json`` (the engine's own word timings, which
:class:`~tunesmith.engines.base.TrackResult` carries but the engine does not write).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile

ROOT = Path(__file__).resolve().parents[2]
SET_PATH = ROOT / "bench" / "sets" / "analysis" / "songs.json"
ENGINE_PACKAGES = ("engines", "music", "dsp", "media")
VOCAL_FAMILIES = ("vocals", "backing_vocals")
DONE_FILE = "done.json"

Audio = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class AnalysisItem:
    """One song of the set: ``role`` "truth" (measured against its score) or "speed" (the 3-minute song)."""

    id: str
    language: str | None
    role: str
    request: dict[str, Any]
    tuned_on: tuple[str, ...] = ()  # capabilities tuned on this song: its figures for them are not held out

    @property
    def lyrics(self) -> str:
        return "" if self.request.get("instrumental") else str(self.request.get("prompt", ""))


@dataclass(frozen=True)
class RenderedSong:
    """A rendered item: the master and the two reference stems (float32 ``(channels, n)`` at
    ``sample_rate``), the score, and the engine's word timings (text, start s, end s)."""

    item: AnalysisItem
    folder: Path
    master: Audio
    vocals: Audio  # lead + backing vocal stems
    accompaniment: Audio  # every other stem (master − vocals)
    sample_rate: int
    score_json: str
    words: tuple[tuple[str, float, float], ...]
    render_s: float | None  # None: read from the cache

    @property
    def duration_s(self) -> float:
        return float(self.master.shape[1] / self.sample_rate)


def cache_root() -> Path:
    """The bench's cache: ``$TUNESMITH_BENCH_CACHE`` or ``~/.cache/tunesmith-bench`` (as :mod:`bench.metrics.asr`)."""
    return Path(os.environ.get("TUNESMITH_BENCH_CACHE") or Path.home() / ".cache" / "tunesmith-bench")


def load_items(path: Path = SET_PATH) -> list[AnalysisItem]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [AnalysisItem(r["id"], r.get("language"), r["role"], dict(r["request"]), tuple(r.get("tuned_on", ())))
            for r in raw]


def engine_digest(root: Path = ROOT / "src" / "tunesmith") -> str:
    """SHA-256 (16 hex digits) over the source files of :data:`ENGINE_PACKAGES`, names and contents."""
    digest = hashlib.sha256()
    for package in ENGINE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json", ".toml", ".sf2", ".sf3"):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_folder(item: AnalysisItem, digest: str, root: Path | None = None) -> Path:
    request = hashlib.sha256(json.dumps(item.request, sort_keys=True).encode()).hexdigest()[:8]
    return (root or cache_root()) / "analysis" / f"{item.id}-{request}-{digest}"


def rendered(item: AnalysisItem, *, digest: str, fresh: bool = False, root: Path | None = None) -> RenderedSong:
    """The item's render, from the cache when an unchanged engine made it before (unless ``fresh``)."""
    folder = cache_folder(item, digest, root)
    render_s: float | None = None
    if fresh or not (folder / DONE_FILE).exists():
        render_s = _render(item, folder)
    return _read(item, folder, render_s)


def _render(item: AnalysisItem, folder: Path) -> float:
    from bench.runner.songwriter_eval import _NullSink, engine_request
    from tunesmith.engines.builtin.engine import BuiltinEngine

    shutil.rmtree(folder, ignore_errors=True)
    engine = BuiltinEngine()
    plan = engine.plan(engine_request(item.request))
    start = time.perf_counter()
    result = engine.render(plan, 0, folder, _NullSink())
    seconds = time.perf_counter() - start
    words = [[w.word, w.start_s, w.end_s, w.line] for w in result.words]
    (folder / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    (folder / DONE_FILE).write_text(json.dumps({"render_s": seconds, "request": item.request}), encoding="utf-8")
    return seconds


def _read(item: AnalysisItem, folder: Path, render_s: float | None) -> RenderedSong:
    master, sr = _flac(folder / "master.flac")
    vocals = np.zeros_like(master)
    for family in VOCAL_FAMILIES:
        path = folder / "stems" / f"{family}.flac"
        if path.exists():
            stem, stem_sr = _flac(path)
            if stem_sr != sr:
                raise ValueError(f"{path}: {stem_sr} Hz stem under a {sr} Hz master")
            vocals[:, : stem.shape[1]] += stem[:, : master.shape[1]]
    words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
    return RenderedSong(
        item=item, folder=folder, master=master, vocals=vocals, accompaniment=master - vocals, sample_rate=sr,
        score_json=(folder / "score.json").read_text(encoding="utf-8"),
        words=tuple((str(w[0]), float(w[1]), float(w[2])) for w in words), render_s=render_s,
    )  # fmt: skip


def _flac(path: Path) -> tuple[Audio, int]:
    data, sr = soundfile.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), int(sr)
