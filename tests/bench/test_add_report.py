"""The add benchmark's summary (pooled shares, held-out lyrics, timing case, run-to-run noise) and its
BENCHMARKS.md section (targets with ✓/✗, a record of its own, not a row of the suite table)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.runner import add_report, add_summary

from bench import report

MACHINE = {"cores": 2, "ram_gib": 8.0, "cpu": "test CPU", "python": "3.11.9", "os": "Linux"}


def _ai_track(onset_ms: float, judged: int, in_chord: int, *, key: bool = True) -> dict[str, Any]:
    return {"audio_id": "a", "key_agrees": key, "vocal_key": "A minor", "backing_key": "A minor",
            "onset_beat_median_ms_score": onset_ms, "notes_judged": judged, "notes_in_chord": in_chord,
            "notes_in_chord_or_scale": judged, "upload_correlation": 0.9999, "lufs": -14.2, "true_peak_dbtp": -1.1}


def _av_track(error: float, phrases: int, on_beat: int) -> dict[str, Any]:
    return {"audio_id": "b", "lyrics_error": error, "phrases": phrases, "phrases_on_beat": on_beat,
            "notes_judged": 10, "notes_in_chord": 6, "notes_in_chord_or_scale": 9, "upload_correlation": 0.998,
            "upload_gain_db": -2.0, "lufs": -14.0, "true_peak_dbtp": -1.0}


def _cases() -> list[dict[str, Any]]:
    first = [_ai_track(30.0, 10, 10), _ai_track(50.0, 30, 24)]
    ai_runs = [{"stage_s": {"SUCCESS": 50.0}, "error": None, "tracks": first},
               {"stage_s": {"SUCCESS": 54.0}, "error": None, "tracks": [_ai_track(20.0, 10, 9, key=False)]}]
    return [
        {"id": "ai-1", "endpoint": "add-instrumental", "timing": True, "runs": ai_runs},
        {"id": "av-en", "endpoint": "add-vocals", "language": "en", "tuned_on": [], "runs": [
            {"stage_s": {"SUCCESS": 70.0}, "error": None, "tracks": [_av_track(0.1, 8, 8), {"error": "boom"}]}]},
        {"id": "av-en-tuned", "endpoint": "add-vocals", "language": "en", "tuned_on": ["lyrics"], "runs": [
            {"stage_s": {}, "error": None, "tracks": [_av_track(0.5, 2, 1)]}]},
        {"id": "av-zh", "endpoint": "add-vocals", "error": "no such package", "runs": []},
    ]  # fmt: skip


def test_summary_pools_notes_and_phrases_and_keeps_the_target_figures_held_out() -> None:
    s = add_summary.summarise(_cases())
    assert s["ai_tracks"] == 3 and s["ai_key_share"] == round(2 / 3, 4)
    assert s["ai_onset_beat_median_ms"] == 30.0  # median of the tracks' medians
    assert s["ai_consonant_share"] == round(43 / 50, 4)  # pooled: notes of a long song weigh more
    assert s["ai_success_2min_s"] == 52.0 and s["av_success_2min_s"] is None  # av-en is not the timing case
    assert s["av_tracks"] == 2  # the failed track is left out
    assert s["av_phrase_on_beat_share"] == 0.9
    assert s["av_wer_en"] == 0.1 and s["av_wer_en_all"] == 0.3
    assert s["av_cer_zh"] is None
    # figures the rows do not carry (shares of these synthetic rows) are left out of the spread
    assert s["noise"] == {"ai-1": {"onset_beat_median_ms_score": 20.0, "lufs": 0.0, "success_s": 4.0}}


def test_case_errors_name_the_case_the_run_and_the_track() -> None:
    cases = _cases()
    assert add_summary.case_errors(cases[1]) == ["av-en run 1 track None: boom"]
    assert add_summary.case_errors(cases[3]) == ["av-zh: no such package"]


def test_the_section_shows_targets_and_verdicts(tmp_path: Path) -> None:
    record = {"suite": "add", "started_at": "2026-12-06T10:00:00Z", "machine": MACHINE, "commit": "abc1234",
              "complete": True, "max_input_s": None, "cases": _cases(), "errors": ["x"],
              "targets": {k: list(v) for k, v in add_summary.TARGETS.items()}}
    record["summary"] = add_summary.summarise(record["cases"])
    (tmp_path / "add-20261206T100000Z.json").write_text(json.dumps(record), encoding="utf-8")
    report.write_json({"suite": "smoke", "started_at": "2026-12-06T09:00:00Z", "machine": MACHINE,
                       "commit": "def5678"}, directory=tmp_path)
    md = tmp_path / "BENCHMARKS.md"
    report.update_benchmarks_md(path=md, directory=tmp_path)
    text = md.read_text(encoding="utf-8")
    suite_rows = text.split(report.START)[1].split(report.END)[0]
    assert "def5678" in suite_rows and "abc1234" not in suite_rows
    add = text.split(add_report.START)[1].split(add_report.END)[0]
    assert "| … time to SUCCESS, 2-minute vocal (s) | <= 60 ✓ | 52.0 |" in add
    assert "| add-instrumental: backing in the vocal's key (share of tracks) | >= 0.9 ✗ | 67 % |" in add
    assert "| … English WER on the mix (held-out lyrics) | <= 0.15 ✓ | 0.100 |" in add
    assert "| … Chinese CER on the mix (held-out lyrics) | <= 0.35 | – |" in add
    assert "`ai-1`: onset_beat_median_ms_score 20" in add and "add-20261206T100000Z.json" in add
    report.update_benchmarks_md(path=md, directory=tmp_path)
    assert md.read_text(encoding="utf-8") == text  # rebuilding is idempotent
