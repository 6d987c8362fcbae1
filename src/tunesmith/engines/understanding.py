"""Analysis of an audio file, kept next to it so the same recording is never analysed twice.

The cache folder of a file is named by the SHA-256 of its bytes, the lyrics it was aligned to and the chosen
analysers, and holds ``analysis.json`` plus the separated ``vocals.flac`` and ``accompaniment.flac``. Every
audio-in operation (and ``tunesmith analyse --cache``) reads through :func:`analyse_file`; the retention
sweep removes cache folders with the uploads they belong to (:func:`sweep_cache`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from tunesmith.analysis.pipeline import AnalysisPipeline, AnalysisResult, Progress
from tunesmith.analysis.types import Lyrics, SongAnalysis, Stems
from tunesmith.digest import file_sha256
from tunesmith.engines.base import WordTiming
from tunesmith.media.audio_io import read_audio, write_flac
from tunesmith.media.decode import decode_audio

ANALYSIS_SAMPLE_RATE = 44100
_FILES = ("analysis.json", "vocals.flac", "accompaniment.flac")


def cache_name(path: Path, *, lyrics: str | None, language: str | None, choice: Mapping[str, str]) -> str:
    """The cache folder name of ``path`` analysed with these inputs (hex digest)."""
    digest = hashlib.sha256(file_sha256(path).encode("ascii"))
    extra = json.dumps({"lyrics": lyrics or "", "language": language or "", "choice": dict(sorted(choice.items())),
                        "version": SongAnalysis.__dataclass_fields__["version"].default}, ensure_ascii=False)
    digest.update(extra.encode("utf-8"))
    return digest.hexdigest()


def analyse_file(path: Path, pipeline: AnalysisPipeline, *, max_seconds: float, cache_dir: Path | None = None,
                 lyrics: str | None = None, language: str | None = None,
                 progress: Progress | None = None) -> AnalysisResult:
    """Decode ``path`` (any format ffmpeg reads) and analyse it, or read the cached result."""
    folder = cache_dir / cache_name(path, lyrics=lyrics, language=language, choice=pipeline.choice) \
        if cache_dir else None
    if folder is not None and all((folder / f).is_file() for f in _FILES):
        return _read(folder)
    audio, rate = decode_audio(path, max_seconds=max_seconds, sample_rate=ANALYSIS_SAMPLE_RATE)
    result = pipeline.analyse(audio, rate, lyrics=lyrics, language=language, progress=progress)
    if folder is not None:
        _write(folder, result)
    return result


def word_timings(lyrics: Lyrics, *, offset_s: float = 0.0) -> list[WordTiming]:
    """The analysed words as the engine's word times (what ``get-timestamped-lyrics`` serves), shifted by
    ``offset_s`` seconds where the user's audio starts later in the track."""
    return [WordTiming(w.text, round(w.start_s + offset_s, 3), round(w.end_s + offset_s, 3), w.line)
            for w in lyrics.words]


def sweep_cache(cache_dir: Path, *, older_than_s: float, now: float | None = None) -> int:
    """Delete cache folders not used for ``older_than_s`` seconds; returns how many went."""
    if not cache_dir.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - older_than_s
    gone = 0
    for folder in cache_dir.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def _write(folder: Path, result: AnalysisResult) -> None:
    """Write into a sibling temp folder, then rename: a reader never sees half a cache entry."""
    tmp = folder.with_name(folder.name + f".tmp-{time.monotonic_ns()}")
    tmp.mkdir(parents=True)
    try:
        stems = result.stems
        write_flac(tmp / "vocals.flac", stems.vocals, stems.sample_rate)
        write_flac(tmp / "accompaniment.flac", stems.accompaniment, stems.sample_rate)
        meta = {"analysis": result.analysis.to_json(), "separator": stems.method}
        (tmp / "analysis.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read(folder: Path) -> AnalysisResult:
    meta = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    vocals, rate = read_audio(folder / "vocals.flac")
    accompaniment, _ = read_audio(folder / "accompaniment.flac")
    folder.touch()  # in use: the sweep keeps it
    stems = Stems(vocals, accompaniment, rate, meta["separator"])
    return AnalysisResult(SongAnalysis.from_json(meta["analysis"]), stems)
