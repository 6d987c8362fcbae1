"""The vocal evaluation: the fixed lyric sheets of ``bench/sets/vocals/`` sung by the built-in singer.

``python -m bench.runner.vocal_eval [--quick]`` composes each sheet with the real composer, sings it,
mixes it over the rendered backing with the engine's own mix path, and reports per sheet and overall:

- ``wer``/``cer`` of Whisper-base on the lead vocal stem and on the mastered mix; the stem's reference is
  the lead lines the composed score sings (a repeated chorus counts twice; parenthesised answers not at
  all), the mix's adds the parenthesised answers the backing part sings there (and its span covers them).
  English words are compared after Whisper's own normaliser (:func:`bench.metrics.asr.normalise_en`:
  ``we're`` = ``we are``); ``*_strict`` repeats the English figures with the plain lower-casing used
  before it (the same for Chinese);
- ``chain_error``: the same on the mastered lead stem alone, over the mix's span (its channel strip —
  EQ, de-esser, compressor, delay and reverb returns — and the master's gain, without the band): what
  the lead's own chain costs, apart from the band's masking (``mix_error`` − ``chain_error``);
- ``pitch``: share of lead notes sung within 50 cents (pYIN), over the sung span only;
- ``speed``: synthesis × real time (sung span seconds / wall seconds of ``singer.sing``) and the
  process CPU seconds of the same call, timed in a first pass that sings every sheet back to back
  before any transcription or mixing runs (:func:`sing_all`);
- ``gender``: the sheet sung once with a female and once with a male voice, median F0 (Hz) of each.

Writes ``bench/results/vocals-<timestamp>.json`` and prints a summary table. No server is needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean, median
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from bench import report
from bench.metrics import asr, pitch

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from tunesmith.engines.base import SungVocal
    from tunesmith.music.score import Score

VOCAL_SETS_DIR = Path(__file__).resolve().parents[1] / "sets" / "vocals"
SAMPLE_RATE = 44100
MARGIN_S = 0.75  # audio kept before the first and after the last sung note, in seconds
QUICK_PER_LANGUAGE = {"en": 6, "zh": 4}
Language = Literal["en", "zh"]


@dataclass(frozen=True, slots=True)
class Sheet:
    """One lyric sheet: ``lyrics`` with section tags, a style line, the voice gender and a seed."""

    id: str
    language: Language
    style: str
    gender: Literal["f", "m"]
    seed: int
    lyrics: str


def load_sheets(directory: Path = VOCAL_SETS_DIR) -> list[Sheet]:
    """Every sheet of ``en.json`` and ``zh.json`` in ``directory``, English first."""
    sheets = []
    for language in ("en", "zh"):
        for raw in json.loads((directory / f"{language}.json").read_text(encoding="utf-8")):
            sheets.append(Sheet(raw["id"], language, raw["style"], raw["gender"], int(raw["seed"]), raw["lyrics"]))
    return sheets


def quick_subset(sheets: Sequence[Sheet]) -> list[Sheet]:
    """The first few sheets of each language (see :data:`QUICK_PER_LANGUAGE`)."""
    out: list[Sheet] = []
    for language, count in QUICK_PER_LANGUAGE.items():
        out.extend([s for s in sheets if s.language == language][:count])
    return out


def compose_sheet(sheet: Sheet, gender: str) -> Score:
    """The score the built-in composer writes for ``sheet`` with a ``gender`` voice."""
    from tunesmith.engines.base import SongRequest, TrackPlan
    from tunesmith.engines.builtin.composer import compose
    from tunesmith.engines.builtin.singer.syllables import EspeakSyllabifier

    request = SongRequest(
        custom=True,
        instrumental=False,
        model="V6",
        lyrics=sheet.lyrics,
        style=sheet.style,
        vocal_gender=gender,
        max_duration_s=90.0,
    )
    track = TrackPlan(0, sheet.id, sheet.lyrics, sheet.style, sheet.language, sheet.seed)
    return compose(track, request, EspeakSyllabifier())


def lead_text(score: Score) -> str:
    """The lead lines the score actually sings (repeated sections repeated, backing lines left out)."""
    vocal = score.vocal
    return "\n".join(line.text for line in vocal.lines if not line.backing) if vocal else ""


def mix_text(score: Score) -> str:
    """Every line the mix sings, in order: the lead lines and the backing answers between them.

    The mix carries the backing part too, so its parenthesised answers are heard there: leaving them
    out of the reference would count every correctly heard answer as inserted words.
    """
    vocal = score.vocal
    if vocal is None:
        return ""
    sung = {s.line for s in vocal.syllables}
    return "\n".join(line.text for index, line in enumerate(vocal.lines) if index in sung)


def mix_span(score: Score) -> tuple[float, float]:
    """(start, end) seconds of the mix's sung part, lead and backing lines alike (:func:`sung_span`)."""
    vocal = score.vocal
    assert vocal is not None
    notes = [n for s in vocal.syllables for n in s.notes]
    first, last = score.seconds(min(n.start for n in notes)), score.seconds(max(n.end for n in notes))
    return sung_span([pitch.Note(first, last, 0.0)], score.duration_s)


def lead_notes(score: Score) -> list[pitch.Note]:
    """The lead vocal's notes (backing lines left out) in seconds."""
    vocal = score.vocal
    if vocal is None:
        return []
    lead = [s for s in vocal.syllables if not vocal.lines[s.line].backing]
    return [pitch.Note(score.seconds(n.start), score.seconds(n.end), float(n.pitch)) for s in lead for n in s.notes]


def sung_span(notes: Sequence[pitch.Note], duration_s: float) -> tuple[float, float]:
    """(start, end) seconds of the sung part with :data:`MARGIN_S` either side, inside the song."""
    return max(notes[0].start_s - MARGIN_S, 0.0), min(notes[-1].end_s + MARGIN_S, duration_s)


def crop(audio: np.ndarray, sr: int, span: tuple[float, float]) -> np.ndarray:
    """``audio`` (channels, samples) between the span's seconds."""
    return audio[:, int(span[0] * sr) : int(span[1] * sr)]


def median_f0_hz(audio: np.ndarray, sr: int) -> float:
    """Median F0 (Hz) of the voiced frames of mono ``audio`` (WORLD DIO + StoneMask)."""
    from tunesmith.engines.builtin.singer.world import world

    pw = world()
    x = np.ascontiguousarray(audio.mean(axis=0), dtype=np.float64)
    f0, times = pw.dio(x, sr, f0_floor=60.0, f0_ceil=1000.0, frame_period=10.0)
    f0 = pw.stonemask(x, f0, times, sr)
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if voiced.size else 0.0


def timed_sing(score: Score) -> tuple[SungVocal, float, float]:
    """(vocal, wall seconds, process CPU seconds) of one ``WorldSinger.sing`` call."""
    from tunesmith.engines.builtin.singer.synth import WorldSinger

    singer = WorldSinger()
    wall, cpu = time.perf_counter(), time.process_time()
    vocal = singer.sing(score, sample_rate=SAMPLE_RATE)
    return vocal, time.perf_counter() - wall, time.process_time() - cpu


def load_voices() -> None:
    """Load and warm the singer's neural voices before any sheet is timed, as the engine's ``load`` does
    in every worker process (:func:`~tunesmith.engines.builtin.singer.synth.warm_up`).

    Left to the first ``sing`` call, loading a voice (seconds: its graphs are cut or patched and
    compiled) and its first inference counted as synthesis time of whichever sheet came first and
    lowered the set's ``x_realtime``, which measures synthesis speed, not start-up (the first English and
    the first Chinese sheet read 19× real time, the rest 21–55×)."""
    from tunesmith.engines.builtin.singer.synth import warm_up

    warm_up()


def engine_mix(score: Score) -> tuple[np.ndarray, np.ndarray]:
    """The mastered mix and the mastered lead stem (channels, samples) at :data:`SAMPLE_RATE`, made by the
    engine's own path (the lead and backing are sung again phrase by phrase, deterministically the same
    as the measured stem, so the mix rides each phrase over the band exactly as a generated song does)."""
    from tunesmith.engines.builtin.engine import BuiltinEngine, _StageTimer
    from tunesmith.music.score import StemFamily

    engine = BuiltinEngine(sample_rate=SAMPLE_RATE)
    stems, mastered, _words = engine._make_audio(score, engine._voice_parts()[1], _StageTimer())
    return np.asarray(mastered), np.asarray(stems[StemFamily.VOCALS])


def sing_all(sheets: Sequence[Sheet]) -> list[tuple[Score, SungVocal, float, float]]:
    """Every sheet composed and sung, one after another: (score, vocal, wall s, CPU s) per sheet.

    The timing pass: it measures the singer, not the evaluation around it. Timed between the
    evaluation's own Whisper runs and band mixes, the same singing read 6–11 % slower: in one process,
    the 30 sheets sung back to back at 31.4× / 30.0× real time, each followed by the stem's
    transcription 29.6× / 26.9×, and by the mix and its transcription too 27.9×. Each sheet still gets a
    fresh singer, so nothing of one sheet's analysis serves the next."""
    out = []
    for sheet in sheets:
        score = compose_sheet(sheet, sheet.gender)
        vocal, wall_s, cpu_s = timed_sing(score)
        out.append((score, vocal, wall_s, cpu_s))
    return out


def evaluate_sheet(
    sheet: Sheet,
    whisper: WhisperModel,
    *,
    with_mix: bool = True,
    sung: tuple[Score, SungVocal, float, float] | None = None,
) -> dict[str, Any]:
    """Every vocal metric of one sheet (see the module docstring); ``sung``: the sheet's entry of
    :func:`sing_all` (None: composed and sung here)."""
    if sung is None:
        (sung,) = sing_all([sheet])
    score, vocal, wall_s, cpu_s = sung
    notes = lead_notes(score)
    span = sung_span(notes, score.duration_s)
    sung_s = span[1] - span[0]
    stem = crop(vocal.audio, SAMPLE_RATE, span)
    shifted = [pitch.Note(n.start_s - span[0], n.end_s - span[0], n.midi) for n in notes]
    accuracy = pitch.note_accuracy(stem, SAMPLE_RATE, shifted)
    heard = asr.transcribe(whisper, stem, SAMPLE_RATE, language=sheet.language)
    reference = lead_text(score)
    out: dict[str, Any] = {
        "id": sheet.id,
        "language": sheet.language,
        "voice": score.vocal.voice if score.vocal else None,
        "tempo_bpm": score.tempo_bpm,
        "sung_s": round(sung_s, 2),
        "notes": accuracy.notes,
        "vocal_error": asr.lyrics_error_rate(reference, heard, sheet.language),
        "vocal_error_strict": asr.lyrics_error_rate(reference, heard, sheet.language, strict=True),
        "vocal_heard": heard,
        "pitch_within_50c": accuracy.share_within,
        "pitch_median_abs_cents": accuracy.median_abs_cents,
        "sing_wall_s": round(wall_s, 3),
        "sing_cpu_s": round(cpu_s, 3),
        "x_realtime": round(sung_s / wall_s, 2),
    }
    if with_mix:
        mastered, lead = engine_mix(score)
        heard_span = mix_span(score)
        mix = crop(mastered, SAMPLE_RATE, heard_span)
        heard_chain = asr.transcribe(whisper, crop(lead, SAMPLE_RATE, heard_span), SAMPLE_RATE, language=sheet.language)
        out["chain_error"] = asr.lyrics_error_rate(reference, heard_chain, sheet.language)
        heard_mix = asr.transcribe(whisper, mix, SAMPLE_RATE, language=sheet.language)
        out["mix_error"] = asr.lyrics_error_rate(mix_text(score), heard_mix, sheet.language)
        out["mix_error_strict"] = asr.lyrics_error_rate(mix_text(score), heard_mix, sheet.language, strict=True)
        out["mix_heard"] = heard_mix
    out["gender_f0_hz"] = gender_f0(sheet, stem if sheet.gender == "f" else None, stem if sheet.gender == "m" else None)
    return out


def gender_f0(sheet: Sheet, female: np.ndarray | None, male: np.ndarray | None) -> dict[str, float]:
    """Median F0 (Hz) of the sheet sung by a female and by a male voice (singing the missing one)."""
    stems = {"f": female, "m": male}
    for gender, stem in stems.items():
        if stem is None:
            score = compose_sheet(sheet, gender)
            vocal, _, _ = timed_sing(score)
            stems[gender] = crop(vocal.audio, SAMPLE_RATE, sung_span(lead_notes(score), score.duration_s))
    return {g: round(median_f0_hz(s, SAMPLE_RATE), 1) for g, s in stems.items() if s is not None}


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Set-level means per language, overall pitch share, speed and the gender check."""
    out: dict[str, Any] = {}
    for language in ("en", "zh"):
        mine = [r for r in rows if r["language"] == language]
        if not mine:
            continue
        out[language] = {
            "sheets": len(mine),
            "vocal_error_mean": mean(r["vocal_error"] for r in mine),
            "mix_error_mean": mean(r["mix_error"] for r in mine) if all("mix_error" in r for r in mine) else None,
            "chain_error_mean": (
                mean(r["chain_error"] for r in mine) if all("chain_error" in r for r in mine) else None
            ),
            "vocal_error_strict_mean": mean(r["vocal_error_strict"] for r in mine),
            "mix_error_strict_mean": (
                mean(r["mix_error_strict"] for r in mine) if all("mix_error_strict" in r for r in mine) else None
            ),
            "pitch_within_50c": _weighted_pitch(mine),
        }
    out["pitch_within_50c"] = _weighted_pitch(rows)
    out["x_realtime"] = sum(r["sung_s"] for r in rows) / sum(r["sing_wall_s"] for r in rows)
    out["x_realtime_cpu"] = sum(r["sung_s"] for r in rows) / sum(r["sing_cpu_s"] for r in rows)
    out["x_realtime_median"] = median(r["x_realtime"] for r in rows)
    f0 = [r["gender_f0_hz"] for r in rows]
    out["female_above_male_every_song"] = all(g["f"] > g["m"] for g in f0)
    out["female_median_f0_hz"] = median(g["f"] for g in f0)
    out["male_median_f0_hz"] = median(g["m"] for g in f0)
    return out


def _weighted_pitch(rows: Sequence[dict[str, Any]]) -> float:
    notes = sum(r["notes"] for r in rows)
    return sum(r["pitch_within_50c"] * r["notes"] for r in rows) / notes if notes else 0.0


def run(*, quick: bool, with_mix: bool = True, only: str | None = None) -> dict[str, Any]:
    """Evaluate the (quick or full) set; ``only`` restricts it to one language."""
    sheets = load_sheets()
    sheets = quick_subset(sheets) if quick else sheets
    if only is not None:
        sheets = [s for s in sheets if s.language == only]
    load_voices()
    sung = sing_all(sheets)
    whisper = asr.load_whisper()
    rows = []
    for sheet, singing in zip(sheets, sung, strict=True):
        row = evaluate_sheet(sheet, whisper, with_mix=with_mix, sung=singing)
        rows.append(row)
        print(_line(row), file=sys.stderr, flush=True)
    return {
        "suite": "vocals-quick" if quick else "vocals",
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": report.machine(),
        "commit": report.commit(),
        "summary": summarise(rows),
        "sheets": rows,
    }


def _line(row: dict[str, Any]) -> str:
    metric = "WER" if row["language"] == "en" else "CER"
    mix = f"{row['mix_error']:.3f}" if "mix_error" in row else "–"
    return (
        f"{row['id']}: {metric} vocal {row['vocal_error']:.3f} mix {mix}, pitch {row['pitch_within_50c']:.3f}, "
        f"{row['x_realtime']:.1f}x RT, F0 f/m {row['gender_f0_hz']}  | {row['vocal_heard']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runner.vocal_eval", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few sheets per language")
    parser.add_argument("--no-mix", action="store_true", help="skip rendering the backing and the mix WER")
    parser.add_argument("--only", choices=("en", "zh"), help="one language only")
    args = parser.parse_args(argv)
    results = run(quick=args.quick, with_mix=not args.no_mix, only=args.only)
    stamp = results["started_at"].replace(":", "").replace("-", "")
    path = report.RESULTS_DIR / f"vocals-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results["summary"], indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
