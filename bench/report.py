"""Results: the full JSON record in ``bench/results/<timestamp>.json`` and the tables of ``BENCHMARKS.md``.

The measured-runs table is rebuilt from the run records in ``bench/results/`` each time, one row per
record with a link to it, so the table quotes exactly the runs whose JSON is committed (delete a record
and ``python -m bench table`` drops its row). Below it, the latest run is shown in detail: speed per
song with the engine's per-stage real-time factors, load per endpoint and quality per set.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.runner import add_report, analysis_report

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
DETAILS_START, DETAILS_END = "<!-- bench:details:start -->", "<!-- bench:details:end -->"

COLUMNS = (
    ("Date (UTC)", "date"),
    ("Commit", "commit"),
    ("Suite", "suite"),
    ("Machine", "machine_short"),
    ("2-min song: 1st audio byte (s)", "song2_first_byte_s"),
    ("2-min song: SUCCESS (s)", "song2_success_s"),
    ("RTF all tracks (mean)", "rtf_mean"),
    ("Stage RTF compose/render/sing/mix/master/encode", "stage_rtf"),
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
    ("Errors", "errors"),
    ("Record", "json"),
)
STAGE_COLUMNS = ("compose", "render", "sing", "mix", "master", "encode")

QUOTED = """| System | Hardware (as published) | Time to stream | Time per song | Source |
|---|---|---|---|---|
| Suno (hosted API), *quoted* | hosted service | ~20 s | 1–3 min | the hosted API's published figures |
| ACE-Step 1.5 (open model), *quoted* | NVIDIA A100 | – | < 2 s per full song | ACE-Step 1.5 README |
| ACE-Step 1.5 (open model), *quoted* | NVIDIA RTX 3090 (consumer) | – | < 10 s per full song | ACE-Step 1.5 README |"""

HEADER = f"""# Benchmarks

Produced by `make bench` (full), `make bench-smoke` and `make bench-stream`
(`python -m bench run --suite full|smoke|stream`): a real `tunesmith serve` on loopback with its embedded
default configuration. Every run writes its complete record to `bench/results/<timestamp>.json`; the
tables below are rebuilt from those records (`python -m bench table`),
one row per record with a link to it. Times are from just before the submit
request; status times have the polling resolution (0.25 s). RTF all tracks = wall time to SUCCESS / seconds
of audio delivered (lower is faster). Stage RTF = seconds of audio / seconds the engine spent in that stage
(higher is faster), pooled over every track, read from the server's own database in the bench's data dir.
Load: k6 constant-arrival-rate; "sustained" = p99 ≤ 100 ms, ≥ 99 % good answers, ≥ 95 % of the offered rate.
Quality: WER/CER by Whisper base (int8, CPU); pitch = share of score notes sung within 50 cents (pYIN);
tempo/key estimated from the audio and compared with the tempo and key the request's style asks for.

## Published figures of other systems (quoted, not measured here)

{QUOTED}

## Measured runs

{START}
{END}

## Latest run in detail

{DETAILS_START}
{DETAILS_END}

{analysis_report.TITLE}

{analysis_report.START}
{analysis_report.END}

{add_report.TITLE}

{add_report.START}
{add_report.END}
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
    """Write (or overwrite: a run checkpoints after each phase) ``<directory>/<started_at>.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{results['started_at'].replace(':', '').replace('-', '')}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def analysis_records(directory: Path = RESULTS_DIR) -> list[tuple[Path, dict[str, Any]]]:
    """Every analysis benchmark record (``analysis-*.json``, :mod:`bench.runner.analysis_eval`), oldest first."""
    return _records_of(directory, "analysis-*.json", analysis_report.is_analysis)


def add_records(directory: Path = RESULTS_DIR) -> list[tuple[Path, dict[str, Any]]]:
    """Every add-instrumental / add-vocals benchmark record (``add-*.json``, :mod:`bench.runner.add_eval`),
    oldest first."""
    return _records_of(directory, "add-*.json", add_report.is_add)


def _records_of(directory: Path, pattern: str,
                kind: Callable[[dict[str, Any]], bool]) -> list[tuple[Path, dict[str, Any]]]:
    records = []
    for path in sorted(directory.glob(pattern)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and kind(data) and "started_at" in data:
            records.append((path, data))
    return sorted(records, key=lambda r: str(r[1]["started_at"]))


def run_records(directory: Path = RESULTS_DIR) -> list[tuple[Path, dict[str, Any]]]:
    """Every suite run record in ``directory`` (other evaluations' JSON is skipped), oldest first."""
    records = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        keys = {"suite", "started_at", "machine", "commit"}
        if not isinstance(data, dict) or analysis_report.is_analysis(data) or add_report.is_add(data):
            continue  # the analysis and add benches have tables of their own
        if keys <= data.keys():
            records.append((path, data))
    return sorted(records, key=lambda r: str(r[1]["started_at"]))


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _link(path: Path) -> str:
    return f"[{path.stem}]({path.relative_to(ROOT).as_posix()})" if path.is_relative_to(ROOT) else path.name


def _count_errors(results: dict[str, Any]) -> int:
    return len(results.get("errors") or [])


def row(results: dict[str, Any], path: Path | None = None) -> dict[str, str]:
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
    stage = speed.get("stage_rtf") or {}
    partial = "" if results.get("complete", True) else " (partial)"
    if results.get("suite") == "vocals" and isinstance(results.get("summary"), dict):
        q = _vocal_set_quality(results["summary"])  # a record of the vocal set alone (vocal_eval)
    return {
        "date": results["started_at"][:16].replace("T", " "),
        "commit": results["commit"],
        "suite": results["suite"] + partial,
        "machine_short": f"{m['cores']} cores, {m['ram_gib']:.0f} GiB, Py {m['python']}",
        "song2_first_byte_s": _fmt(song2.get("first_audio_byte_s")),
        "song2_success_s": _fmt(song2.get("success_s")),
        "rtf_mean": _fmt(speed.get("rtf_all_tracks_mean"), 2),
        "stage_rtf": "/".join(_fmt(stage.get(name), 0) for name in STAGE_COLUMNS) if stage else "–",
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
        "errors": str(_count_errors(results)) if "errors" in results else "–",
        "json": _link(path) if path is not None else "–",
    }


def _vocal_set_quality(summary: dict[str, Any]) -> dict[str, Any]:
    """The vocal set's summary (:mod:`bench.runner.vocal_eval`) under the quality columns' keys."""
    en, zh = summary.get("en") or {}, summary.get("zh") or {}
    return {
        "wer_en_mix": en.get("mix_error_mean"),
        "wer_en_vocals": en.get("vocal_error_mean"),
        "cer_zh_mix": zh.get("mix_error_mean"),
        "cer_zh_vocals": zh.get("vocal_error_mean"),
        "pitch_share_within_50c": summary.get("pitch_within_50c"),
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in r) + " |" for r in rows]
    return "\n".join(lines)


def runs_table(records: list[tuple[Path, dict[str, Any]]]) -> str:
    """The measured-runs table: one row per record."""
    cells = [row(data, path) for path, data in records]
    return _table([title for title, _ in COLUMNS], [[c[key] for _, key in COLUMNS] for c in cells])


ENDPOINTS_TITLE = "### Endpoint timings"
ENDPOINT_POLL_S = 0.25  # bench.runner.endpoints.POLL_S (not imported: the report needs no HTTP client)


def _cells(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_cells(v) for v in value) + "]"
    return str(value)


def endpoint_timings_table(record: dict[str, Any]) -> str:
    """The "Endpoint timings" of one run: the song they ran on, then one row per endpoint (name and path,
    sync/async, seconds from submit to terminal state, × real time of the song, status, output checks)."""
    song = record.get("song") or {}
    rows = []
    for t in record.get("endpoints") or []:
        checks = ", ".join(f"{k} {_cells(v)}" for k, v in (t.get("checks") or {}).items())
        x_rt = t.get("x_real_time")
        rows.append(
            [
                f"{t['endpoint']} (`{t['path']}`)",
                str(t["mode"]),
                _fmt(t.get("seconds"), 2),
                "–" if x_rt is None else f"{x_rt:.{3 if x_rt < 0.1 else 2}f}×",
                str(t["status"]),
                checks or "–",
                str(t.get("error") or "").replace("\n", " ")[:300],
            ]
        )
    durations = " + ".join(_fmt(float(d)) for d in song.get("durations_s") or []) or "–"
    intro = (
        f"Song `{song.get('item', '–')}` (custom, V6, with vocals, target {_fmt(song.get('target_s'), 0)} s): "
        f"SUCCESS in {_fmt(song.get('success_s'))} s, tracks {durations} s. The endpoints ran one at a time on its "
        f"first track ({_fmt(song.get('track_duration_s'))} s) on a server of their own. Seconds = submit → the "
        f"first poll (every {ENDPOINT_POLL_S} s) that saw a terminal state; synchronous endpoints: the request. "
        "× real time = seconds / track length (where the endpoint works on the song's audio)."
    )
    if record.get("error"):
        intro += f" **{record['error']}**"
    header = ["Endpoint", "Mode", "Seconds", "× real time", "Status", "Output checks", "Error / reason"]
    return intro + ("\n\n" + _table(header, rows) if rows else "")


def endpoints_section(results: dict[str, Any]) -> str:
    """The run's endpoint timings as a section of the details, or "" when the run has none."""
    record = results.get("endpoints")
    return f"{ENDPOINTS_TITLE}\n\n{endpoint_timings_table(record)}" if isinstance(record, dict) else ""


def sets_section(results: dict[str, Any]) -> str:
    """Summaries of the fixed evaluation sets (singer, songwriter) of a full run, or "" without them."""
    parts: list[str] = []
    vocals = results.get("vocals", {}).get("summary") if isinstance(results.get("vocals"), dict) else None
    if vocals:
        en, zh = vocals.get("en", {}), vocals.get("zh", {})
        parts.append(_table(
            ["Vocal set", "Sheets", "Error on vocal stem", "Error on mix", "Notes ≤ 50 c",
             "Synthesis × RT (wall / CPU)",
             "Female F0 > male, every song"],
            [["English (WER)", _fmt(en.get("sheets"), 0), _fmt(en.get("vocal_error_mean"), 3),
              _fmt(en.get("mix_error_mean"), 3), _fmt(en.get("pitch_within_50c"), 3),
              f"{_fmt(vocals.get('x_realtime'), 1)} / {_fmt(vocals.get('x_realtime_cpu'), 1)}",
              str(vocals.get("female_above_male_every_song"))],
             *([["English (WER, strict: we're ≠ we are)", _fmt(en.get("sheets"), 0),
                 _fmt(en.get("vocal_error_strict_mean"), 3), _fmt(en.get("mix_error_strict_mean"), 3), "", "", ""]]
               if en.get("vocal_error_strict_mean") is not None else []),
             ["Chinese (CER)", _fmt(zh.get("sheets"), 0), _fmt(zh.get("vocal_error_mean"), 3),
              _fmt(zh.get("mix_error_mean"), 3), _fmt(zh.get("pitch_within_50c"), 3), "", ""]]))
    songs = results.get("songwriter", {}).get("summary") if isinstance(results.get("songwriter"), dict) else None
    if songs:
        rows = [[name, _fmt(value, 3) if isinstance(value, float) else str(value)]
                for name, value in songs.items() if name != "failed"]
        rows.append(["failed requests", ", ".join(songs.get("failed", [])) or "none"])
        parts.append(_table(["Songwriter set (share of tracks unless noted)", "Value"], rows))
    return "### Fixed evaluation sets\n\n" + "\n\n".join(parts) if parts else ""


def details(path: Path, results: dict[str, Any]) -> str:
    """The latest run: speed per song (with stage RTFs), throughput, load per endpoint, quality per set,
    endpoint timings (before the list of skipped and failed items)."""
    from bench import report_details

    body = report_details.render(_link(path), results)
    section = "\n\n".join(p for p in (endpoints_section(results), sets_section(results)) if p)
    if not section:
        return body
    marker = "\n\n### Skipped and failed"
    return body.replace(marker, f"\n\n{section}{marker}", 1) if marker in body else f"{body}\n\n{section}"


def _replace_between(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text:
        text = text.rstrip() + f"\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def update_benchmarks_md(*, path: Path = BENCHMARKS_MD, directory: Path = RESULTS_DIR) -> None:
    """Rebuild the measured-runs table and the latest run's details from the records in ``directory``.

    Text outside the two marked regions (notes, the quoted figures) is kept as it is.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    records = run_records(directory)
    text = _replace_between(text, START, END, runs_table(records))
    latest = next((r for r in reversed(records) if r[1]["suite"] == "full" and r[1].get("complete", True)), None)
    latest = latest or (records[-1] if records else None)
    body = details(*latest) if latest else "No run recorded yet."
    text = _replace_between(text, DETAILS_START, DETAILS_END, body)
    if analysis_report.START not in text:
        text = text.rstrip() + f"\n\n{analysis_report.TITLE}\n"
    text = _replace_between(text, analysis_report.START, analysis_report.END,
                            analysis_report.section(analysis_records(directory), _link))
    if add_report.START not in text:
        text = text.rstrip() + f"\n\n{add_report.TITLE}\n"
    text = _replace_between(text, add_report.START, add_report.END, add_report.section(add_records(directory), _link))
    path.write_text(text, encoding="utf-8")
