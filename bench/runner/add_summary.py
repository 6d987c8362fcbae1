"""Set-level figures of the add-instrumental / add-vocals benchmark, from the per-track rows of
:mod:`bench.runner.add_eval`, and issue 22's targets.

Shares of notes and phrases are pooled over every track (notes of a long song weigh more); the onset
medians are the median of the tracks' medians; lyric errors are means over tracks, the target's figure from
the held-out cases only (``tuned_on`` without "lyrics"). The time to SUCCESS is the ``timing`` case's (2
minutes of input), averaged over its runs. Run-to-run noise: for a case run more than once, the spread
(max − min) of each figure's per-run mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import mean, median
from typing import Any

TARGETS: dict[str, tuple[str, float]] = {
    "ai_key_share": (">=", 0.90),
    "ai_onset_beat_median_ms": ("<=", 40.0),
    "ai_consonant_share": (">=", 0.90),
    "ai_vocal_correlation_min": (">=", 0.999),
    "ai_success_2min_s": ("<=", 60.0),
    "av_in_chord_or_scale_share": (">=", 0.90),
    "av_phrase_on_beat_share": (">=", 0.90),
    "av_wer_en": ("<=", 0.15),
    "av_cer_zh": ("<=", 0.35),
    "av_instrumental_correlation_min": (">=", 0.999),
    "av_success_2min_s": ("<=", 60.0),
}
"""Issue 22's targets (summary key → comparison, bound)."""

NOISE_KEYS = ("onset_beat_median_ms_score", "in_chord_share", "in_chord_or_scale_share", "phrase_on_beat_share",
              "lyrics_error", "lufs")  # fmt: skip


def tracks(cases: Iterable[dict[str, Any]], endpoint: str) -> list[dict[str, Any]]:
    """Every evaluated track (no error) of every run of the cases of ``endpoint``, with its case's fields."""
    return [{**t, "case": c["id"], "language": c.get("language"), "tuned_on": c.get("tuned_on", [])}
            for c in cases if c.get("endpoint") == endpoint
            for r in c.get("runs", []) for t in r.get("tracks", []) if "error" not in t]  # fmt: skip


def _values(rows: Iterable[dict[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in rows if r.get(key) is not None]


def _mean(rows: Iterable[dict[str, Any]], key: str, digits: int = 4) -> float | None:
    values = _values(rows, key)
    return round(mean(values), digits) if values else None


def _median(rows: Iterable[dict[str, Any]], key: str) -> float | None:
    values = _values(rows, key)
    return round(median(values), 1) if values else None


def _pooled(rows: Sequence[dict[str, Any]], part: str, whole: str) -> float | None:
    total = sum(int(r.get(whole) or 0) for r in rows)
    return round(sum(int(r.get(part) or 0) for r in rows) / total, 4) if total else None


def _share(rows: Iterable[dict[str, Any]], key: str) -> float | None:
    flags = [bool(r[key]) for r in rows if key in r]
    return round(sum(flags) / len(flags), 4) if flags else None


def _extreme(rows: Iterable[dict[str, Any]], key: str, pick: Any) -> float | None:
    values = _values(rows, key)
    return pick(values) if values else None


def success_s(cases: Iterable[dict[str, Any]], endpoint: str) -> float | None:
    """Mean time to SUCCESS over the runs of ``endpoint``'s ``timing`` case."""
    times = [r["stage_s"]["SUCCESS"] for c in cases if c.get("endpoint") == endpoint and c.get("timing")
             for r in c.get("runs", []) if "SUCCESS" in (r.get("stage_s") or {})]  # fmt: skip
    return round(mean(times), 1) if times else None


def _shared(rows: Sequence[dict[str, Any]], prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}_tracks": len(rows),
        f"{prefix}_lufs_mean": _mean(rows, "lufs", 2),
        f"{prefix}_true_peak_max": _extreme(rows, "true_peak_dbtp", max),
        f"{prefix}_stem_residual_db_max": _extreme(rows, "stem_residual_db", max),
    }


def summarise(cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The set's figures (see the module docstring)."""
    ai, av = tracks(cases, "add-instrumental"), tracks(cases, "add-vocals")
    held = [t for t in av if "lyrics" not in t["tuned_on"]]
    return {
        **_shared(ai, "ai"),
        "ai_key_share": _share(ai, "key_agrees"), "ai_key_mirex": _mean(ai, "key_mirex"),
        "ai_onset_beat_median_ms": _median(ai, "onset_beat_median_ms_score"),
        "ai_onset_eighth_median_ms": _median(ai, "onset_eighth_median_ms_score"),
        "ai_onset_beat_median_ms_heard": _median(ai, "onset_beat_median_ms_heard"),
        "ai_onset_eighth_median_ms_heard": _median(ai, "onset_eighth_median_ms_heard"),
        "ai_consonant_share": _pooled(ai, "notes_in_chord", "notes_judged"),
        "ai_own_song_consonant_share": _pooled(ai, "own_notes_in_chord", "own_notes_judged"),
        "ai_in_chord_or_scale_share": _pooled(ai, "notes_in_chord_or_scale", "notes_judged"),
        "ai_vocal_correlation_min": _extreme(ai, "upload_correlation", min),
        "ai_success_2min_s": success_s(cases, "add-instrumental"),
        **_shared(av, "av"),
        "av_in_chord_share": _pooled(av, "notes_in_chord", "notes_judged"),
        "av_in_chord_or_scale_share": _pooled(av, "notes_in_chord_or_scale", "notes_judged"),
        "av_phrase_on_beat_share": _pooled(av, "phrases_on_beat", "phrases"),
        "av_wer_en": _mean([t for t in held if t["language"] == "en"], "lyrics_error"),
        "av_cer_zh": _mean([t for t in held if t["language"] == "zh"], "lyrics_error"),
        "av_wer_en_all": _mean([t for t in av if t["language"] == "en"], "lyrics_error"),
        "av_cer_zh_all": _mean([t for t in av if t["language"] == "zh"], "lyrics_error"),
        "av_instrumental_correlation_min": _extreme(av, "upload_correlation", min),
        "av_instrumental_gain_db_mean": _mean(av, "upload_gain_db", 2),
        "av_success_2min_s": success_s(cases, "add-vocals"),
        "noise": noise(cases),
    }  # fmt: skip


def noise(cases: Iterable[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Case id → figure → max − min of the per-run means, for the cases run more than once."""
    out: dict[str, dict[str, float]] = {}
    for case in cases:
        runs = case.get("runs", [])
        if len(runs) < 2:
            continue
        spread: dict[str, float] = {}
        for key in NOISE_KEYS:
            means = [_mean([t for t in r.get("tracks", []) if "error" not in t], key) for r in runs]
            present = [m for m in means if m is not None]
            if len(present) == len(runs):
                spread[key] = round(max(present) - min(present), 4)
        times = [r["stage_s"]["SUCCESS"] for r in runs if "SUCCESS" in (r.get("stage_s") or {})]
        if len(times) == len(runs):
            spread["success_s"] = round(max(times) - min(times), 2)
        out[case["id"]] = spread
    return out


def case_errors(case: dict[str, Any]) -> list[str]:
    """The case's failures as one line each (case, run, track)."""
    out = [f"{case['id']}: {case['error']}"] if case.get("error") else []
    for k, run in enumerate(case.get("runs", []), start=1):
        if run.get("error"):
            out.append(f"{case['id']} run {k}: {run['error']}")
        out += [f"{case['id']} run {k} track {t.get('audio_id')}: {t['error']}" for t in run.get("tracks", [])
                if t.get("error")]  # fmt: skip
    return out
