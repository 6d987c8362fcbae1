"""The add-instrumental / add-vocals benchmark: a band for a vocal, a voice for a band, through the real API.

``python -m bench add`` (``make bench-add``) starts a real server (:mod:`bench.runner.server`), builds each
case's upload (:mod:`bench.runner.add_inputs`: engine vocals and instrumentals with known truth, real
soundtrack recordings), and drives the API as a user would (:mod:`bench.runner.add_api`). It writes
``bench/results/add-<stamp>.json`` and rebuilds the add table of BENCHMARKS.md (:mod:`bench.runner.add_report`).

Per track of an **add-instrumental** task (the vocal's timeline: the upload's notes moved by where the
upload sits in the output's vocal stem, found by cross-correlation):

- the backing's key (the output master less the user's vocal stem, :mod:`tunesmith.analysis`'s key finder)
  against the vocal's key (the source score's);
- the vocal's note onsets against the backing's beats: from the track's ``score.json`` (its beat grid,
  ``beat_times`` where the band follows a drifting singer) — median distance to the nearest beat and to the
  nearest eighth — and, as heard, from the analysis beat tracker on the drums and bass stems;
- the share of sung notes whose pitch class is a tone of the score's chord at the note's midpoint
  (:func:`tunesmith.music.theory.chord_pitch_classes`), and of those in that chord or the score's scale;
- the vocal stem against the upload: correlation (target ≥ 0.999) and gain.

Per track of an **add-vocals** task (the instrumental's timeline; its beats, key and chords found by the
analysis layer on the upload itself): the share of the lead's notes (the output's ``score.json``) in the
detected chord, or in the chord or the key's scale; the share of phrase starts (each lead line's first
note) within 50 ms of a detected beat; Whisper's WER (EN) / CER (ZH) on the delivered MP3, cut to its sung
part as the vocal set does (:func:`bench.runner.vocal_eval.mix_span`: Whisper writes credits into a silent
or instrumental intro), against the lines the score sings (:mod:`bench.metrics.asr`, the bench's judge and
normalisation; held-out cases only for the target); the non-vocal stem against the upload (correlation, and
the gain the mastering applied).

Both: integrated loudness and true peak of the MP3, the two tracks' new parts against each other, the
stems' sum against the master, and the time to SUCCESS (the case marked ``timing``: 2 minutes of input).
Cases run in the set's order on one server; the timing cases come after others, so that the time to SUCCESS
is a warm server's (the first task of a fresh server also loads the analysis models). A case with ``runs`` 2
is submitted twice (the second time with the next ``seed``): the spread of its figures
is the run-to-run noise.

``--cases`` runs only the named cases and ``--max-input-s`` cuts every upload (a shake-out run:
``python -m bench add --cases ai-en-rock --max-input-s 30 --single-run --no-table``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench import report
from bench.metrics import asr, audio
from bench.runner import add_api, add_inputs, add_metrics, add_summary, engine_songs
from bench.runner.server import Server, running_server

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from tunesmith.analysis.pipeline import AnalysisPipeline
    from tunesmith.music.score import Score

USER_STEMS = {"add-instrumental": ("vocals",), "add-vocals": ("source", "instrumental")}
"""The stem that holds the user's own audio in an output, by endpoint, in the order looked for (the built-in
engine's ``accompany.USER_VOCAL`` and ``USER_INSTRUMENTAL``)."""
RHYTHM_STEMS = ("drums", "bass", "percussion")
PHRASE_WINDOW_S = 0.05


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- one track -----------------------------------------------------------------------------------------------


def user_stem(out: add_api.TrackOutput, endpoint: str) -> str:
    """The name of the output's stem that carries the upload."""
    found = next((name for name in USER_STEMS[endpoint] if name in out.stems), None)
    if found is None:
        raise ValueError(f"no stem named {' or '.join(USER_STEMS[endpoint])} among {sorted(out.stems)}")
    return found


def _at_rate(upload: add_inputs.Upload, rate: int) -> np.ndarray:
    from tunesmith.dsp.resample import resample

    return resample(upload.audio, upload.sample_rate, rate)


def common(out: add_api.TrackOutput, endpoint: str, upload: add_inputs.Upload) -> tuple[dict[str, Any], float]:
    """Figures both endpoints share, and the upload's lag (s) in the output."""
    name = user_stem(out, endpoint)
    match = add_metrics.aligned_match(_at_rate(upload, out.sample_rate), out.stems[name], out.sample_rate)
    row: dict[str, Any] = {
        "audio_id": out.audio_id, "user_stem": name, "stems": sorted(out.stems),
        "duration_s": round(out.master.shape[1] / out.sample_rate, 2),
        "upload_lag_s": match.lag_s, "upload_correlation": match.correlation, "upload_gain_db": match.gain_db,
        "lufs": round(audio.integrated_loudness_lufs(out.mp3, out.mp3_rate), 2),
        "true_peak_dbtp": round(audio.true_peak_dbtp(out.mp3, out.mp3_rate), 2),
        "stem_residual_db": round(audio.stem_residual_db(list(out.stems.values()), out.master), 1),
    }  # fmt: skip
    return row, match.lag_s


def new_part(out: add_api.TrackOutput, endpoint: str) -> np.ndarray:
    """What the engine added: every stem but the user's."""
    name = user_stem(out, endpoint)
    return np.asarray(np.sum([a for k, a in out.stems.items() if k != name], axis=0), dtype=np.float32)


def evaluate_instrumental(pipeline: AnalysisPipeline, upload: add_inputs.Upload,
                          out: add_api.TrackOutput) -> dict[str, Any]:
    """An add-instrumental track's figures (see the module docstring)."""
    from bench.metrics import mir
    from tunesmith.music.score_io import score_from_json

    row, lag = common(out, "add-instrumental", upload)
    score = score_from_json(out.score_json)
    backing, sr = new_part(out, "add-instrumental"), out.sample_rate
    found = pipeline.analyser("key").find_key(backing, sr)
    row["backing_key"] = f"{mir.PITCH_NAMES[found.tonic]} {found.mode}"
    row["score_key"] = mir.key_label(score)  # the key the engine wrote the band in (what it believed it heard)
    if upload.key is not None:
        row["vocal_key"] = f"{mir.PITCH_NAMES[upload.key[0]]} {upload.key[1]}"
        row["key_agrees"] = add_metrics.same_key(upload.key, (found.tonic, found.mode))
        row["key_mirex"] = mir.key_score(row["vocal_key"], row["backing_key"])
    notes = [(a + lag, b + lag, p) for a, b, p in upload.notes]
    onsets = np.array([n[0] for n in notes])
    beats = mir.score_truth(score).beats
    row.update(_onset_figures(onsets, beats, "score"))
    rhythm = [out.stems[k] for k in RHYTHM_STEMS if k in out.stems] or [backing]
    heard = pipeline.analyser("beats").track(np.sum(rhythm, axis=0), sr)
    row.update(_onset_figures(onsets, np.asarray(heard.beats), "heard"))
    row["backing_bpm_heard"] = round(float(heard.bpm), 2)
    counts = add_metrics.chord_tone_counts(notes, score_chords(score), _scale(score))
    row.update(notes_judged=counts.judged, notes_in_chord=counts.in_chord,
               notes_in_chord_or_scale=counts.in_chord_or_scale, **counts.shares())  # fmt: skip
    if upload.chords:  # the same measure on the song the vocal came from, with its own chords
        own = add_metrics.chord_tone_counts(upload.notes, upload.chords)
        row.update(own_notes_judged=own.judged, own_notes_in_chord=own.in_chord)
    return row


def _onset_figures(onsets: np.ndarray, beats: np.ndarray, label: str) -> dict[str, Any]:
    if onsets.size == 0 or beats.size < 2:
        return {}
    to_beat = add_metrics.nearest_distances_s(onsets, beats)
    to_eighth = add_metrics.nearest_distances_s(onsets, add_metrics.subdivide(beats, 2))
    return {f"onset_beat_median_ms_{label}": add_metrics.median_ms(to_beat),
            f"onset_eighth_median_ms_{label}": add_metrics.median_ms(to_eighth)}  # fmt: skip


def score_chords(score: Score) -> list[add_metrics.Chord]:
    """The score's chords as (start s, end s, pitch classes)."""
    from tunesmith.music.theory import chord_pitch_classes

    return [(score.seconds(c.start), score.seconds(c.start + c.duration), chord_pitch_classes(c.root, c.quality))
            for c in score.chords if c.root >= 0]  # fmt: skip


def _scale(score: Score) -> tuple[int, ...]:
    from tunesmith.music.theory import key_pitch_classes

    return key_pitch_classes(score.key)


def lead_lines(score: Score) -> list[list[add_metrics.Note]]:
    """The lead's notes (seconds) line by line, in time order; backing lines left out."""
    vocal = score.vocal
    if vocal is None:
        return []
    lines: dict[int, list[add_metrics.Note]] = {}
    for s in vocal.syllables:
        if not vocal.lines[s.line].backing:
            lines.setdefault(s.line, []).extend(
                (score.seconds(n.start), score.seconds(n.end), float(n.pitch)) for n in s.notes)
    return sorted((sorted(n) for n in lines.values() if n), key=lambda n: n[0][0])


def phrase_starts(score: Score) -> list[float]:
    """The first note onset (s) of every sung lead line (a line belongs to one section: a repeated chorus
    has lines of its own)."""
    return [line[0][0] for line in lead_lines(score)]


def upload_analysis(pipeline: AnalysisPipeline, upload: add_inputs.Upload) -> dict[str, Any]:
    """Beats, key and chords the analysis layer finds in an instrumental upload."""
    from tunesmith.music.theory import chord_pitch_classes, scale_pitch_classes

    sr = upload.sample_rate
    tempo = pipeline.analyser("beats").track(upload.audio, sr)
    key = pipeline.analyser("key").find_key(upload.audio, sr)
    chords = pipeline.analyser("chords").recognise(upload.audio, sr, tempo)
    return {
        "beats": np.asarray(tempo.beats, dtype=np.float64), "bpm": float(tempo.bpm), "key": key.name(),
        "scale": scale_pitch_classes(key.tonic, key.mode),
        "chords": [(c.start_s, c.end_s, chord_pitch_classes(c.root, c.quality)) for c in chords
                   if c.root >= 0 and c.quality != "N"],
    }  # fmt: skip


def evaluate_vocals(upload: add_inputs.Upload, found: dict[str, Any], out: add_api.TrackOutput,
                    case: add_inputs.Case, whisper: WhisperModel | None) -> dict[str, Any]:
    """An add-vocals track's figures (see the module docstring); ``found`` is :func:`upload_analysis`."""
    from bench.runner.vocal_eval import crop, mix_span, mix_text
    from tunesmith.music.score_io import score_from_json

    row, lag = common(out, "add-vocals", upload)
    score = score_from_json(out.score_json)
    notes = [(a - lag, b - lag, p) for line in lead_lines(score) for a, b, p in line]
    counts = add_metrics.chord_tone_counts(notes, found["chords"], found["scale"])
    row.update(notes_judged=counts.judged, notes_in_chord=counts.in_chord,
               notes_in_chord_or_scale=counts.in_chord_or_scale, **counts.shares())  # fmt: skip
    starts = np.array(phrase_starts(score)) - lag
    if starts.size and found["beats"].size >= 2:
        to_beat = add_metrics.nearest_distances_s(starts, found["beats"])
        row.update(phrases=int(starts.size), phrases_on_beat=int(np.sum(to_beat <= PHRASE_WINDOW_S)),
                   phrase_on_beat_share=add_metrics.share_within(to_beat, PHRASE_WINDOW_S),
                   phrase_beat_median_ms=add_metrics.median_ms(to_beat))  # fmt: skip
    sung = mix_text(score)
    row["lines_sung"] = len(sung.splitlines())
    if whisper is not None and case.language in ("en", "zh") and sung:
        language: asr.Language = "zh" if case.language == "zh" else "en"
        sung_part = crop(out.mp3, out.mp3_rate, mix_span(score))  # as the vocal set: no intro to hallucinate on
        heard = asr.transcribe(whisper, sung_part, out.mp3_rate, language=language)
        row["heard"] = heard[:400]
        row["lyrics_error"] = round(asr.lyrics_error_rate(sung, heard, language), 4)
    return row


# --- one case ------------------------------------------------------------------------------------------------


def timeout_s(upload: add_inputs.Upload) -> float:
    """Seconds a task may take before the bench gives up: 2 min plus 4× the input, at least 5 min."""
    return max(300.0, 120.0 + 4.0 * upload.duration_s)


def run_body(body: dict[str, Any], run: int) -> dict[str, Any]:
    """The body of run ``run`` (0, 1, …) of a case: its ``seed`` (the extension field) + ``run``, so that a
    second run is another rendition and the spread of the figures is the run-to-run noise."""
    return {**body, "seed": int(body["seed"]) + run} if "seed" in body else dict(body)


def run_case(server: Server, pipeline: AnalysisPipeline, case: add_inputs.Case, upload: add_inputs.Upload,
             whisper: WhisperModel | None, *, runs: int) -> dict[str, Any]:
    """Every run of ``case``: the task record and each track's figures."""
    content = add_api.flac_bytes(upload.audio, upload.sample_rate)
    found = upload_analysis(pipeline, upload) if case.endpoint == "add-vocals" else None
    row: dict[str, Any] = {
        "id": case.id, "endpoint": case.endpoint, "language": case.language, "timing": case.timing,
        "tuned_on": list(case.tuned_on), "input_s": round(upload.duration_s, 2), "origin": upload.origin,
        "runs": [],
    }  # fmt: skip
    if found is not None:
        row["upload_analysis"] = {"bpm": round(found["bpm"], 2), "key": found["key"], "chords": len(found["chords"]),
                                  "beats": int(found["beats"].size)}  # fmt: skip
    for k in range(runs):
        say(f"  run {k + 1}/{runs}: upload {len(content) / 2**20:.1f} MiB, submit …")
        task = add_api.run_task(server, case.endpoint, content, run_body(case.body, k), name=f"{case.id}.flac",
                                timeout_s=timeout_s(upload))
        record = task.record()
        outputs = [_collected(server, t) for t in task.tracks]
        record["tracks"] = [_track(pipeline, case, upload, found, o, whisper) for o in outputs]
        record.update(_pair(case, outputs))
        row["runs"].append(record)
        say(f"  {_line(record)}")
    return row


def _collected(server: Server, track: dict[str, Any]) -> add_api.TrackOutput | dict[str, Any]:
    try:
        return add_api.collect(server, track)
    except Exception as exc:  # noqa: BLE001 - recorded with the track
        return {"audio_id": track.get("id"), "error": f"collect: {type(exc).__name__}: {exc}"[:500]}


def _track(pipeline: AnalysisPipeline, case: add_inputs.Case, upload: add_inputs.Upload,
           found: dict[str, Any] | None, out: add_api.TrackOutput | dict[str, Any],
           whisper: WhisperModel | None) -> dict[str, Any]:
    if isinstance(out, dict):
        return out
    try:
        if found is None:
            return evaluate_instrumental(pipeline, upload, out)
        return evaluate_vocals(upload, found, out, case, whisper)
    except Exception as exc:  # noqa: BLE001 - one broken track must not lose the others' figures
        return {"audio_id": out.audio_id, "error": f"{type(exc).__name__}: {exc}"[:500]}


def _pair(case: add_inputs.Case, outputs: Sequence[add_api.TrackOutput | dict[str, Any]]) -> dict[str, Any]:
    """How the two tracks' new parts differ (correlation ≈ 0 and a spectral distance: two arrangements)."""
    found = [o for o in outputs if isinstance(o, add_api.TrackOutput)]
    if len(found) != 2:
        return {}
    a, b = found
    try:
        diff = audio.track_difference(new_part(a, case.endpoint), new_part(b, case.endpoint), a.sample_rate)
    except Exception as exc:  # noqa: BLE001 - recorded
        return {"tracks_differ_error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"new_parts_correlation": round(diff.correlation, 4),
            "new_parts_spectral_distance_db": round(diff.spectral_distance_db, 2)}  # fmt: skip


def _line(record: dict[str, Any]) -> str:
    keys = ("key_agrees", "onset_beat_median_ms_score", "onset_beat_median_ms_heard", "in_chord_share",
            "in_chord_or_scale_share", "phrase_on_beat_share", "lyrics_error", "upload_correlation", "lufs")
    tracks = "; ".join(", ".join(f"{k} {t[k]}" for k in keys if k in t) or str(t.get("error"))
                       for t in record["tracks"])  # fmt: skip
    return f"{record['status']} in {record['stage_s'].get('SUCCESS', '–')} s {record['error'] or ''} | {tracks}"


# --- the run -------------------------------------------------------------------------------------------------


def run(*, only: Sequence[str] = (), max_input_s: float | None = None, single_run: bool = False,
        with_whisper: bool = True) -> dict[str, Any]:
    """The benchmark (see the module docstring); the record, complete unless interrupted."""
    from tunesmith.analysis.pipeline import AnalysisPipeline

    t0 = time.monotonic()
    cases = [c for c in add_inputs.load_cases() if not only or c.id in only]
    record: dict[str, Any] = {
        "suite": "add", "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": report.machine(), "commit": report.commit(), "complete": False,
        "max_input_s": max_input_s, "targets": {k: list(v) for k, v in add_summary.TARGETS.items()},
        "cases": [], "errors": [],
    }  # fmt: skip
    whisper = asr.load_whisper() if with_whisper and any(c.endpoint == "add-vocals" for c in cases) else None
    try:
        with running_server() as server:
            _cases(record, server, AnalysisPipeline(), cases, whisper, max_input_s, single_run)
        record["complete"] = True
    except KeyboardInterrupt:
        record["errors"].append("interrupted")
    except RuntimeError as exc:  # the server would not start or died: keep what was measured
        record["errors"].append(f"server: {exc!r}"[:500])
    record["wall_s"] = round(time.monotonic() - t0, 1)
    write(record)
    return record


def _cases(record: dict[str, Any], server: Server, pipeline: AnalysisPipeline, cases: Sequence[add_inputs.Case],
           whisper: WhisperModel | None, max_input_s: float | None, single_run: bool) -> None:
    sources, digest = add_inputs.load_sources(), engine_songs.engine_digest()
    for case in cases:
        say(f"{case.endpoint}: {case.id} …")
        try:
            upload = add_inputs.build(case, sources, digest=digest, max_input_s=max_input_s)
            row = run_case(server, pipeline, case, upload, whisper, runs=1 if single_run else case.runs)
        except Exception as exc:  # noqa: BLE001 - a broken case must not lose the others' results
            row = {"id": case.id, "endpoint": case.endpoint, "runs": [], "error": f"{type(exc).__name__}: {exc}"[:500]}
        record["errors"] += add_summary.case_errors(row)
        record["cases"].append(row)
        record["summary"] = add_summary.summarise(record["cases"])
        write(record)


def write(record: dict[str, Any]) -> Path:
    """Write (or overwrite) ``bench/results/add-<stamp>.json``."""
    stamp = record["started_at"].replace(":", "").replace("-", "")
    path = report.RESULTS_DIR / f"add-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", nargs="*", default=[], help="only these case ids (default: every case)")
    parser.add_argument("--max-input-s", type=float, default=None,
                        help="cut every upload to at most this many seconds (a shake-out run)")
    parser.add_argument("--single-run", action="store_true", help="one run per case (no run-to-run noise)")
    parser.add_argument("--no-whisper", action="store_true", help="skip the lyric WER/CER (no Whisper load)")
    parser.add_argument("--no-table", action="store_true", help="do not rebuild the tables of BENCHMARKS.md")


def run_cli(args: argparse.Namespace) -> int:
    known = {c.id for c in add_inputs.load_cases()}
    if unknown := set(args.cases) - known:
        say(f"unknown cases {sorted(unknown)}; known: {', '.join(sorted(known))}")
        return 2
    record = run(only=args.cases, max_input_s=args.max_input_s, single_run=args.single_run,
                 with_whisper=not args.no_whisper)
    if not args.no_table:
        report.update_benchmarks_md()
    print(json.dumps(record.get("summary"), indent=1, ensure_ascii=False))
    print(f"errors: {len(record['errors'])}; results: {write(record)}")
    return 0 if record["complete"] else 1
