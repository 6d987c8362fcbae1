"""What the bench reads straight from the data directory of the server it started.

The bench owns that temporary directory (``running_server`` creates it), so reading it is not a
back door into someone's install: it is how engine-internal figures that no endpoint reports yet are
measured.

- :func:`read_track_stages` — the engine's seconds per stage (``tracks.stages_json``) of each track of
  a task, from the server's SQLite database, read-only;
- :func:`read_stems`, :func:`read_master` and :func:`read_vocal_notes` — a finished track's files under
  ``<data_dir>/files/tracks/<audioId>/`` (``stems/<family>.flac``, ``master.flac``, ``score.json``),
  the fallback of :mod:`bench.runner.artifacts` while the stem and MIDI endpoints do not exist.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

from bench.metrics.pitch import Note

DecodedAudio = tuple[npt.NDArray[np.float32], int]

DATABASE_FILE = "tunesmith.db"  # the server's default SQLite database inside its data dir
#: The engine stages that turn a plan into audio, in pipeline order (the builtin engine's names).
ENGINE_STAGES = ("compose", "render", "sing", "mix", "master", "encode", "stems", "cover")


@dataclass(frozen=True, slots=True)
class TrackStages:
    """One track's engine timings: ``stage_s`` maps stage name to wall seconds; ``duration_s`` is audio."""

    track_id: str
    idx: int
    duration_s: float | None
    stage_s: dict[str, float]

    def rtf(self) -> dict[str, float]:
        """Real-time factor of each stage as audio seconds per stage second (higher is faster)."""
        return stage_rtf(self.stage_s, self.duration_s or 0.0)


def track_dir(data_dir: Path, audio_id: str) -> Path:
    """Folder of one track's files: ``<data_dir>/files/tracks/<audioId>``."""
    if not audio_id or "/" in audio_id or audio_id.startswith("."):
        raise ValueError(f"not an audio id: {audio_id!r}")
    return data_dir / "files" / "tracks" / audio_id


def _connect_read_only(data_dir: Path) -> sqlite3.Connection:
    path = (data_dir / DATABASE_FILE).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no server database at {path}")
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10.0)


def read_track_stages(data_dir: Path, task_id: str) -> list[TrackStages]:
    """Stage seconds of every finished track of ``task_id`` (tracks joined with their task), by index."""
    query = (
        "SELECT tracks.id, tracks.idx, tracks.duration, tracks.stages_json FROM tracks "
        "JOIN tasks ON tasks.id = tracks.task_id "
        "WHERE tasks.id = ? AND tracks.state = 'complete' ORDER BY tracks.idx"
    )
    with closing(_connect_read_only(data_dir)) as db:
        rows = db.execute(query, (task_id,)).fetchall()
    return [
        TrackStages(str(track_id), int(idx), None if duration is None else float(duration), _stages(raw))
        for track_id, idx, duration, raw in rows
    ]


def _stages(raw: str | None) -> dict[str, float]:
    parsed = json.loads(raw or "{}")
    if not isinstance(parsed, dict):
        raise ValueError(f"stages_json is not an object: {raw!r}")
    return {str(name): float(seconds) for name, seconds in parsed.items()}


def stage_rtf(stage_s: Mapping[str, float], audio_s: float) -> dict[str, float]:
    """``audio_s`` / seconds of each stage, plus ``total`` over all stages; stages of 0 s are left out."""
    out = {name: audio_s / seconds for name, seconds in stage_s.items() if seconds > 0}
    total = sum(stage_s.values())
    if total > 0:
        out["total"] = audio_s / total
    return out


def pooled_stage_rtf(tracks: Iterable[TrackStages]) -> dict[str, float]:
    """Aggregate real-time factor per stage: all tracks' audio seconds / all their seconds in that stage.

    Pooling (rather than averaging per-track factors) weights each track by its length, so a 4-minute
    song counts four times a 1-minute one, as it does on the machine.
    """
    audio, spent = 0.0, dict[str, float]()
    for track in tracks:
        if not track.duration_s:
            continue
        audio += track.duration_s
        for name, seconds in track.stage_s.items():
            spent[name] = spent.get(name, 0.0) + seconds
    return stage_rtf(spent, audio) if audio > 0 else {}


def _read_audio(path: Path) -> DecodedAudio:
    data, sr = soundfile.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), int(sr)


def read_stems(data_dir: Path, audio_id: str) -> dict[str, DecodedAudio]:
    """Every stem of a track by family (``vocals``, ``drums``, …): float32 (channels, samples), rate."""
    folder = track_dir(data_dir, audio_id) / "stems"
    stems = {path.stem: _read_audio(path) for path in sorted(folder.glob("*.flac"))}
    if not stems:
        raise FileNotFoundError(f"no stems in {folder}")
    return stems


def has_master(data_dir: Path, audio_id: str) -> bool:
    """Whether the engine kept a lossless master of the track (older engines did not)."""
    return (track_dir(data_dir, audio_id) / "master.flac").is_file()


def read_master(data_dir: Path, audio_id: str) -> DecodedAudio:
    """The lossless mastered mix ``master.flac`` the stems were mastered into."""
    return _read_audio(track_dir(data_dir, audio_id) / "master.flac")


def read_vocal_notes(data_dir: Path, audio_id: str) -> list[Note]:
    """The lead vocal's notes (backing lines left out) of the track's ``score.json``, in seconds."""
    from tunesmith.music.score_io import score_from_json

    score = score_from_json((track_dir(data_dir, audio_id) / "score.json").read_text(encoding="utf-8"))
    vocal = score.vocal
    if vocal is None:
        return []
    lead = [s for s in vocal.syllables if not vocal.lines[s.line].backing]
    return [
        Note(score.seconds(n.start), score.seconds(n.end), float(n.pitch)) for s in lead for n in s.notes
    ]

