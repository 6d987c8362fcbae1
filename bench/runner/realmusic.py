"""Real recordings no one here made: instrumental soundtracks of free games, as Debian packages them.

Fetched at bench time (never into git) with ``apt-get download`` into ``<bench cache>/realmusic/debs`` and
unpacked with ``dpkg -x`` (neither needs root when the folder is one's own). From the packages of
:data:`PACKAGES`, the tracks are picked deterministically: every audio file, sorted by package order then
path, at least :data:`MIN_TRACK_S` long, the first :data:`TRACKS_PER_PACKAGE` of each package, at most
:data:`MAX_TRACKS` in all. Each is analysed over its first :data:`EXCERPT_S` seconds (bounding the bench's
time; a soundtrack's opening is as typical as any part). A package that cannot be fetched is recorded with
its error and the others go on.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

from bench.runner.engine_songs import cache_root

PACKAGES = ("asc-music", "hyperrogue-music")
"""asc-music (Advanced Strategic Command, 10 MB, 3 MP3 tracks) and hyperrogue-music (HyperRogue, 64 MB of
OGG tracks): both instrumental, both free (the packages' copyright files give the licences)."""
TRACKS_PER_PACKAGE = 3
MAX_TRACKS = 5
MIN_TRACK_S = 60.0
EXCERPT_S = 120.0
AUDIO_SUFFIXES = (".ogg", ".mp3", ".flac", ".wav", ".opus")
APT_TIMEOUT_S = 300.0


@dataclass(frozen=True, slots=True)
class Track:
    package: str
    path: Path
    duration_s: float

    @property
    def name(self) -> str:
        return f"{self.package}:{self.path.name}"


def fetch(package: str, root: Path | None = None) -> Path:
    """The unpacked tree of ``package`` (downloaded and unpacked once into the cache)."""
    folder = (root or cache_root()) / "realmusic"
    tree = folder / "tree" / package
    if (tree / ".done").exists():
        return tree
    debs = folder / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for old in debs.glob(f"{package}_*.deb"):
        old.unlink()
    _run(["apt-get", "download", package], cwd=debs)
    deb = next(iter(sorted(debs.glob(f"{package}_*.deb"))), None)
    if deb is None:
        raise RuntimeError(f"apt-get download {package} left no .deb in {debs}")
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    _run(["dpkg", "-x", str(deb), str(tree)], cwd=folder)
    (tree / ".done").write_text(deb.name, encoding="utf-8")
    deb.unlink()  # the unpacked tree is what is kept
    return tree


def _run(command: list[str], *, cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=APT_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()[-400:]}")


def pick_tracks(package: str, tree: Path, *, per_package: int = TRACKS_PER_PACKAGE) -> list[Track]:
    """The first ``per_package`` audio files of ``tree`` (sorted paths) at least :data:`MIN_TRACK_S` long."""
    out: list[Track] = []
    for path in sorted(p for p in tree.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file()):
        try:
            info = soundfile.info(str(path))
        except (RuntimeError, soundfile.LibsndfileError):
            continue
        if info.duration >= MIN_TRACK_S:
            out.append(Track(package, path, float(info.duration)))
        if len(out) == per_package:
            break
    return out


def gather(packages: tuple[str, ...] = PACKAGES, root: Path | None = None) -> tuple[list[Track], dict[str, str]]:
    """Tracks of every package that could be fetched (at most :data:`MAX_TRACKS`), and errors by package."""
    tracks: list[Track] = []
    errors: dict[str, str] = {}
    for package in packages:
        try:
            tracks += pick_tracks(package, fetch(package, root))
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
            errors[package] = f"{type(exc).__name__}: {exc}"[:500]
    return tracks[:MAX_TRACKS], errors


def excerpt(track: Track, seconds: float = EXCERPT_S) -> tuple[npt.NDArray[np.float32], int]:
    """The first ``seconds`` of ``track`` as float32 ``(channels, n)`` and its sample rate."""
    info = soundfile.info(str(track.path))
    frames = min(int(seconds * info.samplerate), info.frames)
    data, sr = soundfile.read(str(track.path), frames=frames, dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), int(sr)
