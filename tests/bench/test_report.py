"""The BENCHMARKS.md tables are rebuilt from the run records, one linked row per record."""

from __future__ import annotations

import json
from pathlib import Path

from bench import report

MACHINE = {"cores": 2, "ram_gib": 8.0, "cpu": "test CPU", "python": "3.11.9", "os": "Linux"}


def _record(stamp: str, suite: str, **extra: object) -> dict[str, object]:
    return {"suite": suite, "started_at": stamp, "machine": MACHINE, "commit": "abc1234", **extra}


def test_table_has_one_linked_row_per_run_record(tmp_path: Path) -> None:
    speed = {"stage_rtf": {"compose": 500.0, "render": 40.0, "sing": 12.5, "mix": 90.0, "master": 60.0}}
    report.write_json(_record("2026-01-01T10:00:00Z", "smoke"), directory=tmp_path)
    report.write_json(_record("2026-01-02T10:00:00Z", "full", speed=speed, errors=[]), directory=tmp_path)
    (tmp_path / "vocals-20260103T100000Z.json").write_text(json.dumps({"sheets": []}), encoding="utf-8")
    md = tmp_path / "BENCHMARKS.md"
    report.update_benchmarks_md(path=md, directory=tmp_path)
    text = md.read_text(encoding="utf-8")
    rows = [line for line in text.split(report.START)[1].split(report.END)[0].splitlines() if "abc1234" in line]
    assert len(rows) == 2
    assert "20260101T100000Z.json" in rows[0] and "20260102T100000Z.json" in rows[1]
    assert "500/40/12/90/60/–" in rows[1]  # stage RTFs in the column's order; encode not measured
    assert "quoted" in text and "RTX 3090" in text
    report.update_benchmarks_md(path=md, directory=tmp_path)
    assert md.read_text(encoding="utf-8") == text  # rebuilding is idempotent


def test_sets_section_summarises_the_fixed_evaluation_sets() -> None:
    from bench import report

    results = {
        "vocals": {"summary": {"en": {"sheets": 20, "vocal_error_mean": 0.13, "mix_error_mean": 0.2,
                                      "vocal_error_strict_mean": 0.14, "mix_error_strict_mean": 0.21,
                                      "pitch_within_50c": 0.999},
                               "x_realtime": 20.0, "x_realtime_cpu": 28.0, "female_above_male_every_song": True}},
        "songwriter": {"summary": {"tempo_ok": 0.975, "tracks": 80, "failed": ["x"]}},
    }
    text = report.sets_section(results)
    assert "| English (WER) | 20 | 0.130 | 0.200 | 0.999 | 20.0 / 28.0 | True |" in text
    assert "| English (WER, strict: we're ≠ we are) | 20 | 0.140 | 0.210 |" in text
    assert "| tempo_ok | 0.975 |" in text and "| failed requests | x |" in text
    assert report.sets_section({}) == ""


def test_a_vocal_set_record_fills_the_quality_columns() -> None:
    summary = {"en": {"vocal_error_mean": 0.0575, "mix_error_mean": 0.126},
               "zh": {"vocal_error_mean": 0.22, "mix_error_mean": 0.313}, "pitch_within_50c": 0.998}
    cells = report.row(_record("2026-01-03T10:00:00Z", "vocals", summary=summary))
    assert (cells["wer_en"], cells["cer_zh"], cells["pitch"]) == ("0.13/0.06", "0.31/0.22", "1.00")
    assert report.row(_record("2026-01-03T10:00:00Z", "smoke"))["wer_en"] == "–/–"
