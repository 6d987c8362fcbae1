"""The "latest run in detail" section of ``BENCHMARKS.md``: one small table per part of a run record."""

from __future__ import annotations

from collections.abc import Callable
from statistics import mean
from typing import Any

STAGES = ("compose", "render", "sing", "mix", "master", "encode", "stems", "cover")


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return f"{float(value):.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/").replace("\n", " ") for cell in r) + " |" for r in rows]
    return "\n".join(lines)


def _stage_cells(rtf: dict[str, Any]) -> str:
    return "/".join(_f(rtf.get(s), 0) for s in STAGES)


def speed_section(speed: dict[str, Any]) -> str:
    rows = []
    for song in speed.get("songs", []):
        stage = song.get("stage_s", {})
        rows.append(
            [
                song["item_id"],
                song["kind"],
                " + ".join(_f(d, 0) for d in song.get("durations_s", [])) or "–",
                _f(song.get("first_audio_byte_s")),
                _f(stage.get("FIRST_SUCCESS")),
                _f(stage.get("SUCCESS")),
                _f((song.get("rtf") or {}).get("all_tracks"), 2),
                _stage_cells(song.get("stage_rtf") or {}),
                song.get("error") or "",
            ]
        )
    header = ["Song", "Kind", "Audio s", "1st byte s", "FIRST_SUCCESS s", "SUCCESS s", "RTF", "Stage RTF", "Error"]
    pooled = speed.get("stage_rtf") or {}
    note = (
        f"Stage RTF ({'/'.join(STAGES)}) = audio s / stage s, higher is faster. "
        f"Pooled over all songs: {_stage_cells(pooled)}; all stages together {_f(pooled.get('total'), 1)}× real time."
    )
    return "### Speed per song\n\n" + _table(header, rows) + "\n\n" + note


def throughput_section(speed: dict[str, Any]) -> str:
    rows = [
        [
            str(t["concurrency"]),
            str(t["tasks"]),
            str(t["songs_done"]),
            _f(t["wall_s"]),
            _f(t["songs_per_minute"], 2),
            _f(t["audio_minutes_per_minute"], 2),
            str(t["failures"]),
        ]
        for t in speed.get("throughput", [])
    ]
    header = ["Concurrent tasks", "Tasks", "Songs", "Wall s", "Songs/min", "Audio min/min", "Failures"]
    return "### Songs per minute\n\n" + _table(header, rows) if rows else ""


def load_section(load: dict[str, Any]) -> str:
    rows = []
    for endpoint, r in (load.get("fixed") or {}).items():
        rows.append(
            [
                endpoint,
                _f(r["offered_rps"], 0),
                _f(r["achieved_rps"], 1),
                _f(r["p50_ms"], 1),
                _f(r["p99_ms"], 1),
                _f(r["ok_share"], 4),
                str(r.get("errors", "–")),
                _f((load.get("max_sustained_rps") or {}).get(endpoint), 0),
            ]
        )
    header = ["Endpoint", "Offered /s", "Achieved /s", "p50 ms", "p99 ms", "Good share", "Errors", "Max sustained /s"]
    failed = "".join(f"\n- {e}: {msg}" for e, msg in (load.get("errors") or {}).items())
    return "### API under load (k6)\n\n" + _table(header, rows) + failed if rows or failed else ""


def _avg(tracks: list[dict[str, Any]], get: Callable[[dict[str, Any]], Any]) -> float | None:
    values = [float(v) for v in (get(t) for t in tracks) if v is not None]
    return mean(values) if values else None


def quality_section(quality: dict[str, Any]) -> str:
    rows = []
    for task in quality.get("tasks", []):
        tracks = [t for t in task.get("tracks", []) if "integrated_lufs" in t]
        rows.append(
            [
                task["item_id"],
                _f(_avg(tracks, lambda t: (t.get("lyrics_mix") or {}).get("value")), 2),
                _f(_avg(tracks, lambda t: (t.get("lyrics_vocals") or {}).get("value")), 2),
                _f(_avg(tracks, lambda t: (t.get("pitch") or {}).get("share_within_50_cents")), 2),
                _f(_avg(tracks, lambda t: (t.get("tempo") or {}).get("error_pct")), 1),
                _f(_avg(tracks, lambda t: (t.get("key") or {}).get("mirex_score")), 2),
                _f(_avg(tracks, lambda t: t.get("integrated_lufs")), 1),
                _f(max((t["true_peak_dbtp"] for t in tracks), default=None), 1),
                _f(max((t["stem_residual_db"] for t in tracks if "stem_residual_db" in t), default=None), 1),
                _f((task.get("track_difference") or {}).get("correlation"), 2),
                task.get("error") or "; ".join(t["error"] for t in task.get("tracks", []) if "error" in t),
            ]
        )
    header = [
        "Song", "WER/CER mix", "WER/CER vocals", "Pitch ≤50c", "Tempo err %", "Key", "LUFS", "TP dBTP",
        "Stem residual dB", "Track corr", "Error",
    ]  # fmt: skip
    note = (
        "WER for English, CER for Chinese (Whisper base). Stem residual: mix − gain-matched Σ stems, relative "
        "to the mix (stems from the data dir are pre-master, compared with master.flac)."
    )
    return "### Quality per song (mean of the two tracks)\n\n" + _table(header, rows) + "\n\n" + note if rows else ""


def render(link: str, results: dict[str, Any]) -> str:
    """Markdown for one run record (``link`` points at its JSON)."""
    m = results["machine"]
    head = (
        f"Run {link}: suite `{results['suite']}`"
        + ("" if results.get("complete", True) else " (partial)")
        + f", {results['started_at']}, commit `{results['commit']}`; {m['cores']} cores ({m['cpu']}), "
        f"{m['ram_gib']} GiB RAM, Python {m['python']}. Peak server RSS (process tree): "
        f"{_f(results.get('peak_server_rss_mib'), 0)} MiB."
    )
    speed = results.get("speed") or {}
    parts = [
        head,
        speed_section(speed) if speed else "",
        throughput_section(speed),
        load_section(results.get("load") or {}),
        quality_section(results.get("quality") or {}),
    ]
    problems = [*(results.get("skipped") or []), *(results.get("errors") or [])]
    if problems:
        parts.append("### Skipped and failed\n\n" + "\n".join(f"- {p}" for p in problems))
    return "\n\n".join(p for p in parts if p)
