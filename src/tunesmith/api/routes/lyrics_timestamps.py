"""Timestamped lyrics (hosted API §3.12): ``POST /api/v1/generate/get-timestamped-lyrics``, synchronous.

The track is picked by ``audioId`` (wins) or ``musicIndex`` (0|1; default the first track). The word
times are the singer's own; the waveform is the peak envelope of the stored master.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter

from tunesmith.api.deps import BodyDep, ContainerDep, KeyDep
from tunesmith.api.errors import ok
from tunesmith.api.schemas.timestamps import TimestampsBody, timestamped_lyrics
from tunesmith.api.submit import parse
from tunesmith.db.models import Track
from tunesmith.dsp.envelope import peak_envelope
from tunesmith.engines.codec import words_from_json
from tunesmith.errors import BadRequest, NotFound
from tunesmith.media.audio_io import read_audio
from tunesmith.music.score import Score
from tunesmith.music.score_io import score_from_json
from tunesmith.storage.blobs import BlobStore
from tunesmith.tasks import service

router = APIRouter(prefix="/api/v1/generate", tags=["music"])

WAVEFORM_POINTS_PER_S = 4
WAVEFORM_POINTS = (200, 1000)  # fewest and most points of ``waveformData``


def _file(store: BlobStore, key: str | None) -> Path:
    path = store.local_path(key) if key else None
    if path is None or not path.is_file():
        raise NotFound(f"the files of this track have expired: {key}")
    return path


def _waveform(store: BlobStore, track: Track) -> list[float]:
    master = f"tracks/{track.id}/master.flac"
    audio, rate = read_audio(_file(store, master if store.exists(master) else track.audio_key))
    low, high = WAVEFORM_POINTS
    points = min(high, max(low, round(audio.shape[1] / rate * WAVEFORM_POINTS_PER_S)))
    return [round(float(v), 3) for v in peak_envelope(audio, points)]


def _score(store: BlobStore, track: Track) -> Score:
    return score_from_json(_file(store, track.score_key).read_text(encoding="utf-8"))


@router.post("/get-timestamped-lyrics", summary="Get word-level timestamps of a track's lyrics")
def get_timestamped_lyrics(body: BodyDep, key: KeyDep, c: ContainerDep) -> dict[str, Any]:
    req = parse(TimestampsBody, body)
    if req.musicIndex is not None and req.musicIndex not in (0, 1):
        raise BadRequest("musicIndex must be 0 or 1")
    _, track = service.owned_track(c.db, key.id, req.taskId, req.audioId, req.musicIndex)
    words = words_from_json(track.words_json)
    score = _score(c.store, track) if words else None
    return ok(timestamped_lyrics(words, score, _waveform(c.store, track)))
