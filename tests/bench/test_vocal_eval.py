"""The vocal evaluation's references: the stem is judged on the lead lines, the mix on every sung line."""

from __future__ import annotations

import pytest
from bench.runner import vocal_eval


def _sheet(sheet_id: str) -> vocal_eval.Sheet:
    return next(s for s in vocal_eval.load_sheets() if s.id == sheet_id)


def test_mix_reference_adds_the_backing_answers_the_mix_sings() -> None:
    sheet = _sheet("en-16")  # "(at last)" answers the third line
    score = vocal_eval.compose_sheet(sheet, sheet.gender)
    lead, mix = vocal_eval.lead_text(score).split("\n"), vocal_eval.mix_text(score).split("\n")
    assert "at last" not in lead
    assert mix == lead[:3] + ["at last"] + lead[3:]


def test_mix_span_covers_a_backing_answer_after_the_last_lead_line() -> None:
    sheet = _sheet("en-20")  # ends on "(stay with me)" after the last lead line
    score = vocal_eval.compose_sheet(sheet, sheet.gender)
    assert score.vocal is not None
    last_note = max(n.end for s in score.vocal.syllables for n in s.notes)
    lead_span = vocal_eval.sung_span(vocal_eval.lead_notes(score), score.duration_s)
    span = vocal_eval.mix_span(score)
    assert span[0] == lead_span[0]
    assert lead_span[1] < score.seconds(last_note) < span[1]


def test_the_voices_are_warmed_before_any_sheet_is_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    from tunesmith.engines.builtin.singer import synth

    calls: list[int] = []
    monkeypatch.setattr(synth, "warm_up", lambda: calls.append(1))
    vocal_eval.load_voices()
    assert calls == [1]


def test_the_timing_pass_sings_every_sheet_before_anything_else_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = [_sheet("en-17"), _sheet("zh-08")]
    order: list[str] = []
    real = vocal_eval.timed_sing
    monkeypatch.setattr(vocal_eval, "timed_sing", lambda score: (order.append("sing"), real(score))[1])
    sung = vocal_eval.sing_all(sheets)
    assert order == ["sing", "sing"]
    for sheet, (score, vocal, wall_s, cpu_s) in zip(sheets, sung, strict=True):
        assert score.vocal is not None and score.vocal.language == sheet.language
        assert vocal.audio.shape[1] == round(score.duration_s * vocal_eval.SAMPLE_RATE) and wall_s > 0 and cpu_s > 0


def _row(language: str, vocal: float, chain: float | None, mix: float) -> dict[str, object]:
    row: dict[str, object] = {
        "language": language,
        "vocal_error": vocal,
        "vocal_error_strict": vocal,
        "mix_error": mix,
        "mix_error_strict": mix,
        "notes": 10,
        "pitch_within_50c": 1.0,
        "sung_s": 20.0,
        "sing_wall_s": 0.5,
        "sing_cpu_s": 0.9,
        "x_realtime": 40.0,
        "gender_f0_hz": {"f": 330.0, "m": 170.0},
    }
    if chain is not None:
        row["chain_error"] = chain
    return row


def test_the_summary_separates_the_leads_chain_from_the_band() -> None:
    summary = vocal_eval.summarise([_row("en", 0.0, 0.1, 0.2), _row("en", 0.1, 0.3, 0.4)])
    assert summary["en"]["chain_error_mean"] == pytest.approx(0.2)
    assert summary["en"]["mix_error_mean"] == pytest.approx(0.3)
    older = vocal_eval.summarise([_row("en", 0.0, None, 0.2)])  # a row without the chain's figure
    assert older["en"]["chain_error_mean"] is None
