"""The add-instrumental / add-vocals benchmark's part of BENCHMARKS.md: one row per record, and the latest
record in detail (its figures next to issue 22's targets, then per case). Pure formatting of the JSON records
of :mod:`bench.runner.add_eval`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.runner.analysis_report import _f, _table, _verdict

START, END = "<!-- bench:add:start -->", "<!-- bench:add:end -->"
TITLE = "## Your own audio in: add-instrumental and add-vocals (`make bench-add`)"

ROWS: tuple[tuple[str, str, str], ...] = (
    ("add-instrumental: backing in the vocal's key (share of tracks)", "ai_key_share", "share"),
    ("… MIREX key score, mean", "ai_key_mirex", "f"),
    ("… vocal onsets to the nearest beat of the score, median (ms)", "ai_onset_beat_median_ms", "ms"),
    ("… to the nearest eighth (ms)", "ai_onset_eighth_median_ms", "ms"),
    ("… to the nearest beat / eighth heard in drums and bass (ms)", "ai_onset_heard", "text"),
    ("… sung notes that are a tone of the backing's chord", "ai_consonant_share", "share"),
    ("… the same under the chords of the song the vocal came from (reference)", "ai_own_song_consonant_share",
     "share"),
    ("… sung notes in the chord or the key's scale", "ai_in_chord_or_scale_share", "share"),
    ("… vocal stem vs the upload: lowest correlation", "ai_vocal_correlation_min", "corr"),
    ("… loudness mean (LUFS) / highest true peak (dBTP), MP3", "ai_loudness", "text"),
    ("… time to SUCCESS, 2-minute vocal (s)", "ai_success_2min_s", "s"),
    ("add-vocals: sung notes in the detected chord", "av_in_chord_share", "share"),
    ("… sung notes in the detected chord or scale", "av_in_chord_or_scale_share", "share"),
    ("… phrase starts within 50 ms of a detected beat", "av_phrase_on_beat_share", "share"),
    ("… English WER on the mix (held-out lyrics)", "av_wer_en", "f"),
    ("… Chinese CER on the mix (held-out lyrics)", "av_cer_zh", "f"),
    ("… instrumental stem vs the upload: lowest correlation", "av_instrumental_correlation_min", "corr"),
    ("… instrumental gain against the upload, mean (dB)", "av_instrumental_gain_db_mean", "s"),
    ("… loudness mean (LUFS) / highest true peak (dBTP), MP3", "av_loudness", "text"),
    ("… time to SUCCESS, 2-minute instrumental (s)", "av_success_2min_s", "s"),
)


def is_add(record: dict[str, Any]) -> bool:
    return record.get("suite") == "add"


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "corr":
        return f"{float(value):.4f}"
    if kind == "s":
        return f"{float(value):.1f}"
    return _f(value, kind)


def figures(record: dict[str, Any]) -> dict[str, Any]:
    """The values of :data:`ROWS` from one record."""
    s = dict(record.get("summary") or {})
    s["ai_onset_heard"] = f"{_f(s.get('ai_onset_beat_median_ms_heard'), 'ms')} / " \
                          f"{_f(s.get('ai_onset_eighth_median_ms_heard'), 'ms')}"
    for p in ("ai", "av"):
        s[f"{p}_loudness"] = f"{_cell(s.get(f'{p}_lufs_mean'), 's')} / {_cell(s.get(f'{p}_true_peak_max'), 's')}"
    return s


def headline_table(record: dict[str, Any]) -> str:
    values, targets = figures(record), record.get("targets") or {}
    rows = [[title, _verdict(key, values.get(key), targets), _cell(values.get(key), kind)]
            for title, key, kind in ROWS]  # fmt: skip
    return _table(["Measure", "Target", "Ours"], rows)


def cases_table(record: dict[str, Any]) -> str:
    rows = []
    for c in record.get("cases") or []:
        for k, r in enumerate(c.get("runs") or [{}], start=1):
            for t in r.get("tracks") or [{}]:
                rows.append(_case_row(c, k, r, t))
    header = ["Case", "Run", "Input s", "SUCCESS s", "Key vocal / backing (score)", "Onset→beat ms score / heard",
              "In chord / chord or scale", "Phrases on beat", "WER/CER", "Upload corr.", "LUFS", "dBTP",
              "Errors"]  # fmt: skip
    return _table(header, rows)


def _case_row(c: dict[str, Any], k: int, r: dict[str, Any], t: dict[str, Any]) -> list[str]:
    problems = c.get("error") or r.get("error") or t.get("error") or ""
    key = f"{t.get('vocal_key', '–')} / {t['backing_key']} ({t.get('score_key', '–')})" if "backing_key" in t else "–"
    return [
        c["id"], str(k), _cell(c.get("input_s"), "s"), _cell((r.get("stage_s") or {}).get("SUCCESS"), "s"), key,
        f"{_f(t.get('onset_beat_median_ms_score'), 'ms')} / {_f(t.get('onset_beat_median_ms_heard'), 'ms')}",
        f"{_f(t.get('in_chord_share'), 'share')} / {_f(t.get('in_chord_or_scale_share'), 'share')}",
        _f(t.get("phrase_on_beat_share"), "share"), _f(t.get("lyrics_error")),
        _cell(t.get("upload_correlation"), "corr"), _cell(t.get("lufs"), "s"), _cell(t.get("true_peak_dbtp"), "s"),
        str(problems)[:160],
    ]  # fmt: skip


def noise_text(record: dict[str, Any]) -> str:
    noise = (record.get("summary") or {}).get("noise") or {}
    if not noise:
        return "No case was run twice in this record."
    return "Run-to-run spread (max − min of the per-run means) of the cases run twice: " + "; ".join(
        f"`{case}`: " + ", ".join(f"{k} {v:g}" for k, v in spread.items()) for case, spread in noise.items())


def runs_table(records: list[tuple[Path, dict[str, Any]]], link: Callable[[Path], str]) -> str:
    rows = []
    for path, r in records:
        v = figures(r)
        rows.append([
            r["started_at"][:16].replace("T", " "), r["commit"], _f(v.get("ai_key_share"), "share"),
            _f(v.get("ai_onset_beat_median_ms"), "ms"), _f(v.get("ai_consonant_share"), "share"),
            _cell(v.get("ai_success_2min_s"), "s"), _f(v.get("av_in_chord_or_scale_share"), "share"),
            _f(v.get("av_phrase_on_beat_share"), "share"), _f(v.get("av_wer_en")), _f(v.get("av_cer_zh")),
            _cell(v.get("av_success_2min_s"), "s"), _cell(r.get("max_input_s"), "s"),
            str(len(r.get("errors") or [])), link(path),
        ])  # fmt: skip
    header = ["Date (UTC)", "Commit", "AI key", "AI onset ms", "AI consonant", "AI SUCCESS s", "AV in chord/scale",
              "AV phrases on beat", "AV EN WER", "AV ZH CER", "AV SUCCESS s", "Inputs cut to s", "Errors",
              "Record"]  # fmt: skip
    return _table(header, rows)


def section(records: list[tuple[Path, dict[str, Any]]], link: Callable[[Path], str]) -> str:
    """The whole add part: runs, then the latest record in detail."""
    if not records:
        return "No add-instrumental / add-vocals run recorded yet."
    path, latest = records[-1]
    m = latest.get("machine") or {}
    cut = latest.get("max_input_s")
    intro = (
        f"Latest run {link(path)} ({latest['started_at'][:16].replace('T', ' ')} UTC, commit {latest['commit']}, "
        f"{m.get('cores')} cores, {m.get('cpu', '')}; {_f(latest.get('wall_s'), 'ms')} s in all"
        f"{'' if latest.get('complete', True) else ', partial'}"
        f"{f'; every input cut to {cut:g} s, a shake-out run' if cut else ''}). Inputs: `bench/sets/add/` "
        "(engine vocals and instrumentals with known truth; real instrumentals from Debian game soundtracks); "
        "a real server driven through upload, submit and record-info; metrics in `bench/runner/add_eval.py`."
    )
    parts = [
        "### Add runs", runs_table(records, link),
        "### Latest add run", intro, headline_table(latest), noise_text(latest),
        "### Per case and track", cases_table(latest),
    ]  # fmt: skip
    errors = latest.get("errors") or []
    if errors:
        parts += ["### Errors", "\n".join(f"- {e[:300]}" for e in errors)]
    return "\n\n".join(parts)
