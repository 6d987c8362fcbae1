"""Where the quality runner gets a track's audio, its stems and its sung notes.

First choice is the documented endpoints: the track's ``audioUrl`` (§3.2), vocal separation (§3.18,
``separate_vocal`` → ``vocalUrl``/``instrumentalUrl``; ``split_stem`` → per-stem ids) and MIDI (§3.19,
notes of the vocal stem): :func:`fetch_stems` and :func:`fetch_vocal_notes`. Where an endpoint is
absent or fails, :func:`stems_for_track` and :func:`notes_for_track` fall back to the files the engine
left in the bench's own data dir (:mod:`bench.runner.datadir`) and record which source was used.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import soundfile

from bench.metrics.pitch import Note
from bench.runner import datadir
from bench.runner.speed import POLL_S, ApiError, call

DecodedAudio = tuple[npt.NDArray[np.float32], int]


def fetch_audio(client: httpx.Client, url: str) -> DecodedAudio:
    """Download and decode (MP3/WAV/FLAC) to float32 (channels, samples) and its sample rate."""
    response = client.get(url)
    response.raise_for_status()
    data, sr = soundfile.read(io.BytesIO(response.content), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), int(sr)


def _wait_details(client: httpx.Client, path: str, task_id: str, timeout_s: float) -> dict[str, Any]:
    """Poll a details endpoint until ``successFlag`` is terminal; returns its ``data``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        data = call(client, "GET", path, params={"taskId": task_id})
        flag = data.get("successFlag")
        if flag in ("SUCCESS", 1):
            return dict(data)
        if flag not in ("PENDING", 0, None):
            raise RuntimeError(f"{path} {task_id}: {flag} {data.get('errorMessage')}")
        time.sleep(POLL_S * 4)
    raise TimeoutError(f"{path} {task_id} not done after {timeout_s:.0f} s")


def _separate(
    client: httpx.Client, task_id: str, audio_id: str, callback_url: str, kind: str, timeout_s: float
) -> dict[str, Any]:
    body = {"taskId": task_id, "audioId": audio_id, "callBackUrl": callback_url, "type": kind}
    sep_id = call(client, "POST", "/api/v1/vocal-removal/generate", json=body)["taskId"]
    return _wait_details(client, "/api/v1/vocal-removal/record-info", sep_id, timeout_s) | {"taskId": sep_id}


def fetch_stems(
    client: httpx.Client, task_id: str, audio_id: str, callback_url: str, *, timeout_s: float = 180.0
) -> dict[str, DecodedAudio]:
    """The vocal and instrumental stems of one track (keys ``vocals``, ``instrumental``)."""
    data = _separate(client, task_id, audio_id, callback_url, "separate_vocal", timeout_s)
    response = data.get("response") or {}
    urls = {"vocals": response.get("vocalUrl"), "instrumental": response.get("instrumentalUrl")}
    return {name: fetch_audio(client, url) for name, url in urls.items() if url}


def fetch_vocal_notes(
    client: httpx.Client, task_id: str, audio_id: str, callback_url: str, *, timeout_s: float = 180.0
) -> list[Note]:
    """Notes of the vocal line: ``split_stem`` separation, then MIDI of its Vocals stem."""
    split = _separate(client, task_id, audio_id, callback_url, "split_stem", timeout_s)
    origin = (split.get("response") or {}).get("originData") or []
    vocal = next((o for o in origin if str(o.get("stem_type_group_name", "")).lower() == "vocals"), None)
    if vocal is None:
        raise RuntimeError("split_stem returned no Vocals stem")
    body = {"taskId": split["taskId"], "audioId": vocal["id"], "callBackUrl": callback_url}
    midi_id = call(client, "POST", "/api/v1/midi/generate", json=body)["taskId"]
    midi = _wait_details(client, "/api/v1/midi/record-info", midi_id, timeout_s).get("midiData") or {}
    instruments = midi.get("instruments") or []
    return [
        Note(float(n["start"]), float(n["end"]), float(n["pitch"]))
        for inst in instruments
        for n in inst.get("notes") or []
    ]


@dataclass
class TrackArtifacts:
    """Where one track's stems and sung notes came from.

    ``source`` maps ``stems``/``notes`` to ``endpoint`` or ``data_dir``; ``endpoint_errors`` keeps why
    the documented endpoint was not used (absent, failed, timed out).
    """

    stems: dict[str, DecodedAudio] = field(default_factory=dict)
    stem_reference: DecodedAudio | None = None
    notes: list[Note] = field(default_factory=list)
    source: dict[str, str] = field(default_factory=dict)
    endpoint_errors: dict[str, str] = field(default_factory=dict)


ENDPOINT_FAILURES = (ApiError, httpx.HTTPError, RuntimeError, TimeoutError, KeyError, ValueError, TypeError)


def stems_for_track(
    client: httpx.Client, data_dir: Path, task_id: str, audio_id: str, callback_url: str, mix: DecodedAudio
) -> TrackArtifacts:
    """The track's stems from the separation endpoint, else from the data dir (raises if neither).

    Stems from the endpoint are compared with the delivered ``mix``; the data dir's pre-master stems
    with the lossless ``master.flac`` they were mastered into (or with ``mix`` where there is none).
    """
    out = TrackArtifacts()
    try:
        out.stems, out.stem_reference = fetch_stems(client, task_id, audio_id, callback_url), mix
        out.source["stems"] = "endpoint"
    except ENDPOINT_FAILURES as exc:
        out.endpoint_errors["stems"] = repr(exc)
    if not out.stems:
        out.stems = datadir.read_stems(data_dir, audio_id)
        if datadir.has_master(data_dir, audio_id):
            out.stem_reference = datadir.read_master(data_dir, audio_id)
            out.source["stem_reference"] = "master.flac"
        else:  # an engine that keeps no lossless master: compare with the delivered MP3
            out.stem_reference = mix
            out.source["stem_reference"] = "audio.mp3"
        out.source["stems"] = "data_dir"
    return out


def notes_for_track(
    client: httpx.Client, data_dir: Path, task_id: str, audio_id: str, callback_url: str, out: TrackArtifacts
) -> None:
    """Fill ``out.notes`` from the MIDI endpoint, else from the track's ``score.json`` (raises if neither)."""
    try:
        out.notes = fetch_vocal_notes(client, task_id, audio_id, callback_url)
        out.source["notes"] = "endpoint"
    except ENDPOINT_FAILURES as exc:
        out.endpoint_errors["notes"] = repr(exc)
    if not out.notes:
        out.notes = datadir.read_vocal_notes(data_dir, audio_id)
        out.source["notes"] = "data_dir"
