"""Listening to the user's upload before anything is written for it: the analysis, and what kind of audio it is.

The analysis (:mod:`tunesmith.analysis`) runs once per file: the text stage runs it and the cache of
:func:`tunesmith.engines.understanding.analyse_file` hands it to both tracks' renders (without a cache folder,
a per-process memo does). What this module decides from it, with the codes the task fails with:

* add-instrumental needs a voice: no singing found → 400 (:data:`MIN_SUNG_S`, :data:`MIN_NOTES`). A full song
  (the separated accompaniment within :data:`FULL_SONG_LU` of the vocal) is accompanied through its separated
  vocal; an a-cappella upload is used as it is.
* add-vocals needs an instrumental: words clearly sung in it → 400 (:data:`SUNG_WORDS`): the user's
  instrumental is never altered, so a song that already has a lead vocal is refused rather than separated.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tunesmith.analysis.pipeline import AnalysisPipeline, AnalysisResult
from tunesmith.analysis.types import SongAnalysis
from tunesmith.dsp.loudness import integrated_lufs
from tunesmith.dsp.types import Audio
from tunesmith.engines.base import SOURCE_UPLOAD, SongRequest
from tunesmith.engines.understanding import analyse_file
from tunesmith.errors import EngineError

if TYPE_CHECKING:
    from tunesmith.engines.builtin.engine import BuiltinEngine

MIN_SUNG_S = 3.0
"""add-instrumental: less voiced time than this (seconds) is no vocal to accompany."""
MIN_NOTES = 6
"""add-instrumental: fewer sung notes than this is no melody to harmonise."""
FULL_SONG_LU = 4.0
"""add-instrumental: a separated accompaniment within this many LU of the separated vocal (or louder) means the
upload is a whole song (its vocal is kept, its band replaced); quieter, it is the separation residue of an
a-cappella take (its reverb and breath: 9–22 LU under the vocal on eight engine vocals)."""
SUNG_WORDS = 8
"""add-vocals: this many words heard with :data:`WORD_CONFIDENCE` or more means the upload already has a vocal."""
WORD_CONFIDENCE = 0.5
UPLOAD_SLACK_S = 60.0
"""Decoding limit over the model's song length (the API already checked the upload's own length)."""

_memo: dict[str, AnalysisResult] = {}
_memo_lock = threading.Lock()


@dataclass(frozen=True)
class Heard:
    """The upload as the engine understands it: its analysis and separated stems (at ``sample_rate``)."""

    path: Path
    result: AnalysisResult

    @property
    def analysis(self) -> SongAnalysis:
        return self.result.analysis


def listen(engine: BuiltinEngine, request: SongRequest) -> Heard:
    """Analyse the request's upload (or read the analysis kept from an earlier stage)."""
    try:
        path = Path(request.source_paths[SOURCE_UPLOAD])
    except KeyError:
        raise EngineError("the task has no uploaded audio to work on") from None
    if not path.is_file():
        raise EngineError("the uploaded audio has expired or was deleted", code=404)
    pipeline = AnalysisPipeline(engine.analysis)
    limit = request.max_duration_s + UPLOAD_SLACK_S
    if engine.analysis_cache_dir is not None:
        return Heard(path, analyse_file(path, pipeline, max_seconds=limit, cache_dir=engine.analysis_cache_dir))
    key = f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
    with _memo_lock:
        if key not in _memo:
            _memo.clear()  # one upload at a time is plenty: both tracks of a task share it
            _memo[key] = analyse_file(path, pipeline, max_seconds=limit)
        return Heard(path, _memo[key])


def require_voice(heard: Heard) -> None:
    """add-instrumental: refuse (400) an upload in which nobody sings."""
    a = heard.analysis
    voiced = sum(end - start for start, end in a.vocal_spans)
    if not a.has_vocals or voiced < MIN_SUNG_S or len(a.melody) < MIN_NOTES:
        raise EngineError(f"uploadUrl has no singing voice to add a band to (heard {voiced:.1f} s of voice and "
                          f"{len(a.melody)} sung notes)", code=400)


def require_instrumental(heard: Heard) -> None:
    """add-vocals: refuse (400) an upload that already has a sung lead."""
    words = [w for w in heard.analysis.lyrics.words if w.probability >= WORD_CONFIDENCE]
    if heard.analysis.has_vocals and len(words) >= SUNG_WORDS:
        joiner = "" if heard.analysis.lyrics.language == "zh" else " "
        sample = joiner.join(w.text for w in words[:8])
        raise EngineError(f"uploadUrl already has a sung vocal (heard: \"{sample}…\"); add-vocals needs an "
                          f"instrumental", code=400)


def the_vocal(heard: Heard, sample_rate: int) -> tuple[Audio, bool]:
    """The vocal to accompany at ``sample_rate`` and whether it had to be separated from a full song."""
    from tunesmith.dsp.resample import resample

    stems = heard.result.stems
    vocal_lufs = integrated_lufs(stems.vocals, stems.sample_rate)
    rest_lufs = integrated_lufs(stems.accompaniment, stems.sample_rate)
    if np.isfinite(rest_lufs) and np.isfinite(vocal_lufs) and rest_lufs > vocal_lufs - FULL_SONG_LU:
        return resample(stems.vocals, stems.sample_rate, sample_rate), True
    return the_instrumental(heard, sample_rate), False


def the_instrumental(heard: Heard, sample_rate: int) -> Audio:
    """The upload itself (stereo or mono) at ``sample_rate``: add-vocals never alters it (nor add-instrumental
    an a-cappella take)."""
    from tunesmith.media.decode import decode_audio

    audio, _ = decode_audio(heard.path, max_seconds=heard.analysis.duration_s + 1.0, sample_rate=sample_rate)
    return audio
