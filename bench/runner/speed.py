"""Speed: time from submit to the first streamed audio byte, to each task status, and songs per minute.

Everything is measured from the client side through the public API (§3.1, §3.2): the task is polled
every ``POLL_S`` and the first ``streamAudioUrl`` that appears is opened at once and read until its first
non-empty chunk. A status time is when polling first saw that status *or a later one* (a fast stage can
be skipped between two polls, so the resolution is ``POLL_S``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from bench.runner import datadir
from bench.runner.catalog import EvalItem
from bench.runner.server import Server

POLL_S = 0.25
STREAM_GRACE_S = 30.0  # how long the first-byte reader may go on after the task reached SUCCESS
STAGES = ("TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS")
FAILED = {"CREATE_TASK_FAILED", "GENERATE_AUDIO_FAILED", "CALLBACK_EXCEPTION", "SENSITIVE_WORD_ERROR"}


class ApiError(RuntimeError):
    """The server answered with a body code other than 200 (``code`` is that body code)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
    """One API call; returns ``data`` of the ``{code, msg, data}`` envelope or raises :class:`ApiError`."""
    response = client.request(method, url, **kwargs)
    response.raise_for_status()
    body = response.json()
    code = body.get("code")
    if code != 200:
        raise ApiError(f"{method} {url}: code {code}: {body.get('msg')}", code if isinstance(code, int) else None)
    return body.get("data")


@dataclass
class FirstByte:
    """Time (monotonic) the first streamed audio byte arrived, from a background reader.

    The reader retries (every ``POLL_S``) while the stream answers an error or ends without a byte, until
    a byte arrives, the deadline passes or ``stop`` is set (the task failed, or the run is over).
    """

    at: float | None = None
    content_type: str | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def read(self, client: httpx.Client, url: str, deadline: float) -> None:
        try:
            while self.at is None and time.monotonic() < deadline and not self.stop.is_set():
                self._attempt(client, url)
                if self.at is None:
                    self.stop.wait(POLL_S)
        except (httpx.HTTPError, RuntimeError, OSError) as exc:  # RuntimeError: client closed under us
            self.error = repr(exc)
        finally:
            self.done.set()

    def _attempt(self, client: httpx.Client, url: str) -> None:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                self.error = f"HTTP {response.status_code}"
                return
            self.content_type = response.headers.get("content-type")
            for chunk in response.iter_bytes():
                if chunk:
                    self.at = time.monotonic()
                    self.error = None
                    return
                if self.stop.is_set():
                    return
            self.error = "the stream ended without a byte"


@dataclass
class SongRun:
    """Timings (seconds from just before the submit request) of one task of two tracks."""

    item_id: str
    kind: str
    language: str | None
    target_s: float | None
    task_id: str | None = None
    status: str | None = None
    submit_latency_s: float | None = None
    first_audio_byte_s: float | None = None
    stream_content_type: str | None = None
    stage_s: dict[str, float] = field(default_factory=dict)
    callback_s: dict[str, float] = field(default_factory=dict)
    durations_s: list[float] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)
    engine_tracks: list[datadir.TrackStages] = field(default_factory=list)
    error: str | None = None

    @property
    def rtf(self) -> dict[str, float]:
        """Wall time of each stage divided by the audio it delivered (first track, then both)."""
        if not self.durations_s:
            return {}
        out: dict[str, float] = {}
        if "FIRST_SUCCESS" in self.stage_s:
            out["first_track"] = self.stage_s["FIRST_SUCCESS"] / self.durations_s[0]
        if "SUCCESS" in self.stage_s:
            out["all_tracks"] = self.stage_s["SUCCESS"] / sum(self.durations_s)
        return out

    @property
    def stage_rtf(self) -> dict[str, float]:
        """Engine real-time factor per stage over both tracks (audio s / stage s, higher is faster)."""
        return datadir.pooled_stage_rtf(self.engine_tracks)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["engine_tracks"] = [asdict(t) | {"stage_rtf": t.rtf()} for t in self.engine_tracks]
        return out | {"rtf": self.rtf, "stage_rtf": self.stage_rtf}


def song_timeout_s(item: EvalItem) -> float:
    """Seconds one task may take before the bench gives up on it: 2 min plus 3× the song's length, at
    least 5 min (about 10× what a quiet 2-core machine needs), so a stuck task cannot eat the suite."""
    return max(300.0, 120.0 + 3.0 * (item.target_s or 120.0))


def run_song(server: Server, item: EvalItem, *, timeout_s: float | None = None) -> SongRun:
    """Submit ``item``, follow it to a terminal status and time every stage.

    Never raises for a failure of the task or the server: the run comes back with ``error`` set and
    whatever was measured before it.
    """
    run = SongRun(item.id, item.kind, item.language, item.target_s)
    timeout_s = song_timeout_s(item) if timeout_s is None else timeout_s
    with (
        server.client() as client,
        httpx.Client(base_url=server.base_url, timeout=httpx.Timeout(30.0, read=timeout_s)) as streamer,
    ):
        t0 = time.monotonic()
        try:
            run.task_id = call(client, "POST", "/api/v1/generate", json=item.body(server.callback_url))[
                "taskId"
            ]
            run.submit_latency_s = time.monotonic() - t0
            _follow(client, streamer, run, t0, t0 + timeout_s)
        except (ApiError, httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            run.error = repr(exc)
    if run.task_id:
        _read_engine_stages(server, run)
        for name in ("text", "first", "complete", "error"):
            at = server.callbacks.first(run.task_id, name)
            if at is not None:
                run.callback_s[name] = at - t0
    return run


def _read_engine_stages(server: Server, run: SongRun) -> None:
    """Stage seconds of the finished tracks, from the bench's own server database."""
    try:
        run.engine_tracks = datadir.read_track_stages(server.data_dir, str(run.task_id))
    except (OSError, ValueError, sqlite3.Error) as exc:
        run.error = run.error or f"stage seconds: {exc!r}"


def _follow(client: httpx.Client, streamer: httpx.Client, run: SongRun, t0: float, deadline: float) -> None:
    first_byte = FirstByte()
    reader: threading.Thread | None = None
    while time.monotonic() < deadline:
        data = call(client, "GET", "/api/v1/generate/record-info", params={"taskId": run.task_id})
        now, status = time.monotonic(), data.get("status")
        run.status = status
        for stage in STAGES[: STAGES.index(status) + 1] if status in STAGES else ():
            run.stage_s.setdefault(stage, now - t0)
        tracks = (data.get("response") or {}).get("sunoData") or []
        url = next((t.get("streamAudioUrl") for t in tracks if t.get("streamAudioUrl")), None)
        if url and reader is None:
            reader = threading.Thread(target=first_byte.read, args=(streamer, url, deadline), daemon=True)
            reader.start()
        if status == "SUCCESS" or status in FAILED:
            run.tracks = tracks
            run.durations_s = [float(t["duration"]) for t in tracks if t.get("duration")]
            if status in FAILED:
                run.error = f"{status}: {data.get('errorMessage')}"
            break
        time.sleep(POLL_S)
    else:
        run.error = f"timed out in status {run.status}"
    if reader is not None:
        if run.status != "SUCCESS":
            first_byte.stop.set()
        # a finished task's stream has every byte on disk: give the reader a bounded moment, then stop it
        first_byte.done.wait(max(0.0, min(STREAM_GRACE_S, deadline - time.monotonic())))
        first_byte.stop.set()
        if first_byte.at is not None:
            run.first_audio_byte_s = first_byte.at - t0
        run.stream_content_type = first_byte.content_type
        if first_byte.error and first_byte.at is None:
            run.error = run.error or f"stream: {first_byte.error}"


@dataclass
class Throughput:
    """Songs (tracks) finished per minute with ``concurrency`` tasks kept in flight."""

    concurrency: int
    tasks: int
    songs_done: int
    wall_s: float
    songs_per_minute: float
    audio_minutes_per_minute: float
    failures: int


def throughput(
    server: Server, items: list[EvalItem], *, concurrency: int, timeout_s: float | None = None
) -> tuple[Throughput, list[SongRun]]:
    """Run all ``items`` with ``concurrency`` at once; rate = finished tracks / wall time."""
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        runs = list(pool.map(lambda item: run_song(server, item, timeout_s=timeout_s), items))
    wall = time.monotonic() - t0
    done = [r for r in runs if r.status == "SUCCESS"]
    songs = sum(len(r.durations_s) for r in done)
    audio_s = sum(sum(r.durations_s) for r in done)
    result = Throughput(
        concurrency, len(items), songs, wall, 60.0 * songs / wall, audio_s / wall, len(runs) - len(done)
    )
    return result, runs
