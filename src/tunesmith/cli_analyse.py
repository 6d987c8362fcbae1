"""``tunesmith analyse FILE``: the analysis of a recording as a readable report, with a progress bar, and as
JSON. Imported only when the command runs (it loads the analysis models)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tunesmith.analysis.pipeline import AnalysisPipeline, AnalysisResult
from tunesmith.analysis.score import to_score
from tunesmith.analysis.types import SongAnalysis
from tunesmith.config import Settings
from tunesmith.engines.understanding import analyse_file
from tunesmith.media.audio_io import write_flac
from tunesmith.media.midi import score_parts, write_midi


def run_analyse(file: Path, *, settings: Settings, json_out: Path | None, lyrics_file: Path | None,
                language: str | None, stems_dir: Path | None, cache_dir: Path | None,
                midi_out: Path | None = None) -> SongAnalysis:
    lyrics = lyrics_file.read_text(encoding="utf-8") if lyrics_file else None
    pipeline = AnalysisPipeline(settings.analysis.choice())
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), transient=True) as bar:
        job = bar.add_task("decoding", total=1.0)

        def progress(stage: str, done: float) -> None:
            bar.update(job, description=stage, completed=done)

        result = analyse_file(file, pipeline, max_seconds=settings.uploads.max_audio_s, cache_dir=cache_dir,
                              lyrics=lyrics, language=language, progress=progress)
    typer.echo(report(result.analysis))
    if json_out is not None:
        json_out.write_text(json.dumps(result.analysis.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        typer.echo(f"\nJSON written to {json_out}")
    if midi_out is not None:
        score = to_score(result.analysis).score
        write_midi(score, score_parts(score), midi_out)
        typer.echo(f"MIDI written to {midi_out}")
    if stems_dir is not None:
        _write_stems(result, stems_dir)
        typer.echo(f"Stems written to {stems_dir}/vocals.flac and accompaniment.flac")
    return result.analysis


def report(a: SongAnalysis) -> str:
    """A plain-text summary: the headline figures, then chords, sections and lyrics over time."""
    beats, unit = a.tempo.meter
    sung = f", {sum(e - s for s, e in a.vocal_spans):.0f} s sung, {len(a.melody)} melody notes" if a.has_vocals else ""
    lines = [
        f"duration  {_clock(a.duration_s)}",
        f"tempo     {a.tempo.bpm:.1f} bpm, {beats}/{unit}, {len(a.tempo.beats)} beats, "
        f"{len(a.tempo.downbeats)} bars",
        f"key       {a.key.name()} (confidence {a.key.confidence:.2f})",
        f"loudness  {a.loudness.integrated_lufs:.1f} LUFS, true peak {a.loudness.true_peak_dbtp:.1f} dBTP",
        f"vocals    {'yes' if a.has_vocals else 'none detected'}{sung}",
        "", "sections",
        *(f"  {_clock(s.start_s)}–{_clock(s.end_s)}  {s.label}  {s.kind}" for s in a.sections),
        "", "chords",
        *_chord_rows(a),
    ]
    if a.lyrics.words:
        lines += ["", f"lyrics ({a.lyrics.language}, {a.lyrics.source})", *_lyric_rows(a)]
    return "\n".join(lines)


def _chord_rows(a: SongAnalysis, per_row: int = 8) -> list[str]:
    cells = [f"{_clock(c.start_s)} {c.name():<4}" for c in a.chords]
    return ["  " + "  ".join(cells[i:i + per_row]) for i in range(0, len(cells), per_row)]


def _lyric_rows(a: SongAnalysis) -> list[str]:
    rows: dict[int, list[str]] = {}
    starts: dict[int, float] = {}
    for w in a.lyrics.words:
        rows.setdefault(w.line, []).append(w.text)
        starts.setdefault(w.line, w.start_s)
    joiner = "" if a.lyrics.language == "zh" else " "
    return [f"  {_clock(starts[line])}  {joiner.join(words)}" for line, words in sorted(rows.items())]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60.0)
    return f"{int(minutes)}:{rest:05.2f}"


def _write_stems(result: AnalysisResult, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_flac(folder / "vocals.flac", result.stems.vocals, result.stems.sample_rate)
    write_flac(folder / "accompaniment.flac", result.stems.accompaniment, result.stems.sample_rate)
