"""Endpoint timings: how long each follow-up endpoint of the API takes on one generated song.

One custom song with vocals (about 3 minutes in the full suite, 30 s in smoke) is generated and followed to
SUCCESS; then each endpoint runs on its first track, one at a time so that they do not slow each other:
WAV, vocal separation (``separate_vocal`` and ``split_stem``), MIDI (on the ``split_stem`` task),
timestamped lyrics, persona, MP4, cover images, recovery, sounds, lyrics, style boost, extend and replace
section. The time is from just before the submit request to the first poll (every ``POLL_S``) that saw a
terminal state in the endpoint's own details endpoint; for the synchronous endpoints it is the request.
"× real time" divides that time by the song's length where the endpoint works on the song's audio.

A route that answers 404 (not built yet) is recorded as ``unavailable`` with the reason; an endpoint
whose prerequisite failed (MIDI without a ``split_stem`` task) as ``skipped``. Cheap output checks
(WAV header, MP4 size and duration, number of stems, MIDI notes, aligned words, …) run after the clock
stopped. ``python -m bench.runner.endpoints`` runs the phase on a server of its own and prints the table.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from bench.runner.catalog import EvalItem
from bench.runner.server import Server
from bench.runner.speed import FAILED as MUSIC_FAILED
from bench.runner.speed import run_song, song_timeout_s

POLL_S = 0.25
DOWNLOAD_HEAD_BYTES = 1 << 16  # the WAV header is read from the first 64 KiB only

State = Literal["pending", "success", "failed"]
Outcome = Literal["ok", "failed", "timeout", "unavailable", "skipped"]
Classifier = Callable[[dict[str, Any]], State]
Checker = Callable[[httpx.Client, dict[str, Any]], dict[str, Any]]

LYRICS = """[Verse 1]
The morning light is on the hill
The kettle sings, the house is still
I pack my bag and lock the door
I do not need the map no more
The radio plays an old refrain
Of summer nights and falling rain

[Chorus]
Take the long road home tonight
Follow every window light
If the river runs too wide
I will meet you on the other side

[Verse 2]
The city hums a quiet tune
We share a bench and watch the moon
You tell me all the things you lost
I tell you they were worth the cost
The trains roll by, the hours bend
And every street becomes a friend

[Chorus]
Take the long road home tonight
Follow every window light
If the river runs too wide
I will meet you on the other side

[Bridge]
Slow down, slow down
Let the engine cool
Every road we ever walked
Led me back to you

[Chorus]
Take the long road home tonight
Follow every window light
If the river runs too wide
I will meet you on the other side"""

SHORT_LYRICS = """[Verse 1]
The morning light is on the hill
The kettle sings, the house is still

[Chorus]
Take the long road home tonight
Follow every window light"""


def song_item(duration_s: float = 180.0) -> EvalItem:
    """The song the endpoints work on: custom, V6, with vocals; 2 verses, 3 choruses and a bridge at 90 bpm
    (about 175 s when asked for 180; the composer fits the form between 85 % of ``duration`` and all of it)."""
    lyrics = LYRICS if duration_s >= 60 else SHORT_LYRICS
    request = {
        "customMode": True,
        "instrumental": False,
        "model": "V6",
        "style": "pop rock, 90 bpm, G major, female vocals",
        "title": "The Long Road Home",
        "prompt": lyrics,
        "duration": duration_s,
        "seed": 180,
    }
    return EvalItem(f"endpoints-{duration_s:.0f}s", "custom", "en", duration_s, request)


# ---------------------------------------------------------------------------------------------- states


def music_state(body: dict[str, Any]) -> State:
    """``/api/v1/generate/record-info`` (music, sounds, extend, replace section): ``data.status``."""
    status = (body.get("data") or {}).get("status")
    if status == "SUCCESS":
        return "success"
    return "failed" if status in MUSIC_FAILED else "pending"


def string_flag_state(body: dict[str, Any]) -> State:
    """WAV, separation, MP4: string ``successFlag`` PENDING / SUCCESS / a failure name."""
    flag = (body.get("data") or {}).get("successFlag")
    if flag == "SUCCESS":
        return "success"
    return "pending" if flag in (None, "PENDING") else "failed"


def int_flag_state(success: int, pending: tuple[int, ...]) -> Classifier:
    """Cover images (0 pending, 2 generating, 1 success, 3 failed) and MIDI (0 pending, 1 success, 2/3 failed)."""

    def state(body: dict[str, Any]) -> State:
        flag = (body.get("data") or {}).get("successFlag")
        if flag == success:
            return "success"
        return "pending" if flag is None or flag in pending else "failed"

    return state


def lyrics_state(body: dict[str, Any]) -> State:
    """``/api/v1/lyrics/record-info``: ``data.status`` PENDING / SUCCESS / a failure name."""
    status = (body.get("data") or {}).get("status")
    if status == "SUCCESS":
        return "success"
    return "pending" if status in (None, "PENDING") else "failed"


def recovery_state(body: dict[str, Any]) -> State:
    """``/api/v1/suno/recovery/record-info``: the *body* code is 201 running, 200 done, 500 all failed."""
    code = body.get("code")
    if code == 201:
        return "pending"
    return "success" if code == 200 else "failed"


# ---------------------------------------------------------------------------------------------- checks


def wav_header(head: bytes) -> dict[str, Any]:
    """Sample rate, channels, bits and duration from the first bytes of a RIFF/WAVE file."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    pos, fmt = 12, None
    while pos + 8 <= len(head):
        chunk, size = head[pos : pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if chunk == b"fmt ":
            _, channels, rate, byte_rate, _, bits = struct.unpack_from("<HHIIHH", head, pos + 8)
            fmt = {"sample_rate": rate, "channels": channels, "bits": bits, "byte_rate": byte_rate}
        elif chunk == b"data":
            if fmt is None:
                raise ValueError("WAVE data chunk before its fmt chunk")
            return {**fmt, "duration_s": round(size / fmt["byte_rate"], 3)}
        pos += 8 + size + (size & 1)
    raise ValueError("no WAVE data chunk in the first bytes")


def mp4_duration_s(data: bytes) -> float | None:
    """The movie duration from the ``mvhd`` box (version 0 or 1), or None when there is none."""
    at = data.find(b"mvhd")
    if at < 0 or at + 32 > len(data):
        return None
    body = at + 4
    if data[body] == 1:
        timescale, duration = struct.unpack_from(">IQ", data, body + 4 + 16)
    else:
        timescale, duration = struct.unpack_from(">II", data, body + 4 + 8)
    return round(duration / timescale, 3) if timescale else None


def _head(client: httpx.Client, url: str, limit: int) -> bytes:
    out = bytearray()
    with client.stream("GET", url) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            out += chunk
            if len(out) >= limit:
                break
    return bytes(out)


def check_wav(client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    url = (data.get("response") or {}).get("audioWavUrl")
    if not url:
        return {"audio_wav_url": None}
    return wav_header(_head(client, url, DOWNLOAD_HEAD_BYTES))


STEM_KEYS = (
    "vocalUrl", "backingVocalsUrl", "drumsUrl", "bassUrl", "guitarUrl", "keyboardUrl", "percussionUrl",
    "stringsUrl", "synthUrl", "fxUrl", "brassUrl", "woodwindsUrl", "instrumentalUrl",
)  # fmt: skip


def check_separation(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    response = data.get("response") or {}
    origin = response.get("originData") or []
    return {
        "stems": sum(1 for k in STEM_KEYS if response.get(k)),
        "origin_data": len(origin),
        "stem_names": [o.get("stem_type_group_name") for o in origin],
    }


def check_midi(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    instruments = (data.get("midiData") or {}).get("instruments") or []
    return {
        "instruments": len(instruments),
        "notes": sum(len(i.get("notes") or []) for i in instruments),
        "midi_file": bool(data.get("midiUrl")),
    }


def check_timestamps(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    words = data.get("alignedWords") or []
    return {
        "words": len(words),
        "aligned": sum(1 for w in words if w.get("success")),
        "waveform_points": len(data.get("waveformData") or []),
        "hoot_cer": data.get("hootCer"),
    }


def check_persona(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    return {"persona_id": bool(data.get("personaId"))}


def check_mp4(client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    url = (data.get("response") or {}).get("videoUrl")
    if not url:
        return {"video_url": None}
    response = client.get(url)
    response.raise_for_status()
    body = response.content
    return {"size_mib": round(len(body) / 2**20, 2), "duration_s": mp4_duration_s(body), "ftyp": body[4:8] == b"ftyp"}


def check_covers(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    return {"images": len((data.get("response") or {}).get("images") or [])}


def check_recovery(_client: httpx.Client, data: Any) -> dict[str, Any]:
    items = data if isinstance(data, list) else []
    return {"tracks": len(items), "recovered": sum(1 for i in items if i.get("status") == "success")}


def check_music(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    tracks = (data.get("response") or {}).get("sunoData") or []
    out: dict[str, Any] = {"tracks": len(tracks), "durations_s": [t.get("duration") for t in tracks]}
    if data.get("operationType"):
        out["operation_type"] = data["operationType"]
    return out


def check_lyrics(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    items = (data.get("response") or {}).get("data") or []
    return {"lyrics": len(items), "words": [len(str(i.get("text") or "").split()) for i in items]}


def check_style(_client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    return {"words": len(str(data.get("result") or "").split()), "success_flag": data.get("successFlag")}


# ---------------------------------------------------------------------------------------------- endpoints


@dataclass
class Song:
    """The song every endpoint works on (its first track), and what earlier endpoints produced."""

    task_id: str
    audio_id: str
    duration_s: float
    lyrics: str
    callback_url: str
    produced: dict[str, str] = field(default_factory=dict)  # endpoint name → its task id


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: how to submit it and, for an asynchronous one, where and how to poll it."""

    name: str
    path: str
    body: Callable[[Song], dict[str, Any] | None]  # None: a prerequisite is missing (skipped)
    details: str | None = None  # None: synchronous
    state: Classifier | None = None
    check: Checker | None = None
    on_song_audio: bool = False  # "× real time" is meaningful
    needs: str | None = None  # an earlier endpoint whose task this one uses


def _cb(song: Song, extra: Mapping[str, Any]) -> dict[str, Any]:
    return {"taskId": song.task_id, "audioId": song.audio_id, "callBackUrl": song.callback_url, **extra}


def _persona(song: Song) -> dict[str, Any]:
    start = round(min(10.0, 0.2 * song.duration_s), 2)
    end = round(start + max(10.0, min(25.0, 0.5 * song.duration_s)), 2)
    return {"taskId": song.task_id, "audioId": song.audio_id, "name": "Bench Singer",
            "description": "the bench song's singer", "vocalStart": start, "vocalEnd": end}  # fmt: skip


def _extend(song: Song) -> dict[str, Any]:
    return {
        "defaultParamFlag": True, "audioId": song.audio_id, "model": "V6", "callBackUrl": song.callback_url,
        "continueAt": round(0.75 * song.duration_s, 2), "style": "pop rock, 90 bpm, G major, female vocals",
        "title": "The Long Road Home (Extended)",
        "prompt": "[Verse 3]\nThe autumn leaves are turning gold\nThe stories that our fathers told\n\n"
        "[Chorus]\nTake the long road home tonight\nFollow every window light",
        "seed": 181,
    }  # fmt: skip


def replace_window(duration_s: float) -> tuple[float, float]:
    """A window inside the song: from 30 % of it, 6–30 s long and at most 15 % of the song."""
    start = round(0.3 * duration_s, 2)
    return start, round(start + max(6.0, min(30.0, 0.15 * duration_s)), 2)


def _replace(song: Song) -> dict[str, Any]:
    start, end = replace_window(song.duration_s)
    return {
        "taskId": song.task_id, "audioId": song.audio_id, "callBackUrl": song.callback_url,
        "prompt": "The radio plays a brand new song\nOf all the roads we drove along",
        "tags": "pop rock, 90 bpm, G major, female vocals", "title": "The Long Road Home (Edit)",
        "infillStartS": start, "infillEndS": end, "seed": 182,
    }  # fmt: skip


def _midi(song: Song) -> dict[str, Any] | None:
    split = song.produced.get("split_stem")
    return {"taskId": split, "callBackUrl": song.callback_url} if split else None


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("wav", "/api/v1/wav/generate", lambda s: _cb(s, {}), "/api/v1/wav/record-info",
             string_flag_state, check_wav, True),
    Endpoint("separate_vocal", "/api/v1/vocal-removal/generate", lambda s: _cb(s, {"type": "separate_vocal"}),
             "/api/v1/vocal-removal/record-info", string_flag_state, check_separation, True),
    Endpoint("split_stem", "/api/v1/vocal-removal/generate", lambda s: _cb(s, {"type": "split_stem"}),
             "/api/v1/vocal-removal/record-info", string_flag_state, check_separation, True),
    Endpoint("midi", "/api/v1/midi/generate", _midi, "/api/v1/midi/record-info",
             int_flag_state(1, (0,)), check_midi, True, needs="split_stem"),
    Endpoint("timestamped_lyrics", "/api/v1/generate/get-timestamped-lyrics",
             lambda s: {"taskId": s.task_id, "audioId": s.audio_id}, check=check_timestamps, on_song_audio=True),
    Endpoint("persona", "/api/v1/generate/generate-persona", _persona, check=check_persona),
    Endpoint("mp4", "/api/v1/mp4/generate", lambda s: _cb(s, {"author": "Tunesmith bench",
             "domainName": "bench.local"}), "/api/v1/mp4/record-info", string_flag_state, check_mp4, True),
    Endpoint("cover_images", "/api/v1/suno/cover/generate",
             lambda s: {"taskId": s.task_id, "callBackUrl": s.callback_url}, "/api/v1/suno/cover/record-info",
             int_flag_state(1, (0, 2)), check_covers),
    Endpoint("recovery", "/api/v1/suno/recovery", lambda s: {"sunoTaskId": s.task_id, "callBackUrl": s.callback_url},
             "/api/v1/suno/recovery/record-info", recovery_state, check_recovery),
    Endpoint("sounds", "/api/v1/generate/sounds",
             lambda s: {"prompt": "rain on a tin roof with distant thunder", "model": "V6", "soundLoop": True,
                        "soundTempo": 100, "soundKey": "G", "callBackUrl": s.callback_url, "seed": 183},
             "/api/v1/generate/record-info", music_state, check_music),
    Endpoint("lyrics", "/api/v1/lyrics",
             lambda s: {"prompt": "a hopeful song about driving home at night", "callBackUrl": s.callback_url,
                        "seed": 184}, "/api/v1/lyrics/record-info", lyrics_state, check_lyrics),
    Endpoint("style_boost", "/api/v1/style/generate", lambda s: {"content": "Pop, Mysterious"}, check=check_style),
    Endpoint("extend", "/api/v1/generate/extend", _extend, "/api/v1/generate/record-info", music_state,
             check_music, True),
    Endpoint("replace_section", "/api/v1/generate/replace-section", _replace, "/api/v1/generate/record-info",
             music_state, check_music, True),
)  # fmt: skip


@dataclass
class Timing:
    """One endpoint's measurement. ``seconds`` is submit → terminal state (or the request, when synchronous)."""

    endpoint: str
    path: str
    mode: Literal["async", "sync"]
    status: Outcome
    seconds: float | None = None
    submit_s: float | None = None
    x_real_time: float | None = None
    polls: int = 0
    task_id: str | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _not_found(response: httpx.Response, body: Any) -> bool:
    """The route itself is missing: HTTP 404, or the envelope's 404 with the router's ``Not found: METHOD path``."""
    if response.status_code == 404:
        return True
    return isinstance(body, dict) and body.get("code") == 404 and str(body.get("msg", "")).startswith("Not found: ")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _task_id(data: Any) -> str | None:
    if isinstance(data, dict):
        found = data.get("taskId") or data.get("task_id")
        return str(found) if found else None
    return None


def measure(
    client: httpx.Client,
    endpoint: Endpoint,
    song: Song,
    *,
    timeout_s: float,
    poll_s: float = POLL_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Timing:
    """Submit ``endpoint`` on ``song`` and follow it to a terminal state. Never raises for the server's
    failures: they come back as the timing's ``status`` and ``error``."""
    mode: Literal["async", "sync"] = "async" if endpoint.details else "sync"
    timing = Timing(endpoint.name, endpoint.path, mode, "failed")
    body = endpoint.body(song)
    if body is None:
        timing.status, timing.error = "skipped", f"needs a successful {endpoint.needs} task"
        return timing
    try:
        _run(client, endpoint, song, body, timing, timeout_s, poll_s, clock, sleep)
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
        timing.status, timing.error = "failed", timing.error or repr(exc)
    if timing.seconds is not None and endpoint.on_song_audio and song.duration_s > 0:
        timing.x_real_time = timing.seconds / song.duration_s
    return timing


def _run(
    client: httpx.Client,
    endpoint: Endpoint,
    song: Song,
    body: dict[str, Any],
    timing: Timing,
    timeout_s: float,
    poll_s: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    t0 = clock()
    response = client.post(endpoint.path, json=body)
    timing.submit_s = clock() - t0
    envelope = _json(response)
    if _not_found(response, envelope):
        msg = envelope.get("msg") if isinstance(envelope, dict) else None
        timing.status, timing.error = "unavailable", f"route answers 404: {msg or response.text[:200]}"
        return
    if not isinstance(envelope, dict) or envelope.get("code") != 200:
        code = envelope.get("code") if isinstance(envelope, dict) else response.status_code
        msg = envelope.get("msg") if isinstance(envelope, dict) else response.text[:200]
        timing.error = f"submit answered code {code}: {msg}"
        return
    data = envelope.get("data")
    if endpoint.details is None or endpoint.state is None:
        timing.seconds, timing.status = timing.submit_s, "ok"
        _checks(client, endpoint, data, timing)
        return
    task_id = _task_id(data)
    if task_id is None:
        timing.error = f"submit answered no task id: {data!r}"[:300]
        return
    timing.task_id = task_id
    deadline = t0 + timeout_s
    while True:
        polled = client.get(endpoint.details, params={"taskId": task_id})
        timing.polls += 1
        now, reply = clock(), _json(polled)
        if not isinstance(reply, dict):
            timing.error = f"details answered HTTP {polled.status_code}: {polled.text[:200]}"
            return
        code = reply.get("code")
        if code != 200 and not (endpoint.state is recovery_state and code in (201, 500)):
            timing.error = f"details answered code {reply.get('code')}: {reply.get('msg')}"
            return
        state = endpoint.state(reply)
        if state != "pending":
            timing.seconds = now - t0
            if state == "failed":
                found = reply.get("data")
                reason = found.get("errorMessage") if isinstance(found, dict) else None
                timing.error = f"failed: {reason or reply.get('msg')}"
                return
            timing.status = "ok"
            song.produced[endpoint.name] = task_id
            _checks(client, endpoint, reply.get("data"), timing)
            return
        if now >= deadline:
            timing.status, timing.error = "timeout", f"no terminal state after {timeout_s:.0f} s"
            return
        sleep(poll_s)


def _checks(client: httpx.Client, endpoint: Endpoint, data: Any, timing: Timing) -> None:
    if endpoint.check is None:
        return
    try:
        timing.checks = endpoint.check(client, data if data is not None else {})
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError, struct.error) as exc:
        timing.checks = {"error": repr(exc)}


# ---------------------------------------------------------------------------------------------- the phase


def run(
    server: Server,
    *,
    song_s: float = 180.0,
    only: tuple[str, ...] = (),
    say: Callable[[str], None] = lambda _text: None,
) -> dict[str, Any]:
    """Generate the song, then time every endpoint (or those named in ``only``) on it. The record:
    ``{"song": {...}, "endpoints": [Timing, ...], "wall_s"}``; never raises for a failed endpoint."""
    t0 = time.monotonic()
    item = song_item(song_s)
    say(f"endpoints: generating the {song_s:.0f}-second song …")
    generated = run_song(server, item)
    tracks = generated.tracks
    song_record: dict[str, Any] = {
        "item": item.id,
        "target_s": song_s,
        "task_id": generated.task_id,
        "status": generated.status,
        "success_s": generated.stage_s.get("SUCCESS"),
        "durations_s": generated.durations_s,
        "error": generated.error,
    }
    out: dict[str, Any] = {"song": song_record, "endpoints": []}
    if generated.status != "SUCCESS" or not tracks or not generated.task_id:
        out["error"] = f"the song did not finish: {generated.error or generated.status}"
        out["wall_s"] = time.monotonic() - t0
        return out
    say(f"  SUCCESS in {song_record['success_s']:.1f} s, durations {generated.durations_s}")
    song = Song(
        generated.task_id,
        str(tracks[0]["id"]),
        float(tracks[0].get("duration") or song_s),
        item.lyrics or "",
        server.callback_url,
    )
    song_record["track_duration_s"] = song.duration_s
    timeout_s = song_timeout_s(item)
    with server.client(timeout_s) as client:
        for endpoint in ENDPOINTS:
            if only and endpoint.name not in only:
                continue
            timing = measure(client, endpoint, song, timeout_s=timeout_s)
            say(f"  {endpoint.name}: {_cell(timing.seconds)} s {timing.status} {timing.error or ''} {timing.checks}")
            out["endpoints"].append(asdict(timing))
    out["wall_s"] = time.monotonic() - t0
    return out


def _cell(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    from bench.runner.server import running_server

    parser = argparse.ArgumentParser(prog="python -m bench.runner.endpoints", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--song-s", type=float, default=180.0, help="target song length (default 180)")
    parser.add_argument("--only", nargs="*", default=[], help="endpoint names to run (default all)")
    parser.add_argument("--json", type=Path, help="also write the record to this file")
    args = parser.parse_args(argv)
    known = {e.name for e in ENDPOINTS}
    if unknown := set(args.only) - known:
        parser.error(f"unknown endpoints {sorted(unknown)}; known: {', '.join(sorted(known))}")

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with running_server() as server:
        record = run(server, song_s=args.song_s, only=tuple(args.only), say=say)
    if args.json:
        args.json.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    from bench.report import endpoint_timings_table

    print(endpoint_timings_table(record))
    return 0 if not record.get("error") else 1


if __name__ == "__main__":
    sys.exit(main())
