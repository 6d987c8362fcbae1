"""The analysis benchmark's part of BENCHMARKS.md: one row per analysis record, and the latest record in
detail (our figures next to issue 21's targets and the published figures of the models we use, per song,
real recordings, speed). Pure formatting of the JSON records of :mod:`bench.runner.analysis_eval`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

START, END = "<!-- bench:analysis:start -->", "<!-- bench:analysis:end -->"
TITLE = "## Music understanding (`make bench-analysis`)"

PUBLISHED: dict[str, str] = {
    "vocal_sdr": "Spleeter 4-stem on musdb18: 6.55 (mask) / 6.86 (Wiener) dB ¹",
    "wer_en": "Whisper base, LibriSpeech test-other (read speech): 12.4 % ²",
    "melody_f1": "swift-f0 (frame pitch, not notes): best pitch F1 of 19 trackers ³",
}
"""Summary key → a published figure of the model behind that capability (quoted, not measured here). Only
figures found in the sources of :data:`SOURCES` are quoted; none was found for librosa's beat tracker."""
SOURCES = (
    "Published figures, quoted, not measured here and not on this material: ¹ Spleeter's JOSS paper "
    "(github.com/deezer/spleeter, `paper.md`, table of musdb18 results: vocals SDR, median over songs of "
    "BSS-eval; the 4-stem model, we run the 2-stem one). ² The Whisper paper as cited on "
    "huggingface.co/openai/whisper-base/discussions/2 (spoken English, not singing). ³ swift-f0 0.3.0 on PyPI "
    "(\"the highest pitch F1 of the 19 trackers tested\" in its Pitch Detection Benchmark; a frame-level pitch "
    "figure: note F1 also depends on our note segmentation). No published figure was found here for librosa's "
    "beat tracker, for Chinese CER of Whisper base, or for key, chord and section finders of our kind."
)

ROWS: tuple[tuple[str, str, str], ...] = (
    ("Tempo within 4 % (share of songs)", "tempo_share", "share"),
    ("… with octave errors allowed (×2, ×½, ×3, ×⅓)", "tempo_share_octave", "share"),
    ("Beat F-measure (±70 ms)", "beat_f", "f"),
    ("Downbeat F-measure (±70 ms)", "downbeat_f", "f"),
    ("Meter right (share)", "meter_share", "share"),
    ("Key (MIREX weighted)", "key_score", "f"),
    ("Chords (majmin, per beat)", "chord_accuracy", "f"),
    ("Section boundaries F (±3 s)", "boundary_f", "f"),
    ("Vocal melody note F1 (onset ±50 ms, ±50 c)", "melody_f1", "f"),
    ("… precision / recall", "melody_pr", "text"),
    ("… F1 outside the choruses (one voice: no backing harmony)", "melody_f1_solo", "f"),
    ("English WER, transcribed (held-out songs)", "wer_en", "f"),
    ("Chinese CER, transcribed (held-out songs)", "cer_zh", "f"),
    ("… WER / CER incl. the 2 songs the words were tuned on", "lyrics_all", "text"),
    ("Aligned word starts: median abs. error (ms)", "align_median_abs_ms", "ms"),
    ("… share within 100 ms", "align_within_100ms", "f"),
    ("Vocal SDR (dB, whole song / median of 1 s)", "vocal_sdr", "text"),
    ("Accompaniment SDR (dB, whole song / median of 1 s)", "accompaniment_sdr", "text"),
    ("Vocal activity precision / recall (0.1 s frames)", "activity_pr", "text"),
    ("Instrumentals: voice detected (s) / words heard", "instrumental", "text"),
    ("Analysis × real time, 3-min song (wall, 2 cores)", "x_realtime", "x"),
    ("Peak memory of the analysing process (MiB)", "peak_rss_mib", "mib"),
)


def is_analysis(record: dict[str, Any]) -> bool:
    return record.get("suite") == "analysis"


def _f(value: Any, kind: str = "f") -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if kind == "share":
        return f"{100 * float(value):.0f} %"
    if kind in ("ms", "mib"):
        return f"{float(value):.0f}"
    if kind == "x":
        return f"{float(value):.1f}×"
    return f"{float(value):.3f}"


def _n(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{float(value):.{digits}f}"


def _pair(a: Any, b: Any, digits: int = 2) -> str:
    cells = ["–" if v is None else f"{float(v):.{digits}f}" for v in (a, b)]
    return " / ".join(cells)


def figures(record: dict[str, Any]) -> dict[str, Any]:
    """The values of :data:`ROWS` from one record."""
    s, speed = record.get("summary") or {}, record.get("speed") or {}
    out = dict(s)
    out["melody_pr"] = _pair(s.get("melody_precision"), s.get("melody_recall"), 3)
    out["lyrics_all"] = _pair(s.get("wer_en_all"), s.get("cer_zh_all"), 3)
    out["vocal_sdr"] = _pair(s.get("vocal_sdr_db"), s.get("vocal_sdr_frames_db"))
    out["accompaniment_sdr"] = _pair(s.get("accompaniment_sdr_db"), s.get("accompaniment_sdr_frames_db"))
    out["activity_pr"] = _pair(s.get("activity_precision"), s.get("activity_recall"), 3)
    out["instrumental"] = f"{_f(s.get('instrumental_vocal_s'), 'ms')} / {_f(s.get('instrumental_words'), 'ms')}"
    out["x_realtime"] = speed.get("x_realtime")
    out["peak_rss_mib"] = speed.get("peak_rss_mib")
    return out


def _verdict(key: str, value: Any, targets: dict[str, Any]) -> str:
    target = targets.get(key)
    if target is None:
        return ""
    op, bound = target
    if value is None or isinstance(value, str):
        return f"{op} {bound:g}"
    ok = float(value) >= float(bound) if op == ">=" else float(value) <= float(bound)
    return f"{op} {bound:g} {'✓' if ok else '✗'}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/").replace("\n", " ") for c in r) + " |" for r in rows]
    return "\n".join(lines)


JUDGED_BY = {"vocal_sdr": "vocal_sdr_db"}
"""A row showing several figures → the one its target applies to."""


def headline_table(record: dict[str, Any]) -> str:
    values, targets = figures(record), record.get("targets") or {}
    rows = []
    for title, key, kind in ROWS:
        judged = JUDGED_BY.get(key, key)
        verdict = _verdict(judged, values.get(judged), targets)
        rows.append([title, verdict, _f(values.get(key), kind), PUBLISHED.get(key, "")])
    return _table(["Measure (engine songs with exact truth)", "Target", "Ours", "Published (quoted)"], rows)


def songs_table(record: dict[str, Any]) -> str:
    rows = []
    for s in record.get("songs") or []:
        truth = s.get("truth") or {}
        problems = s.get("error") or "; ".join(f"{k}: {v}" for k, v in (s.get("errors") or {}).items())
        rows.append([
            s["id"], _f(s.get("duration_s"), "ms"),
            f"{_n(truth.get('bpm'))} / {_n(s.get('bpm'))}",
            _f(s.get("beat_f")), _f(s.get("downbeat_f")),
            f"{truth.get('key', '–')} / {s.get('key', '–')}", _f(s.get("chord_accuracy")), _f(s.get("boundary_f")),
            _f(s.get("melody_f1")), _f(s.get("lyrics_error")), _f(s.get("align_median_abs_ms"), "ms"),
            _pair(s.get("vocal_sdr_db"), s.get("accompaniment_sdr_db"), 1),
            _n(s.get("vocal_detected_s")), problems[:160],
        ])  # fmt: skip
    header = ["Song", "s", "bpm truth / ours", "Beat F", "Downbeat F", "Key truth / ours", "Chords", "Bounds F",
              "Melody F1", "WER/CER", "Align ms", "SDR voc / acc", "Voice s", "Errors"]  # fmt: skip
    return _table(header, rows)


def real_table(record: dict[str, Any]) -> str:
    real = record.get("real") or {}
    rows = []
    for t in real.get("tracks") or []:
        problems = t.get("error") or "; ".join(f"{k}: {v}" for k, v in (t.get("errors") or {}).items())
        halves = t.get("bpm_halves") or []
        rows.append([
            t["track"], _f(t.get("excerpt_s"), "ms"), _n(t.get("bpm")), _f(t.get("ibi_cv")),
            " / ".join(f"{h:.1f}" for h in halves) or "–", " / ".join(t.get("key_halves") or []) or "–",
            _n(t.get("vocal_level_db")), _n(t.get("vocal_detected_s")),
            _f(t.get("words_heard"), "ms"), f"{_f(t.get('sections'), 'ms')} / {_f(t.get('section_mean_s'), 'ms')}",
            _f(t.get("x_realtime"), "x"), problems[:160],
        ])  # fmt: skip
    header = ["Track (Debian package:file)", "Excerpt s", "bpm", "IBI CV", "bpm 1st / 2nd half",
              "Key 1st / 2nd half", "Vocal stem vs mix dB", "Voice s", "Words", "Sections / mean s", "× RT",
              "Errors"]  # fmt: skip
    text = _table(header, rows) if rows else "No track analysed."
    if real.get("fetch_errors"):
        text += "\n\nFetch errors: " + "; ".join(f"{k}: {v}" for k, v in real["fetch_errors"].items())
    return text


def speed_text(record: dict[str, Any]) -> str:
    speed = record.get("speed") or {}
    if not speed:
        return "Not measured in this run."
    if speed.get("error"):
        return f"`{speed.get('item')}`: **{speed['error'][:400]}**"
    cpu = speed.get("stage_cpu_s") or {}
    rss = speed.get("peak_rss_after_stage_mib") or {}
    rows = [[k, _n(v), _n(cpu.get(k)), _f(rss.get(k), "mib")] for k, v in (speed.get("stage_s") or {}).items()]
    loads = sum((speed.get("load_s") or {}).values())
    load_avg = "/".join(_n(x, 2) for x in speed.get("load_avg_before") or []) or "–"
    text = (
        f"`{speed.get('item')}` ({_f(speed.get('audio_s'), 'ms')} s of audio), whole pipeline, no lyrics given, in a "
        f"fresh process: {_n(speed.get('analyse_s'))} s wall = **{_f(speed.get('x_realtime'), 'x')} real time**; "
        f"{_n(speed.get('analyse_cpu_s'))} s CPU, all threads ({_f(speed.get('x_realtime_cpu'), 'x')} per CPU "
        f"second; load average 1/5/15 min before: {load_avg}). Models loaded first in {loads:.1f} s (not counted; "
        f"peak RSS then {_f(speed.get('peak_rss_loaded_mib'), 'mib')} MiB). Peak RSS of the whole run "
        f"**{_f(speed.get('peak_rss_mib'), 'mib')} MiB**."
    )
    return text + "\n\n" + _table(["Stage", "Wall s", "CPU s", "Peak RSS after it (MiB)"], rows)


def runs_table(records: list[tuple[Path, dict[str, Any]]], link: Any) -> str:
    rows = []
    for path, r in records:
        v = figures(r)
        rows.append([
            r["started_at"][:16].replace("T", " "), r["commit"], _f(v.get("tempo_share"), "share"), _f(v.get("beat_f")),
            _f(v.get("key_score")), _f(v.get("chord_accuracy")), _f(v.get("melody_f1")), _f(v.get("wer_en")),
            _f(v.get("cer_zh")), _n(v.get("vocal_sdr_db")), _f(v.get("x_realtime"), "x"),
            _f(v.get("peak_rss_mib"), "mib"), str(len(r.get("errors") or [])), link(path),
        ])  # fmt: skip
    header = ["Date (UTC)", "Commit", "Tempo", "Beat F", "Key", "Chords", "Melody F1", "EN WER", "ZH CER",
              "Vocal SDR dB", "× RT", "Peak MiB", "Errors", "Record"]  # fmt: skip
    return _table(header, rows)


def section(records: list[tuple[Path, dict[str, Any]]], link: Any) -> str:
    """The whole analysis part: runs, then the latest record in detail."""
    if not records:
        return "No analysis run recorded yet."
    path, latest = records[-1]
    m = latest.get("machine") or {}
    intro = (
        f"Latest run {link(path)} ({latest['started_at'][:16].replace('T', ' ')} UTC, commit {latest['commit']}, "
        f"{m.get('cores')} cores, {m.get('cpu', '')}; {_f(latest.get('wall_s'), 'ms')} s in all"
        f"{'' if latest.get('complete', True) else ', partial'}). Engine songs: "
        "`bench/sets/analysis/songs.json`, rendered by the built-in engine and compared with their own scores; "
        "metrics by mir_eval (see `bench/runner/analysis_eval.py`). Lyrics are transcribed with neither lyrics "
        "nor language given; alignment is scored against the engine's own word times."
    )
    errors = latest.get("errors") or []
    parts = [
        "### Analysis runs", runs_table(records, link),
        "### Latest analysis run", intro, headline_table(latest), SOURCES,
        "### Per song", songs_table(latest),
        "### Speed and memory", speed_text(latest),
        "### Real recordings (no truth: stability and silence checks)", real_table(latest),
    ]  # fmt: skip
    if errors:
        parts += ["### Errors", "\n".join(f"- {e[:300]}" for e in errors)]
    return "\n\n".join(parts)
