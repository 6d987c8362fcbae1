"""Results: the full JSON record in ``bench/results/<timestamp>.json`` and one row per run in the table
of ``BENCHMARKS.md`` (machine, date, commit and the headline figures)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

COLUMNS = (
    ("Date (UTC)", "date"),
    ("Commit", "commit"),
    ("Suite", "suite"),
    ("Machine", "machine_short"),
    ("2-min song: 1st audio byte (s)", "song2_first_byte_s"),
    ("2-min song: SUCCESS (s)", "song2_success_s"),
    ("RTF all tracks (mean)", "rtf_mean"),
    ("Songs/min c=1/2/4", "songs_per_minute"),
    ("Peak server RSS (MiB)", "peak_rss_mib"),
    ("credit p50/p99 ms @ rps", "credit_latency"),
    ("Max sustained rps submit/record/credit", "max_rps"),
    ("WER en mix/vocals", "wer_en"),
    ("CER zh mix/vocals", "cer_zh"),
    ("Pitch ≤50c", "pitch"),
    ("Tempo ±4 %", "tempo"),
    ("Key (MIREX)", "key"),
    ("LUFS mean", "lufs"),
    ("True peak max (dBTP)", "true_peak"),
)

HEADER = f"""# Benchmarks

Produced by `make bench` (full) and `make bench-smoke` (`python -m bench run --suite full|smoke`): a real
`tunesmith serve` on loopback with its embedded default configuration. Every run appends a row below and
writes its complete record to `bench/results/<timestamp>.json`. Times are from just before the submit
request; status times have the polling resolution (0.25 s). RTF = wall time / seconds of audio delivered.
Load: k6 constant-arrival-rate; "sustained" = p99 ≤ 100 ms, ≥ 99 % good answers, ≥ 95 % of the offered rate.
Quality: WER/CER by Whisper base (int8, CPU); pitch = share of score notes sung within 50 cents (pYIN);
tempo/key estimated from the audio and compared with the tempo and key the request's style asks for.

## Published figures of other systems (quoted, not measured here)

| System | Figure | Source |
|---|---|---|
| Suno (hosted API) | stream playable after ~20 s; songs complete in 1–3 min | hosted API docs |
| ACE-Step 1.5 (open model) | full song in < 10 s on a consumer GPU | project's published figures |

## Measured runs

{START}
| {" | ".join(title for title, _ in COLUMNS)} |
|{"---|" * len(COLUMNS)}
{END}
"""


def machine() -> dict[str, Any]:
    """Cores, RAM (GiB), CPU model, Python and OS of this machine."""
    mem_kib = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 2**20, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def commit() -> str:
    """Short HEAD commit, with ``+dirty`` when tracked files differ from it."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    return head + ("+dirty" if git("diff", "--quiet", "HEAD").returncode == 1 else "")


def write_json(results: dict[str, Any], *, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{results['started_at'].replace(':', '').replace('-', '')}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def row(results: dict[str, Any]) -> dict[str, str]:
    """The table cells of one run."""
    m, speed, load, q = (
        results["machine"],
        results.get("speed", {}),
        results.get("load", {}),
        results.get("quality", {}).get("summary", {}),
    )
    song2 = speed.get("headline") or {}
    spm = speed.get("throughput") or []
    credit = (load.get("fixed") or {}).get("credit")
    max_rps = load.get("max_sustained_rps") or {}
    return {
        "date": results["started_at"][:16].replace("T", " "),
        "commit": results["commit"],
        "suite": results["suite"],
        "machine_short": f"{m['cores']} cores, {m['ram_gib']:.0f} GiB, Py {m['python']}",
        "song2_first_byte_s": _fmt(song2.get("first_audio_byte_s")),
        "song2_success_s": _fmt(song2.get("success_s")),
        "rtf_mean": _fmt(speed.get("rtf_all_tracks_mean"), 2),
        "songs_per_minute": "/".join(_fmt(t["songs_per_minute"], 2) for t in spm) or "–",
        "peak_rss_mib": _fmt(results.get("peak_server_rss_mib"), 0),
        "credit_latency": (
            f"{credit['p50_ms']:.1f}/{credit['p99_ms']:.1f} @ {credit['offered_rps']:.0f}" if credit else "–"
        ),
        "max_rps": "/".join(_fmt(max_rps.get(e), 0) for e in ("submit", "record", "credit"))
        if max_rps
        else "–",
        "wer_en": f"{_fmt(q.get('wer_en_mix'), 2)}/{_fmt(q.get('wer_en_vocals'), 2)}",
        "cer_zh": f"{_fmt(q.get('cer_zh_mix'), 2)}/{_fmt(q.get('cer_zh_vocals'), 2)}",
        "pitch": _fmt(q.get("pitch_share_within_50c"), 2),
        "tempo": _fmt(q.get("tempo_within_4pct_share"), 2),
        "key": _fmt(q.get("key_mirex_mean"), 2),
        "lufs": _fmt(q.get("lufs_mean")),
        "true_peak": _fmt(q.get("true_peak_max_dbtp")),
    }


def update_benchmarks_md(results: dict[str, Any], *, path: Path = BENCHMARKS_MD) -> None:
    """Append this run's row to the measured-runs table (creating the file on first use)."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if START not in text or END not in text:
        text = text.rstrip() + "\n\n" + HEADER.split("## Measured runs", 1)[1].lstrip()
    cells = row(results)
    line = "| " + " | ".join(cells[key].replace("|", "/") for _, key in COLUMNS) + " |\n"
    head, tail = text.split(END, 1)
    path.write_text(head + line + END + tail, encoding="utf-8")
