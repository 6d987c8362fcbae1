"""An edited track's files, named and shaped as a generated track's (see ``BuiltinEngine.render``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.engines.base import ProgressSink, TrackPlan, TrackResult
from tunesmith.engines.builtin.continuation.material import Edited
from tunesmith.media.mp3 import MP3_SAMPLE_RATE

if TYPE_CHECKING:
    from tunesmith.engines.builtin.engine import _StageTimer


def write_outputs(edited: Edited, track: TrackPlan, workdir: Path, stream: ProgressSink, timer: _StageTimer, *,
                  chunk_seconds: float) -> TrackResult:  # fmt: skip
    """Encode and stream the MP3 (byte-identical to ``audio.mp3``), write the stems, the lossless master,
    the cover and the score into ``workdir``."""
    from tunesmith.engines.builtin.engine import (
        AUDIO_FILE,
        COVER_FILE,
        MASTER_FILE,
        SCORE_FILE,
        STEMS_DIR,
        _cover,
        _Tee,
        _write_score,
        _write_stems,
    )
    from tunesmith.media.audio_io import write_flac
    from tunesmith.media.mp3 import encode_progressive

    workdir.mkdir(parents=True, exist_ok=True)
    audio = workdir / AUDIO_FILE
    with timer("encode"), audio.open("wb") as file:
        encode_progressive(edited.master, MP3_SAMPLE_RATE, _Tee(stream, file), chunk_seconds=chunk_seconds)
    with timer("stems"):
        stem_files = _write_stems(edited.stems, workdir / STEMS_DIR, edited.sample_rate)  # the user's "source" too
        master = write_flac(workdir / MASTER_FILE, edited.master, MP3_SAMPLE_RATE, bits=24)
    with timer("cover"):
        cover = _cover(track.title, track.tags, track.seed, workdir / COVER_FILE)
    return TrackResult(
        duration_s=edited.master.shape[1] / MP3_SAMPLE_RATE,
        audio_mp3=audio,
        cover_image=cover,
        score_json=_write_score(edited.score, workdir / SCORE_FILE),
        stems=stem_files,
        master_audio=master,
        words=edited.words,
        stage_seconds=timer.seconds,
    )
