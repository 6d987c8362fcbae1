"""Where the quality runner gets a track's audio, its stems and its sung notes.

Only documented endpoints are used: the track's ``audioUrl`` (§3.2), vocal separation (§3.18,
``separate_vocal`` → ``vocalUrl``/``instrumentalUrl``; ``split_stem`` → per-stem ids) and MIDI (§3.19,
notes of the vocal stem). These are the two functions to adjust when the server exposes its stems or
score another way: :func:`fetch_stems` and :func:`fetch_vocal_notes`.
"""

from __future__ import annotations

import io
import time
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
import soundfile

from bench.metrics.pitch import Note
from bench.runner.speed import POLL_S, call

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
    client: httpx.Client, task_id: str, audio_id: str, callback_url: str, *, timeout_s: float = 600.0
) -> dict[str, DecodedAudio]:
    """The vocal and instrumental stems of one track (keys ``vocals``, ``instrumental``)."""
    data = _separate(client, task_id, audio_id, callback_url, "separate_vocal", timeout_s)
    response = data.get("response") or {}
    urls = {"vocals": response.get("vocalUrl"), "instrumental": response.get("instrumentalUrl")}
    return {name: fetch_audio(client, url) for name, url in urls.items() if url}


def fetch_vocal_notes(
    client: httpx.Client, task_id: str, audio_id: str, callback_url: str, *, timeout_s: float = 600.0
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
