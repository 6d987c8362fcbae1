"""The add-instrumental / add-vocals benchmark's inputs: the sets of ``bench/sets/add/`` and the audio each
case uploads, with what is known about it.

* ``sources.json``: songs the built-in engine renders (no server, cached like the analysis bench's songs:
  :func:`bench.runner.engine_songs.rendered`): vocal songs with custom lyrics (EN and ZH), whose lead
  ``vocals`` stem is the a-cappella a singer would upload and whose score gives its key and notes, and
  instrumentals, whose master is the backing a producer would upload.
* ``add_instrumental.json``: a vocal per case — a source's lead vocal from 1 s before its first note, at
  most ``seconds`` long; ``drift`` ``[first rate, last rate]`` time-stretches it progressively (pitch kept)
  so that the tempo wanders as a singer without a click does: the truth notes move with it.
* ``add_vocals.json``: an instrumental per case — an engine instrumental's master, or a track of a Debian
  free-game soundtrack package (:mod:`bench.runner.realmusic`, ``real: {package, index}``), its first
  ``seconds``; the lyrics are written for this set and ``tuned_on`` lists what was tuned on a case
  (its figures for that are then not held out).

``--max-input-s`` (a shake-out run) cuts every upload shorter; truth is cut with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.metrics import mir
from bench.runner import engine_songs, realmusic

SET_DIR = engine_songs.ROOT / "bench" / "sets" / "add"
LEAD_IN_S = 1.0
DRIFT_SEGMENTS = 8
Audio = npt.NDArray[np.float32]
Note = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Case:
    """One request of the set: ``endpoint`` "add-instrumental" | "add-vocals", the input's origin, the body."""

    id: str
    endpoint: str
    body: dict[str, Any]
    seconds: float
    source: str | None = None  # a key of sources.json
    real: dict[str, Any] | None = None  # {"package", "index"}
    drift: tuple[float, float] | None = None
    language: str | None = None
    timing: bool = False  # the case whose time to SUCCESS is the headline figure
    runs: int = 1
    tuned_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Upload:
    """What a case uploads (float32 ``(channels, n)`` at ``sample_rate``) and what is known about it: for a
    vocal its key (tonic, "major"/"minor") and its notes (seconds of the upload), for an engine
    instrumental its key."""

    audio: Audio
    sample_rate: int
    key: tuple[int, str] | None = None
    notes: tuple[Note, ...] = ()
    origin: dict[str, Any] = field(default_factory=dict)
    chords: tuple[tuple[float, float, tuple[int, ...]], ...] = ()
    """A vocal's own song's chords (start s, end s, pitch classes) in the upload's time: the reference for the
    chord tones of the new backing (no backing can do much better than the song the line was written for)."""

    @property
    def duration_s(self) -> float:
        return float(self.audio.shape[1] / self.sample_rate)


def load_cases(directory: Path = SET_DIR) -> list[Case]:
    out: list[Case] = []
    for endpoint in ("add-instrumental", "add-vocals"):
        raw = json.loads((directory / f"{endpoint.replace('-', '_')}.json").read_text(encoding="utf-8"))
        for r in raw:
            drift = r.get("drift")
            out.append(Case(
                r["id"], endpoint, dict(r["body"]), float(r["seconds"]), r.get("source"), r.get("real"),
                (float(drift[0]), float(drift[1])) if drift else None, r.get("language"), bool(r.get("timing")),
                int(r.get("runs", 1)), tuple(r.get("tuned_on", ())),
            ))  # fmt: skip
    return out


def load_sources(directory: Path = SET_DIR) -> dict[str, engine_songs.AnalysisItem]:
    raw = json.loads((directory / "sources.json").read_text(encoding="utf-8"))
    return {k: engine_songs.AnalysisItem(f"add-{k}", v.get("language"), "add", dict(v["request"]))
            for k, v in raw.items()}  # fmt: skip


# --- building an upload --------------------------------------------------------------------------------------


def build(case: Case, sources: dict[str, engine_songs.AnalysisItem], *, digest: str,
          max_input_s: float | None = None) -> Upload:
    """The audio ``case`` uploads, with its truth (see the module docstring)."""
    seconds = min(case.seconds, max_input_s) if max_input_s else case.seconds
    if case.real is not None:
        return _real(case.real, seconds)
    if case.source is None:
        raise ValueError(f"{case.id}: neither a source nor a real track")
    song = engine_songs.rendered(sources[case.source], digest=digest)
    upload = _vocal(song, seconds) if case.endpoint == "add-instrumental" else _instrumental(song, seconds)
    return drifted(upload, *case.drift) if case.drift else upload


def _score_key(song: engine_songs.RenderedSong) -> tuple[int, str]:
    from tunesmith.music.score_io import score_from_json
    from tunesmith.music.theory import MODE_FAMILY

    key = score_from_json(song.score_json).key
    return key.tonic, MODE_FAMILY.get(key.mode, "major")


def _vocal(song: engine_songs.RenderedSong, seconds: float) -> Upload:
    """The lead vocal stem from :data:`LEAD_IN_S` before its first sung note, ``seconds`` long at most."""
    from tunesmith.music.score_io import score_from_json
    from tunesmith.music.theory import chord_pitch_classes

    lead, sr = engine_songs._flac(song.folder / "stems" / "vocals.flac")
    melody = mir.lead_melody(score_from_json(song.score_json))
    if not melody:
        raise ValueError(f"{song.item.id}: the source sings no notes")
    lag = mir.measured_offset_s(melody[0][0], lead, sr)
    # Only a real lead-in (the audio later than the score) counts: attack shapes differ by a few ms, and sound
    # *before* the first note is its consonant (the singer puts the vowel on the note: 45-105 ms in Chinese).
    lag = lag if lag > 0.01 else 0.0
    start = max(0.0, melody[0][0] + lag - LEAD_IN_S)
    audio = lead[:, round(start * sr): round((start + seconds) * sr)]
    end = audio.shape[1] / sr
    notes = tuple((a + lag - start, b + lag - start, p) for a, b, p in melody if b + lag - start <= end)
    score = score_from_json(song.score_json)
    chords = tuple((score.seconds(c.start) + lag - start, score.seconds(c.start + c.duration) + lag - start,
                    chord_pitch_classes(c.root, c.quality)) for c in score.chords if c.root >= 0)
    return Upload(np.ascontiguousarray(audio), sr, _score_key(song), notes,
                  {"source": song.item.id, "start_s": round(start, 3), "render_lead_in_s": round(lag, 4)}, chords)


def _instrumental(song: engine_songs.RenderedSong, seconds: float) -> Upload:
    sr = song.sample_rate
    audio = song.master[:, : round(seconds * sr)]
    return Upload(np.ascontiguousarray(audio), sr, _score_key(song), (), {"source": song.item.id})


def _real(real: dict[str, Any], seconds: float) -> Upload:
    package, index = str(real["package"]), int(real.get("index", 0))
    tracks = realmusic.pick_tracks(package, realmusic.fetch(package), per_package=index + 1)
    if len(tracks) <= index:
        raise ValueError(f"{package} has no track {index} of at least {realmusic.MIN_TRACK_S:.0f} s")
    audio, sr = realmusic.excerpt(tracks[index], seconds)
    return Upload(audio, sr, None, (), {"track": tracks[index].name})


# --- a singer who drifts -------------------------------------------------------------------------------------


def drift_plan(duration_s: float, first_rate: float, last_rate: float,
               segments: int = DRIFT_SEGMENTS) -> list[tuple[float, float, float]]:
    """(start s, end s, rate) of equal segments of the input whose stretch rate goes linearly from
    ``first_rate`` to ``last_rate`` (rate > 1 faster, < 1 slower, as :func:`librosa.effects.time_stretch`)."""
    edges = np.linspace(0.0, duration_s, segments + 1)
    rates = np.linspace(first_rate, last_rate, segments)
    return [(float(a), float(b), float(r)) for a, b, r in zip(edges[:-1], edges[1:], rates, strict=True)]


def drifted_time(seconds: float, plan: Sequence[tuple[float, float, float]]) -> float:
    """Where ``seconds`` of the input lands once every segment of ``plan`` is stretched."""
    out = 0.0
    for start, end, rate in plan:
        if seconds <= end:
            return out + (max(seconds, start) - start) / rate
        out += (end - start) / rate
    return out + (seconds - plan[-1][1]) / plan[-1][2]


def drifted(upload: Upload, first_rate: float, last_rate: float) -> Upload:
    """``upload`` time-stretched segment by segment along :func:`drift_plan` (phase vocoder, pitch kept), its
    notes moved with it."""
    import librosa

    sr = upload.sample_rate
    plan = drift_plan(upload.duration_s, first_rate, last_rate)
    parts = [librosa.effects.time_stretch(upload.audio[:, round(a * sr): round(b * sr)], rate=r)
             for a, b, r in plan]  # fmt: skip
    audio = np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)
    notes = tuple((drifted_time(a, plan), drifted_time(b, plan), p) for a, b, p in upload.notes)
    origin = {**upload.origin, "drift": [first_rate, last_rate], "drift_segments": len(plan)}
    chords = tuple((drifted_time(a, plan), drifted_time(b, plan), tones) for a, b, tones in upload.chords)
    return Upload(audio, sr, upload.key, notes, origin, chords)
