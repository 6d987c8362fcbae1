"""The analysis benchmark: how well Tunesmith's music-understanding layer reads songs.

``python -m bench analysis`` (``make bench-analysis``; no server) writes ``bench/results/analysis-<stamp>.json``
and rebuilds the analysis table of BENCHMARKS.md. Three parts:

1. **Engine songs with exact truth** (``bench/sets/analysis/songs.json``, rendered by the built-in engine,
   cached; :mod:`bench.runner.engine_songs`): each master is analysed capability by capability
   (:mod:`bench.runner.analysis_stages`, so a failing capability is recorded and the rest still measured)
   and compared with its score (:mod:`bench.metrics.mir`): tempo within 4 % (strict; and with octave
   errors allowed), beat and downbeat F-measure, meter, key (MIREX weighted), chords (majmin per beat),
   section boundaries (F at ±3 s), vocal melody notes on the separated vocal (F1, onset ±50 ms, pitch
   ±50 cents, no offset), lyrics transcribed without the lyrics and without a language (WER for English,
   CER for Chinese, :mod:`bench.metrics.asr`'s normalisation), lyrics aligned when given (the lines the
   score sings, and the language: |word start − the engine's word start|, median ms), separation SDR of
   the vocal (lead + backing stems) and of the accompaniment (every other stem; the stems sum to the
   master), vocal activity per
   0.1 s frame against the vocal stems (frames within 40 dB of the loudest), and on instrumentals
   whatever is detected as voice or words (should be nothing).
2. **Real recordings** (:mod:`bench.runner.realmusic`): what can be checked without truth — tempo
   stability (coefficient of variation of the inter-beat intervals; tempo of each half), key of each
   half against each other, the separated "vocal" level against the mix (instrumentals: should be far
   below), detected vocal seconds and transcribed words (should be none), sections found.
3. **Speed and memory** (:mod:`bench.runner.analysis_speed`): the whole pipeline on the 3-minute song in a
   fresh child process: × real time, seconds per stage, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean, median
from typing import TYPE_CHECKING, Any

import numpy as np

from bench import report
from bench.metrics import asr, mir
from bench.runner import analysis_speed, analysis_stages, engine_songs, realmusic

if TYPE_CHECKING:
    from tunesmith.analysis.pipeline import AnalysisPipeline
    from tunesmith.analysis.types import Stems
    from tunesmith.music.score import Score

TARGETS: dict[str, tuple[str, float]] = {
    "tempo_share": (">=", 0.95),
    "beat_f": (">=", 0.90),
    "key_score": (">=", 0.85),
    "chord_accuracy": (">=", 0.80),
    "melody_f1": (">=", 0.80),
    "wer_en": ("<=", 0.15),
    "cer_zh": ("<=", 0.30),
    "vocal_sdr_db": (">=", 10.0),
    "x_realtime": (">=", 5.0),
    "peak_rss_mib": ("<=", 2048.0),
}
"""Issue 21's targets on the engine's songs (summary key → comparison, value)."""


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- engine songs --------------------------------------------------------------------------------------------


def evaluate_song(pipeline: AnalysisPipeline, song: engine_songs.RenderedSong) -> dict[str, Any]:
    """Every metric of one rendered song (see the module docstring); errors per capability recorded."""
    from tunesmith.music.score_io import score_from_json

    score = score_from_json(song.score_json)
    offset = _offset(score, song)
    truth = mir.score_truth(score, offset_s=offset)
    vocal = bool(song.item.lyrics)
    wall = time.perf_counter()
    part = analysis_stages.analyse(pipeline, song.master, song.sample_rate)  # no lyrics: words transcribed
    out: dict[str, Any] = {
        "id": song.item.id, "language": song.item.language, "vocal": vocal, "duration_s": round(song.duration_s, 2),
        "tuned_on": list(song.item.tuned_on),
        "render_s": song.render_s, "score_offset_s": round(offset, 4),
        "truth": {"bpm": round(truth.bpm, 3), "meter": list(truth.meter), "key": truth.key,
                  "sections": len(truth.boundaries) - 1, "melody_notes": len(truth.melody)},
    }  # fmt: skip
    out.update(_rhythm(part, truth))
    out.update(_tonal(part, truth))
    out.update(_voice(part, song, truth, score))
    if part.stems is not None:
        out.update(separation(song, part.stems))
    if vocal and part.stems is not None:
        from bench.runner.vocal_eval import lead_text

        spans = part.spans or ((0.0, song.duration_s),)
        out.update(_alignment(pipeline, part.stems, spans, song, lead_text(score)))
    out["analysis_s"] = round(time.perf_counter() - wall, 2)
    out["stage_s"] = part.seconds
    out["errors"] = part.errors
    return out


def _offset(score: Score, song: engine_songs.RenderedSong) -> float:
    """The render's lead-in against the score, from the first note of the first pitched part (bass first)."""
    parts = sorted((p for p in score.parts if not p.is_drum and p.notes), key=lambda p: p.family.value != "bass")
    if not parts:
        return 0.0
    stem = song.folder / "stems" / f"{parts[0].family.value}.flac"
    if not stem.exists():
        return 0.0
    audio, sr = engine_songs._flac(stem)
    lag = mir.measured_offset_s(score.seconds(min(n.start for n in parts[0].notes)), audio, sr)
    return lag if abs(lag) > 0.01 else 0.0  # attack shapes differ by a few ms: only a real lead-in counts


def _rhythm(part: analysis_stages.Partial, truth: mir.Truth) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tempo = part.tempo
    if tempo is None:
        return out
    beats = np.asarray(tempo.beats, dtype=np.float64)
    downbeats = beats[[i for i in tempo.downbeats if 0 <= i < len(beats)]]
    out["bpm"] = round(float(tempo.bpm), 2)
    out["tempo_ok"] = mir.tempo_ok(tempo.bpm, truth.bpm)
    out["tempo_ok_octave"] = mir.tempo_ok(tempo.bpm, truth.bpm, octave=True)
    out["beat_f"] = round(mir.beat_f(truth.beats, beats), 4)
    out["downbeat_f"] = round(mir.beat_f(truth.downbeats, downbeats), 4)
    out["meter"] = list(tempo.meter)
    out["meter_ok"] = tuple(tempo.meter) == truth.meter
    if part.sections is not None:
        bounds = sorted({s.start_s for s in part.sections} | {s.end_s for s in part.sections})
        out["sections"] = len(part.sections)
        out["section_labels"] = "".join(s.label[:1] for s in part.sections)
        out["boundary_f"] = round(mir.boundary_f(truth.boundaries, bounds), 4)
    return out


def _tonal(part: analysis_stages.Partial, truth: mir.Truth) -> dict[str, Any]:
    out: dict[str, Any] = {"key_input": part.key_input, "spans_input": part.spans_input}
    if part.key is not None:
        out["key"] = f"{mir.PITCH_NAMES[part.key.tonic]} {part.key.mode}"
        out["key_score"] = mir.key_score(truth.key, out["key"])
    if part.chords is not None:
        spans = [(c.start_s, c.end_s, mir.chord_label(c.root, c.quality)) for c in part.chords]
        mids = truth.beats + 0.5 * (60.0 / truth.bpm)
        accuracy = mir.chord_accuracy(truth.chord_per_beat, mir.labels_at(mids, spans))
        out["chord_accuracy"] = None if accuracy is None else round(accuracy, 4)
    return out


def _voice(part: analysis_stages.Partial, song: engine_songs.RenderedSong, truth: mir.Truth,
           score: Score) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if part.spans is not None:
        out.update(activity(song.vocals, song.sample_rate, part.spans))
    if part.melody is not None and song.item.lyrics:
        est = [(n.onset_s, n.offset_s, float(n.pitch)) for n in part.melody]
        p, r, f = mir.note_f1(truth.melody, est)
        out.update(melody_notes=len(est), melody_precision=round(p, 4), melody_recall=round(r, 4))
        out["melody_f1"] = round(f, 4)
        # where the backing voice sings the chorus in harmony the separated vocal holds two voices: the lead
        # alone is judged outside those sections too
        from tunesmith.engines.builtin.singer.backing import HARMONY_SECTIONS

        lag = truth.offset_s
        harmony = [(score.seconds(x.start) + lag, score.seconds(x.end) + lag) for x in score.sections
                   if x.kind in HARMONY_SECTIONS]  # fmt: skip
        _, _, solo = mir.note_f1(mir.notes_outside(truth.melody, harmony), mir.notes_outside(est, harmony))
        out["melody_f1_solo"] = round(solo, 4)
    if part.lyrics is not None:
        heard = part.lyrics.text
        out["lyrics_source"] = part.lyrics.source
        out["lyrics_language"] = part.lyrics.language
        out["words_heard"] = len(part.lyrics.words)
        out["heard"] = heard[:400]
        if song.item.language in ("en", "zh"):
            from bench.runner.vocal_eval import lead_text

            language: asr.Language = "zh" if song.item.language == "zh" else "en"
            out["lyrics_error"] = round(asr.lyrics_error_rate(lead_text(score), heard, language), 4)
    return out


def activity(vocals: np.ndarray, sample_rate: int, spans: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Frame precision/recall of the detected vocal spans against the vocal stems, and seconds detected."""
    truth = mir.active_frames(vocals, sample_rate)
    found = mir.span_frames(spans, truth.size)
    p, r = mir.precision_recall(truth, found)
    return {
        "vocal_spans": len(spans), "vocal_detected_s": round(float(sum(b - a for a, b in spans)), 2),
        "activity_precision": None if p is None else round(p, 4), "activity_recall": None if r is None else round(r, 4),
    }  # fmt: skip


def separation(song: engine_songs.RenderedSong, stems: Stems) -> dict[str, Any]:
    """SDR (dB) of the separated vocal and accompaniment against the engine's own stems: over the whole
    song, and the median over 1-second frames where the reference sounds."""
    sr = song.sample_rate
    est_v = _matched(stems.vocals, stems.sample_rate, song.vocals, sr)
    est_a = _matched(stems.accompaniment, stems.sample_rate, song.accompaniment, sr)
    ref_v, ref_a = _matched(song.vocals, sr, est_v, sr), _matched(song.accompaniment, sr, est_a, sr)
    out: dict[str, Any] = {"separator": stems.method}
    if bool(song.item.lyrics):
        out["vocal_sdr_db"] = round(mir.sdr_db(ref_v, est_v), 2)
        out["vocal_sdr_frames_db"] = round(mir.framewise_sdr_db(ref_v, est_v, sr), 2)
    else:  # nothing should come out as voice: its level against the mix
        out["vocal_leak_db"] = round(level_db(est_v, song.master), 2)
    out["accompaniment_sdr_db"] = round(mir.sdr_db(ref_a, est_a), 2)
    out["accompaniment_sdr_frames_db"] = round(mir.framewise_sdr_db(ref_a, est_a, sr), 2)
    return out


def _matched(audio: np.ndarray, sample_rate: int, like: np.ndarray, like_rate: int) -> np.ndarray:
    """``audio`` at ``like_rate``, mono when its channel count differs from ``like``'s, cut to ``like``'s length."""
    from tunesmith.dsp.resample import resample

    x = np.asarray(audio, dtype=np.float32)
    if sample_rate != like_rate:
        x = resample(x, sample_rate, like_rate)
    if x.shape[0] != like.shape[0]:
        x = x.mean(axis=0, keepdims=True)
    return x[:, : min(x.shape[1], like.shape[1])]


def level_db(part: np.ndarray, whole: np.ndarray) -> float:
    """RMS level of ``part`` relative to ``whole`` in dB (−120 for silence)."""
    p = float(np.sqrt(np.mean(np.asarray(part, dtype=np.float64) ** 2)))
    w = float(np.sqrt(np.mean(np.asarray(whole, dtype=np.float64) ** 2)))
    return 20.0 * float(np.log10(max(p, 1e-6 * w, 1e-12) / max(w, 1e-12)))


def _alignment(pipeline: AnalysisPipeline, stems: Stems, spans: tuple[tuple[float, float], ...],
               song: engine_songs.RenderedSong, lyrics: str) -> dict[str, Any]:
    """Align ``lyrics`` (the lines the score sings, in order: a section the form dropped is not given, a
    repeated one is given twice) and compare each word's start with the engine's own word times."""
    aligned, error, seconds = analysis_stages.read_words(
        pipeline, stems, spans, lyrics=lyrics, language=song.item.language
    )
    if aligned is None:
        return {"align_error": error, "align_s": seconds}
    est = [(w.text, w.start_s) for w in aligned.words]
    timing = mir.word_start_error([(t, a) for t, a, _ in song.words], est, song.item.language or "en")
    return {
        "align_s": seconds, "align_source": aligned.source, "align_words": len(est),
        "align_median_abs_ms": _round(timing.median_abs_ms, 1), "align_p90_abs_ms": _round(timing.p90_abs_ms, 1),
        "align_within_100ms": _round(timing.within_100ms, 4), "align_matched_share": round(timing.matched_share, 4),
    }  # fmt: skip


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- real recordings -----------------------------------------------------------------------------------------


def evaluate_real(pipeline: AnalysisPipeline, track: realmusic.Track) -> dict[str, Any]:
    """What can be checked on a recording without truth (see the module docstring)."""
    audio, sr = realmusic.excerpt(track)
    wall = time.perf_counter()
    part = analysis_stages.analyse(pipeline, audio, sr)
    out: dict[str, Any] = {"track": track.name, "track_s": round(track.duration_s, 1),
                           "excerpt_s": round(audio.shape[1] / sr, 1), "sample_rate": sr}  # fmt: skip
    if part.tempo is not None and len(part.tempo.beats) > 4:
        out.update(tempo_stability(np.asarray(part.tempo.beats, dtype=np.float64)))
        out["bpm"] = round(float(part.tempo.bpm), 2)
        out["meter"] = list(part.tempo.meter)
    if part.key is not None:
        out["key"] = part.key.name()
        out.update(_key_halves(pipeline, part, audio, sr))
    if part.stems is not None:
        out["vocal_level_db"] = round(level_db(part.stems.vocals, audio), 2)
    if part.spans is not None:
        out["vocal_detected_s"] = round(float(sum(b - a for a, b in part.spans)), 2)
    if part.lyrics is not None:
        out["words_heard"] = len(part.lyrics.words)
        out["heard"] = part.lyrics.text[:200]
    if part.sections:
        out["sections"] = len(part.sections)
        out["section_mean_s"] = round(mean(s.end_s - s.start_s for s in part.sections), 2)
        out["section_labels"] = "".join(s.label[:1] for s in part.sections)
    out["analysis_s"] = round(time.perf_counter() - wall, 2)
    out["x_realtime"] = round(out["excerpt_s"] / max(sum(part.seconds.values()), 1e-9), 2)
    out["stage_s"] = part.seconds
    out["errors"] = part.errors
    return out


def tempo_stability(beats: np.ndarray) -> dict[str, Any]:
    """Coefficient of variation of the inter-beat intervals, the tempo (60 / median interval) of each half
    of the beats, and whether the halves agree within 4 %."""
    ibi = np.diff(beats)
    half = len(ibi) // 2
    first, second = 60.0 / float(np.median(ibi[:half])), 60.0 / float(np.median(ibi[half:]))
    return {
        "ibi_cv": round(float(np.std(ibi) / np.mean(ibi)), 4),
        "bpm_halves": [round(first, 2), round(second, 2)],
        "tempo_halves_agree": mir.tempo_ok(second, first),
    }


def _key_halves(pipeline: AnalysisPipeline, part: analysis_stages.Partial, audio: np.ndarray,
                sr: int) -> dict[str, Any]:
    source, rate = (part.stems.accompaniment, part.stems.sample_rate) if part.stems is not None else (audio, sr)
    n = source.shape[1] // 2
    try:
        finder = pipeline.analyser("key")
        halves = [finder.find_key(source[:, :n], rate), finder.find_key(source[:, n:], rate)]
    except Exception as exc:  # noqa: BLE001 - recorded, the other figures stand
        return {"key_halves_error": f"{type(exc).__name__}: {exc}"[:300]}
    names = [k.name() for k in halves]
    return {"key_halves": names, "key_halves_agree": names[0] == names[1]}


# --- summary and run -----------------------------------------------------------------------------------------


def _share(rows: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [bool(r[key]) for r in rows if key in r]
    return round(sum(values) / len(values), 4) if values else None


def _mean(rows: Sequence[dict[str, Any]], key: str, digits: int = 4) -> float | None:
    values = [float(r[key]) for r in rows if r.get(key) is not None and np.isfinite(float(r[key]))]
    return round(mean(values), digits) if values else None


def summarise(songs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Set-level figures of the engine songs (means over the songs each metric applies to)."""
    vocal = [s for s in songs if s["vocal"]]
    inst = [s for s in songs if not s["vocal"]]
    held_out = [s for s in vocal if "lyrics" not in s.get("tuned_on", [])]
    aligned = [s["align_median_abs_ms"] for s in vocal if s.get("align_median_abs_ms") is not None]
    return {
        "songs": len(songs), "vocal_songs": len(vocal), "instrumentals": len(inst),
        "tempo_share": _share(songs, "tempo_ok"), "tempo_share_octave": _share(songs, "tempo_ok_octave"),
        "beat_f": _mean(songs, "beat_f"), "downbeat_f": _mean(songs, "downbeat_f"),
        "meter_share": _share(songs, "meter_ok"),
        "key_score": _mean(songs, "key_score"), "chord_accuracy": _mean(songs, "chord_accuracy"),
        "boundary_f": _mean(songs, "boundary_f"),
        "melody_f1": _mean(vocal, "melody_f1"), "melody_f1_solo": _mean(vocal, "melody_f1_solo"),
        "melody_precision": _mean(vocal, "melody_precision"),
        "melody_recall": _mean(vocal, "melody_recall"),
        # The lyric figures that decide the targets come from songs no one tuned the words on; "_all" adds the
        # songs the lyrics reader's strategy was chosen on.
        "wer_en": _mean([s for s in held_out if s["language"] == "en"], "lyrics_error"),
        "cer_zh": _mean([s for s in held_out if s["language"] == "zh"], "lyrics_error"),
        "wer_en_all": _mean([s for s in vocal if s["language"] == "en"], "lyrics_error"),
        "cer_zh_all": _mean([s for s in vocal if s["language"] == "zh"], "lyrics_error"),
        "align_median_abs_ms": round(median(aligned), 1) if aligned else None,
        "align_within_100ms": _mean(vocal, "align_within_100ms"),
        "vocal_sdr_db": _mean(vocal, "vocal_sdr_db", 2), "vocal_sdr_frames_db": _mean(vocal, "vocal_sdr_frames_db", 2),
        "accompaniment_sdr_db": _mean(songs, "accompaniment_sdr_db", 2),
        "accompaniment_sdr_frames_db": _mean(songs, "accompaniment_sdr_frames_db", 2),
        "activity_precision": _mean(vocal, "activity_precision"), "activity_recall": _mean(vocal, "activity_recall"),
        "instrumental_vocal_s": round(sum(s.get("vocal_detected_s", 0.0) for s in inst), 2) if inst else None,
        "instrumental_words": sum(int(s.get("words_heard", 0)) for s in inst) if inst else None,
        "instrumental_vocal_leak_db": _mean(inst, "vocal_leak_db", 2),
        "x_realtime_mean": _x_realtime(songs),
        "capability_errors": sorted({k for s in songs for k in s.get("errors", {})}),
    }  # fmt: skip


def _x_realtime(songs: Sequence[dict[str, Any]]) -> float | None:
    seconds = sum(sum(s["stage_s"].values()) for s in songs)
    return round(sum(s["duration_s"] for s in songs) / seconds, 2) if seconds else None


def summarise_real(tracks: Sequence[dict[str, Any]]) -> dict[str, Any]:
    cvs = [t["ibi_cv"] for t in tracks if "ibi_cv" in t]
    return {
        "tracks": len(tracks),
        "ibi_cv_median": round(median(cvs), 4) if cvs else None,
        "tempo_halves_agree": _share(tracks, "tempo_halves_agree"),
        "key_halves_agree": _share(tracks, "key_halves_agree"),
        "vocal_level_db_mean": _mean(tracks, "vocal_level_db", 2),
        "vocal_level_db_max": max((t["vocal_level_db"] for t in tracks if "vocal_level_db" in t), default=None),
        "vocal_detected_s": round(sum(t.get("vocal_detected_s", 0.0) for t in tracks), 2),
        "words_heard": sum(int(t.get("words_heard", 0)) for t in tracks),
        "sections_mean": _mean(tracks, "sections", 2), "section_mean_s": _mean(tracks, "section_mean_s", 2),
        "x_realtime_mean": _mean(tracks, "x_realtime", 2),
    }  # fmt: skip


def run(*, fresh: bool = False, with_real: bool = True, with_speed: bool = True,
        only: Sequence[str] = ()) -> dict[str, Any]:
    """The whole benchmark (see the module docstring); the record, complete unless interrupted."""
    from tunesmith.analysis.pipeline import AnalysisPipeline

    t0 = time.monotonic()
    digest = engine_songs.engine_digest()
    record: dict[str, Any] = {
        "suite": "analysis", "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": report.machine(), "commit": report.commit(), "engine_digest": digest, "complete": False,
        "targets": {k: list(v) for k, v in TARGETS.items()}, "errors": [],
    }  # fmt: skip
    items = [i for i in engine_songs.load_items() if not only or i.id in only]
    pipeline = AnalysisPipeline()
    load_s, load_errors = analysis_stages.load_all(pipeline)
    record["load_s"], record["load_errors"] = load_s, load_errors
    record["errors"] += [f"load: {k}: {v}" for k, v in load_errors.items()]
    try:
        _songs(record, pipeline, [i for i in items if i.role == "truth"], digest, fresh)
        speed_item = next((i for i in items if i.role == "speed"), None)
        if with_speed and speed_item is not None:
            _speed(record, speed_item, digest, fresh)
        if with_real:
            _real(record, pipeline)
        record["complete"] = True
    except KeyboardInterrupt:
        record["errors"].append("interrupted")
    record["wall_s"] = round(time.monotonic() - t0, 1)
    write(record)
    return record


def _songs(record: dict[str, Any], pipeline: AnalysisPipeline, items: Sequence[engine_songs.AnalysisItem],
           digest: str, fresh: bool) -> None:
    rows: list[dict[str, Any]] = record.setdefault("songs", [])
    for item in items:
        say(f"analysis: {item.id} …")
        try:
            song = engine_songs.rendered(item, digest=digest, fresh=fresh)
            row = evaluate_song(pipeline, song)
        except Exception as exc:  # noqa: BLE001 - a broken song must not lose the others' results
            row = {"id": item.id, "language": item.language, "vocal": bool(item.lyrics), "duration_s": 0.0,
                   "stage_s": {}, "error": f"{type(exc).__name__}: {exc}"[:500]}  # fmt: skip
            record["errors"].append(f"song: {item.id}: {row['error']}")
        rows.append(row)
        say("  " + _song_line(row))
        record["summary"] = summarise(rows)
        write(record)


def _song_line(row: dict[str, Any]) -> str:
    keys = ("bpm", "tempo_ok", "beat_f", "downbeat_f", "key", "key_score", "chord_accuracy", "melody_f1",
            "lyrics_error", "align_median_abs_ms", "vocal_sdr_db", "accompaniment_sdr_db", "analysis_s")
    shown = ", ".join(f"{k} {row[k]}" for k in keys if k in row)
    problems = row.get("errors") or row.get("error")
    return shown + (f" | errors: {problems}" if problems else "")


def _speed(record: dict[str, Any], item: engine_songs.AnalysisItem, digest: str, fresh: bool) -> None:
    say(f"speed: {item.id} (whole pipeline in a child process) …")
    try:
        song = engine_songs.rendered(item, digest=digest, fresh=fresh)
        record["speed"] = {"item": item.id, **analysis_speed.measure(song.folder / "master.flac")}
    except Exception as exc:  # noqa: BLE001 - recorded
        record["speed"] = {"item": item.id, "error": f"{type(exc).__name__}: {exc}"[:500]}
    if record["speed"].get("error"):
        record["errors"].append(f"speed: {record['speed']['error'][:300]}")
    say(f"  {record['speed']}")
    write(record)


def _real(record: dict[str, Any], pipeline: AnalysisPipeline) -> None:
    say("real recordings: fetching Debian soundtrack packages …")
    tracks, fetch_errors = realmusic.gather()
    out: dict[str, Any] = {"packages": list(realmusic.PACKAGES), "fetch_errors": fetch_errors, "tracks": []}
    record["real"] = out
    record["errors"] += [f"real: fetch {k}: {v}" for k, v in fetch_errors.items()]
    for track in tracks:
        say(f"real: {track.name} …")
        try:
            row = evaluate_real(pipeline, track)
        except Exception as exc:  # noqa: BLE001 - recorded
            row = {"track": track.name, "error": f"{type(exc).__name__}: {exc}"[:500]}
            record["errors"].append(f"real: {track.name}: {row['error']}")
        out["tracks"].append(row)
        say(f"  {row}")
        out["summary"] = summarise_real(out["tracks"])
        write(record)


def write(record: dict[str, Any]) -> Path:
    """Write (or overwrite) ``bench/results/analysis-<stamp>.json``."""
    stamp = record["started_at"].replace(":", "").replace("-", "")
    path = report.RESULTS_DIR / f"analysis-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_arguments(parser)
    return run_cli(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fresh", action="store_true", help="render the engine songs again, ignoring the cache")
    parser.add_argument("--no-real", action="store_true", help="skip the real recordings (no apt download)")
    parser.add_argument("--no-speed", action="store_true", help="skip the 3-minute speed/memory run")
    parser.add_argument("--only", nargs="*", default=[], help="only these song ids")
    parser.add_argument("--no-table", action="store_true", help="do not rebuild the tables of BENCHMARKS.md")


def run_cli(args: argparse.Namespace) -> int:
    record = run(fresh=args.fresh, with_real=not args.no_real, with_speed=not args.no_speed, only=args.only)
    if not args.no_table:
        report.update_benchmarks_md()
    print(json.dumps({"summary": record.get("summary"), "speed": record.get("speed"),
                      "real": (record.get("real") or {}).get("summary")}, indent=1, ensure_ascii=False))  # fmt: skip
    print(f"errors: {len(record['errors'])}; results: {write(record)}")
    return 0 if record["complete"] else 1


if __name__ == "__main__":
    sys.exit(main())
