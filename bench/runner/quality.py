"""Quality of finished songs: loudness, peaks, silence, clipping, tempo/key adherence, lyrics
intelligibility (Whisper WER/CER on the mix and on the vocal stem), sung pitch, stem residual and the
difference between the two tracks of a task.

Stems and sung notes come from the documented endpoints where the server has them, else from the
bench's own data dir (``sources`` in each track's record says which). A metric whose input is missing
is left out of that track's record, with the reason under ``unavailable``.
"""

from __future__ import annotations

from statistics import mean
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np

from bench.metrics import asr, audio, key, pitch, tempo
from bench.runner import artifacts
from bench.runner.catalog import EvalItem
from bench.runner.server import Server
from bench.runner.speed import SongRun

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


def mix_metrics(x: np.ndarray, sr: int, item: EvalItem) -> dict[str, Any]:
    """Metrics that need only the mixed track and the request."""
    silence, clipping = audio.silence_report(x, sr), audio.clipping_report(x)
    out: dict[str, Any] = {
        "duration_s": x.shape[-1] / sr,
        "integrated_lufs": audio.integrated_loudness_lufs(x, sr),
        "true_peak_dbtp": audio.true_peak_dbtp(x, sr),
        "silence": {
            "leading_s": silence.leading_s,
            "trailing_s": silence.trailing_s,
            "longest_internal_s": silence.longest_internal_s,
            "silent_share": silence.silent_share,
        },
        "clipping": {"clip_events": clipping.clip_events, "clipped_share": clipping.clipped_share},
    }
    planned_bpm = item.expect.get("tempo_bpm")
    if planned_bpm:
        adherence = tempo.tempo_adherence(tempo.estimate_tempo_bpm(x, sr), float(planned_bpm))
        out["tempo"] = {
            "estimated_bpm": adherence.estimated_bpm,
            "planned_bpm": planned_bpm,
            "error_pct": adherence.error_pct,
            "octave_factor": adherence.octave_factor,
            "within_4pct": adherence.within(4.0),
        }
    planned_key = item.expect.get("key")
    if planned_key:
        estimated, corr = key.estimate_key(x, sr)
        out["key"] = {
            "estimated": str(estimated),
            "planned": planned_key,
            "correlation": corr,
            "mirex_score": key.key_score(estimated, key.Key.parse(planned_key)),
        }
    return out


def _lyrics_error(model: WhisperModel, x: np.ndarray, sr: int, item: EvalItem) -> dict[str, Any]:
    assert item.lyrics is not None and item.language is not None
    heard = asr.transcribe(model, x, sr, language=item.language)
    rate = asr.lyrics_error_rate(item.lyrics, heard, item.language)
    return {"metric": "wer" if item.language == "en" else "cer", "value": rate, "heard": heard}


def track_quality(
    client: httpx.Client,
    server: Server,
    run: SongRun,
    track: dict[str, Any],
    item: EvalItem,
    whisper: WhisperModel | None,
) -> dict[str, Any]:
    """Every metric of one track; the decoded mix is returned under the private key ``_mix``."""
    x, sr = artifacts.fetch_audio(client, track["audioUrl"])
    out: dict[str, Any] = {
        "track_id": track.get("id"),
        **mix_metrics(x, sr, item),
        "unavailable": {},
        "_mix": (x, sr),
    }
    if item.lyrics is not None and whisper is not None:
        out["lyrics_mix"] = _lyrics_error(whisper, x, sr, item)
    try:
        found = artifacts.stems_for_track(
            client, server.data_dir, str(run.task_id), str(track["id"]), server.callback_url, (x, sr)
        )
    except (OSError, ValueError, RuntimeError) as exc:
        out["unavailable"]["stems"] = repr(exc)
        out["unavailable"]["pitch"] = "no stems"
        return out
    _stem_metrics(found, item, whisper, out)
    if item.kind != "instrumental":
        _pitch_metrics(client, server, run, track, found, out)
    out["sources"], out["endpoint_errors"] = found.source, found.endpoint_errors
    return out


def _stem_metrics(
    found: artifacts.TrackArtifacts, item: EvalItem, whisper: WhisperModel | None, out: dict[str, Any]
) -> None:
    assert found.stem_reference is not None
    mix, sr = found.stem_reference
    if any(s_sr != sr for _, s_sr in found.stems.values()):
        out["unavailable"]["stems"] = "stems at another sample rate than the mix"
        return
    stems = [s for s, _ in found.stems.values()]
    out["stems"] = sorted(found.stems)
    out["stem_residual_db"] = audio.stem_residual_db(stems, mix, max_lag=sr // 20, fit_gain=True)
    out["stem_gain_db"] = audio.stem_gain_db(stems, mix, max_lag=sr // 20)
    vocals = found.stems.get("vocals")
    if vocals is not None and item.lyrics is not None and whisper is not None:
        out["lyrics_vocals"] = _lyrics_error(whisper, vocals[0], vocals[1], item)


def _pitch_metrics(
    client: httpx.Client,
    server: Server,
    run: SongRun,
    track: dict[str, Any],
    found: artifacts.TrackArtifacts,
    out: dict[str, Any],
) -> None:
    vocals = found.stems.get("vocals")
    if vocals is None:
        out["unavailable"]["pitch"] = "no vocal stem"
        return
    try:
        artifacts.notes_for_track(
            client, server.data_dir, str(run.task_id), str(track["id"]), server.callback_url, found
        )
    except (OSError, ValueError, KeyError) as exc:
        out["unavailable"]["pitch"] = repr(exc)
        return
    if not found.notes:
        out["unavailable"]["pitch"] = "the score has no lead vocal notes"
        return
    result = pitch.note_accuracy(*_sung_part(vocals, found.notes))
    out["pitch"] = {
        "share_within_50_cents": result.share_within,
        "notes": result.notes,
        "voiced_notes": result.voiced_notes,
        "median_abs_cents": result.median_abs_cents,
    }


def _sung_part(
    vocals: artifacts.DecodedAudio, notes: list[pitch.Note], margin_s: float = 0.5
) -> tuple[np.ndarray, int, list[pitch.Note]]:
    """The vocal cropped to its sung span (pYIN is the slowest metric) and the notes shifted to match."""
    x, sr = vocals
    start = max(0.0, min(n.start_s for n in notes) - margin_s)
    end = max(n.end_s for n in notes) + margin_s
    shifted = [pitch.Note(n.start_s - start, n.end_s - start, n.midi) for n in notes]
    return x[:, int(start * sr) : int(end * sr)], sr, shifted


def task_quality(
    server: Server, run: SongRun, item: EvalItem, whisper: WhisperModel | None
) -> dict[str, Any]:
    """Per-track metrics plus the difference between the task's two tracks.

    A track whose measurement fails is recorded with its ``error``; the other track is still measured.
    """
    with server.client(timeout_s=120.0) as client:
        tracks = [_guarded_track(client, server, run, t, item, whisper) for t in run.tracks if t.get("audioUrl")]
    result: dict[str, Any] = {
        "item_id": item.id,
        "task_id": run.task_id,
        "kind": item.kind,
        "language": item.language,
    }
    if len(tracks) >= 2 and "_mix" in tracks[0] and "_mix" in tracks[1]:
        (a, sr_a), (b, sr_b) = tracks[0]["_mix"], tracks[1]["_mix"]
        if sr_a == sr_b:
            diff = audio.track_difference(a, b, sr_a)
            result["track_difference"] = {
                "correlation": diff.correlation,
                "spectral_distance_db": diff.spectral_distance_db,
            }
    result["tracks"] = [{k: v for k, v in t.items() if not k.startswith("_")} for t in tracks]
    return result


def _guarded_track(
    client: httpx.Client,
    server: Server,
    run: SongRun,
    track: dict[str, Any],
    item: EvalItem,
    whisper: WhisperModel | None,
) -> dict[str, Any]:
    try:
        return track_quality(client, server, run, track, item, whisper)
    except Exception as exc:  # noqa: BLE001 - one broken track must not lose the rest of the run
        return {"track_id": track.get("id"), "error": repr(exc)}


def summarise(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """Set-level figures: mean WER/CER (mix, vocals), pitch share, tempo/key adherence, level extremes."""
    tracks = [
        t | {"language": task["language"]}
        for task in tasks
        for t in task.get("tracks", [])
        if "integrated_lufs" in t
    ]

    def avg(values: list[float]) -> float | None:
        return mean(values) if values else None

    def lyric(source: str, language: str) -> float | None:
        return avg([t[source]["value"] for t in tracks if source in t and t["language"] == language])

    return {
        "tracks": len(tracks),
        "errors": sum(1 for task in tasks if "error" in task)
        + sum(1 for task in tasks for t in task.get("tracks", []) if "error" in t),
        "wer_en_mix": lyric("lyrics_mix", "en"),
        "wer_en_vocals": lyric("lyrics_vocals", "en"),
        "cer_zh_mix": lyric("lyrics_mix", "zh"),
        "cer_zh_vocals": lyric("lyrics_vocals", "zh"),
        "pitch_share_within_50c": avg([t["pitch"]["share_within_50_cents"] for t in tracks if "pitch" in t]),
        "tempo_within_4pct_share": avg([float(t["tempo"]["within_4pct"]) for t in tracks if "tempo" in t]),
        "key_mirex_mean": avg([t["key"]["mirex_score"] for t in tracks if "key" in t]),
        "lufs_mean": avg([t["integrated_lufs"] for t in tracks]),
        "true_peak_max_dbtp": max((t["true_peak_dbtp"] for t in tracks), default=None),
        "clip_events_total": sum(t["clipping"]["clip_events"] for t in tracks),
        "longest_internal_silence_s": max((t["silence"]["longest_internal_s"] for t in tracks), default=None),
        "stem_residual_max_db": max(
            (t["stem_residual_db"] for t in tracks if "stem_residual_db" in t), default=None
        ),
        "stem_sources": sorted({t["sources"]["stems"] for t in tracks if "stems" in t.get("sources", {})}),
        "track_correlation_mean": avg(
            [task["track_difference"]["correlation"] for task in tasks if "track_difference" in task]
        ),
        "track_spectral_distance_mean_db": avg(
            [task["track_difference"]["spectral_distance_db"] for task in tasks if "track_difference" in task]
        ),
    }
