"""The songwriter evaluation: every request of ``bench/sets/songwriter/requests.json`` rendered directly
through the built-in engine (no server), both tracks, with per-request and overall adherence figures.

Per track: tempo estimated from the mastered audio within ±3 % of the plan (half/double folded), key
estimated from the audio equal to the plan or its relative, no audible stem of an excluded family,
duration within limits, integrated loudness within ±1 LU of −14 LUFS and true peak ≤ −1 dBTP. Per
request: how different the two tracks are (waveform correlation, long-term spectral distance in dB,
and whether their instrumentation and melodies differ).

``python -m bench.runner.songwriter_eval [--quick] [--jobs N]`` writes
``bench/results/songwriter-<timestamp>.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from bench.metrics import audio, key, tempo
from tunesmith.engines.base import SongRequest
from tunesmith.music.score import Score
from tunesmith.music.styles import parse_style
from tunesmith.music.theory import MODE_FAMILY

SET_PATH = Path(__file__).resolve().parents[1] / "sets" / "songwriter" / "requests.json"
RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"
QUICK_IDS = (
    "en-pop-happy", "en-rock-energetic", "en-hiphop-nc", "zh-guofeng", "zh-folk-nc",
    "inst-house", "inst-techno-nodrums", "inst-classical", "inst-orchestral", "inst-jazz-swing",
)  # fmt: skip
TEMPO_TOLERANCE_PCT = 3.0
LUFS_TARGET, LUFS_TOLERANCE, PEAK_CEILING_DBTP = -14.0, 1.0, -1.0
MIN_DURATION_S = 20.0
MODEL_LIMITS_S = {"V3_5": 240.0, "V4": 240.0}
LATER_MODEL_LIMIT_S = 480.0
AUDIBLE_DBFS = -60.0


class _NullSink:
    def write(self, chunk: bytes) -> None:
        del chunk

    def close(self) -> None:
        return None


def engine_request(wire: dict[str, Any]) -> SongRequest:
    """A generate body (camelCase, as in §3.1) → the engine-side request."""
    custom = bool(wire.get("customMode"))
    prompt = str(wire.get("prompt", ""))
    return SongRequest(
        custom=custom,
        instrumental=bool(wire.get("instrumental")),
        model=str(wire.get("model", "V4")),
        lyrics=prompt if custom else "",
        idea="" if custom else prompt,
        style=str(wire.get("style", "")),
        title=str(wire.get("title", "")),
        negative_tags=str(wire.get("negativeTags", "")),
        style_weight=wire.get("styleWeight"),
        weirdness=wire.get("weirdnessConstraint"),
        max_duration_s=MODEL_LIMITS_S.get(str(wire.get("model")), LATER_MODEL_LIMIT_S),
        target_duration_s=wire.get("duration"),
        seed=wire.get("seed"),
    )


def _key_ok(estimated: key.Key, score: Score) -> bool:
    planned = key.Key(score.key.tonic, "minor" if MODE_FAMILY[score.key.mode] == "minor" else "major")
    return key.key_score(estimated, planned) in (1.0, 0.3)


def track_metrics(
    x: np.ndarray, sr: int, score: Score, stems: set[str], excluded: set[str], limit_s: float
) -> dict[str, Any]:
    """Every per-track check for the decoded mix ``x`` (channels, n) of ``score``."""
    adherence = tempo.tempo_adherence(tempo.estimate_tempo_bpm(x, sr), score.tempo_bpm)
    estimated_key, _ = key.estimate_key(x, sr)
    duration = x.shape[1] / sr
    lufs, peak = audio.integrated_loudness_lufs(x, sr), audio.true_peak_dbtp(x, sr)
    sounding_excluded = sorted(stems & excluded)
    return {
        "genre": score.metadata.get("genre"),
        "planned_bpm": score.tempo_bpm,
        "estimated_bpm": round(adherence.estimated_bpm, 2),
        "tempo_error_pct": round(adherence.error_pct, 2),
        "tempo_ok": adherence.within(TEMPO_TOLERANCE_PCT),
        "planned_key": score.key.name(),
        "estimated_key": str(estimated_key),
        "key_ok": _key_ok(estimated_key, score),
        "excluded_sounding": sounding_excluded,
        "excluded_ok": not sounding_excluded,
        "duration_s": round(duration, 2),
        "duration_ok": MIN_DURATION_S <= duration <= limit_s,
        "lufs": round(lufs, 2),
        "true_peak_dbtp": round(peak, 2),
        "loudness_ok": abs(lufs - LUFS_TARGET) <= LUFS_TOLERANCE and peak <= PEAK_CEILING_DBTP + 0.05,
        "programs": sorted({f"{p.family.value}:{p.program}" for p in score.parts}),
        "melody": [n.pitch for s in (score.vocal.syllables if score.vocal else ()) for n in s.notes][:64],
    }


def _render_track(engine: Any, plan: Any, index: int, workdir: Path) -> tuple[np.ndarray, int, Score, set[str]]:
    from tunesmith.music.score_io import score_from_json

    result = engine.render(plan, index, workdir, _NullSink())
    data, sr = soundfile.read(str(result.audio_mp3), dtype="float32", always_2d=True)
    score = score_from_json(result.score_json.read_text(encoding="utf-8"))
    stems = {name for name, path in result.stems.items() if _audible(path)}
    return np.ascontiguousarray(data.T), int(sr), score, stems


def _audible(path: Path) -> bool:
    data, _ = soundfile.read(str(path), dtype="float32")
    return audio.sample_peak_dbfs(np.asarray(data).T) > AUDIBLE_DBFS


def evaluate_item(item: dict[str, Any]) -> dict[str, Any]:
    """Render both tracks of one request and measure them; a failure is recorded, not raised."""
    try:
        return _evaluate(item)
    except Exception as error:  # noqa: BLE001 — one broken request must not lose the others' results
        return {"id": item["id"], "kind": item["kind"], "language": item["language"], "error": repr(error)}


def _evaluate(item: dict[str, Any]) -> dict[str, Any]:
    from tunesmith.engines.builtin.engine import BuiltinEngine

    engine = BuiltinEngine()
    request = engine_request(item["request"])
    plan = engine.plan(request)
    tracks, mixes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for track in plan.tracks:
            x, sr, score, stems = _render_track(engine, plan, track.index, Path(tmp) / str(track.index))
            excluded = {f.value for f in parse_style(track.tags or request.style, request.negative_tags).excluded}
            tracks.append(track_metrics(x, sr, score, stems, excluded, request.max_duration_s))
            mixes.append((x, sr))
    diff = audio.track_difference(mixes[0][0], mixes[1][0], mixes[0][1])
    return {
        "id": item["id"],
        "kind": item["kind"],
        "language": item["language"],
        "tracks": tracks,
        "difference": {
            "correlation": round(diff.correlation, 4),
            "spectral_distance_db": round(diff.spectral_distance_db, 2),
            "instrumentation_differs": tracks[0]["programs"] != tracks[1]["programs"],
            "melody_differs": tracks[0]["melody"] != tracks[1]["melody"] or not tracks[0]["melody"],
        },
    }


CHECKS = ("tempo_ok", "key_ok", "excluded_ok", "duration_ok", "loudness_ok")


def summarise(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of tracks passing each check, and mean track difference."""
    failed = [i["id"] for i in items if "error" in i]
    items = [i for i in items if "error" not in i]
    tracks = [t for i in items for t in i["tracks"]]
    out: dict[str, Any] = {c: round(sum(bool(t[c]) for t in tracks) / max(len(tracks), 1), 3) for c in CHECKS}
    out["tracks"] = len(tracks)
    out["failed"] = failed
    out["mean_correlation"] = round(float(np.mean([i["difference"]["correlation"] for i in items])), 4)
    out["mean_spectral_distance_db"] = round(
        float(np.mean([i["difference"]["spectral_distance_db"] for i in items])), 2
    )
    out["tracks_differ"] = round(
        sum(i["difference"]["melody_differs"] or i["difference"]["instrumentation_differs"] for i in items)
        / len(items),
        3,
    )
    return out


def table(items: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """A Markdown table: one row per request (both tracks), then the overall shares."""
    rows = ["| request | genre | bpm plan/est | key plan/est | excl | dur s | LUFS / dBTP | corr / spec dB |",
            "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for item in items:
        if "error" in item:
            rows.append(f"| {item['id']} | error: {item['error'][:60]} | | | | | | |")
            continue
        t = item["tracks"]
        mark = {True: "✓", False: "✗"}
        rows.append(
            f"| {item['id']} | {t[0]['genre']} | "
            + " · ".join(f"{x['planned_bpm']:g}/{x['estimated_bpm']:.1f}{mark[x['tempo_ok']]}" for x in t)
            + " | "
            + " · ".join(f"{x['planned_key']}/{x['estimated_key']}{mark[x['key_ok']]}" for x in t)
            + " | "
            + " · ".join(mark[x["excluded_ok"]] for x in t)
            + " | "
            + " · ".join(f"{x['duration_s']:.0f}" for x in t)
            + " | "
            + " · ".join(f"{x['lufs']:.1f}/{x['true_peak_dbtp']:.1f}" for x in t)
            + " | "
            + f"{item['difference']['correlation']:.3f} / {item['difference']['spectral_distance_db']:.1f} |"
        )
    rows.append("")
    rows.append("overall: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return "\n".join(rows)


def run(*, quick: bool = False, jobs: int = 1) -> dict[str, Any]:
    """Evaluate the set (or its quick subset); returns ``{"summary": …, "items": […]}``."""
    items = json.loads(SET_PATH.read_text(encoding="utf-8"))
    if quick:
        items = [i for i in items if i["id"] in QUICK_IDS]
    with ProcessPoolExecutor(max_workers=max(jobs, 1)) as pool:
        results = list(pool.map(evaluate_item, items))
    return {"summary": summarise(results), "items": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runner.songwriter_eval", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"only the {len(QUICK_IDS)} quick requests")
    parser.add_argument("--jobs", type=int, default=1, help="requests rendered in parallel (processes)")
    args = parser.parse_args(argv)
    outcome = run(quick=args.quick, jobs=args.jobs)
    results, summary = outcome["items"], outcome["summary"]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"songwriter-{stamp}.json"
    path.write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(results, summary))
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
