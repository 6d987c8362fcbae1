"""Endpoint timings (bench/runner/endpoints.py): submit → terminal state through the details endpoint,
404 routes recorded as unavailable, the per-family state rules, the cheap output checks and the table.

The server is an ``httpx.MockTransport`` with a fake clock that advances on every request."""

from __future__ import annotations

import io
import json
import struct
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.runner import endpoints as ep

from bench import report

SONG_S = 120.0


class FakeClock:
    """Monotonic seconds that advance ``step_s`` per request (and by every sleep)."""

    def __init__(self, step_s: float = 0.5) -> None:
        self.now, self.step_s, self.sleeps = 100.0, step_s, 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds


Handler = Callable[[httpx.Request], dict[str, Any] | httpx.Response]


def _client(clock: FakeClock, handler: Handler) -> httpx.Client:
    def respond(request: httpx.Request) -> httpx.Response:
        clock.now += clock.step_s
        out = handler(request)
        return out if isinstance(out, httpx.Response) else httpx.Response(200, json=out)

    return httpx.Client(base_url="http://bench.test", transport=httpx.MockTransport(respond))


def _song() -> ep.Song:
    return ep.Song("music-1", "track-1", SONG_S, "[Verse]\nla la", "http://127.0.0.1:9/callback")


def _endpoint(name: str) -> ep.Endpoint:
    return next(e for e in ep.ENDPOINTS if e.name == name)


def _ok(data: Any) -> dict[str, Any]:
    return {"code": 200, "msg": "success", "data": data}


def _measure(clock: FakeClock, handler: Handler, name: str, song: ep.Song | None = None, **kw: Any) -> ep.Timing:
    with _client(clock, handler) as client:
        return ep.measure(
            client, _endpoint(name), song or _song(), timeout_s=kw.pop("timeout_s", 60.0), poll_s=0.25,
            clock=clock, sleep=clock.sleep, **kw,
        )  # fmt: skip


def test_async_endpoint_is_timed_from_submit_to_the_first_terminal_poll() -> None:
    clock, polls = FakeClock(), []
    song = _song()

    def handler(request: httpx.Request) -> dict[str, Any]:
        if request.method == "POST":
            assert request.url.path == "/api/v1/vocal-removal/generate"
            assert json.loads(request.content) == {
                "taskId": "music-1", "audioId": "track-1", "callBackUrl": song.callback_url, "type": "split_stem",
            }  # fmt: skip
            return _ok({"taskId": "sep-1"})
        assert request.url.params["taskId"] == "sep-1"
        polls.append(request.url.path)
        done = len(polls) >= 3
        response = {"originData": [{"id": "s1", "stem_type_group_name": "Drums"}] * 3, "drumsUrl": "u", "bassUrl": "u",
                    "vocalUrl": "u", "guitarUrl": None}  # fmt: skip
        return _ok({"successFlag": "SUCCESS" if done else "PENDING", "response": response if done else {}})

    timing = _measure(clock, handler, "split_stem", song)
    assert timing.status == "ok" and timing.error is None
    assert timing.polls == 3 and clock.sleeps == 2
    # submit 0.5 s, then poll (0.5) + sleep (0.25) + poll + sleep + poll: 0.5 + 3 × 0.5 + 2 × 0.25
    assert timing.seconds == pytest.approx(2.5)
    assert timing.submit_s == pytest.approx(0.5)
    assert timing.x_real_time == pytest.approx(2.5 / SONG_S)
    assert timing.checks == {"stems": 3, "origin_data": 3, "stem_names": ["Drums"] * 3}
    assert song.produced == {"split_stem": "sep-1"}


def test_midi_runs_on_the_split_stem_task_and_is_skipped_without_one() -> None:
    clock = FakeClock()
    skipped = _measure(clock, lambda r: pytest.fail("no request expected"), "midi")
    assert skipped.status == "skipped" and "split_stem" in str(skipped.error)

    song = _song()
    song.produced["split_stem"] = "sep-9"

    def handler(request: httpx.Request) -> dict[str, Any]:
        if request.method == "POST":
            assert json.loads(request.content)["taskId"] == "sep-9"
            return _ok({"taskId": "midi-1"})
        notes = [{"pitch": 60, "start": 0.0, "end": 0.5, "velocity": 0.8}]
        data = {"instruments": [{"name": "Bass", "notes": notes * 4}, {"name": "Drums", "notes": notes}]}
        return _ok({"successFlag": 1, "midiData": data, "midiUrl": "http://x/a.mid"})

    timing = _measure(clock, handler, "midi", song)
    assert timing.status == "ok"
    assert timing.checks == {"instruments": 2, "notes": 5, "midi_file": True}


@pytest.mark.parametrize(
    ("response", "body"),
    [
        (200, {"code": 404, "msg": "Not found: POST /api/v1/generate/extend", "data": None}),
        (404, {"code": 404, "msg": "Not found: POST /api/v1/generate/extend", "data": None}),
        (404, None),
    ],
)
def test_a_missing_route_is_recorded_as_unavailable(response: int, body: dict[str, Any] | None) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(response, json=body) if body else httpx.Response(response, text="nope")

    timing = _measure(FakeClock(), handler, "extend")
    assert timing.status == "unavailable"
    assert timing.error is not None and timing.error.startswith("route answers 404")
    assert timing.seconds is None and timing.polls == 0


def test_a_business_404_is_a_failure_not_a_missing_route() -> None:
    def handler(request: httpx.Request) -> dict[str, Any]:
        return {"code": 404, "msg": "task music-1 not found", "data": None}

    timing = _measure(FakeClock(), handler, "wav")
    assert timing.status == "failed" and timing.error == "submit answered code 404: task music-1 not found"


def test_a_failed_task_keeps_its_time_and_reason() -> None:
    def handler(request: httpx.Request) -> dict[str, Any]:
        if request.method == "POST":
            return _ok({"taskId": "mp4-1"})
        return _ok({"successFlag": "GENERATE_MP4_FAILED", "errorMessage": "ffmpeg exited with 1"})

    timing = _measure(FakeClock(), handler, "mp4")
    assert timing.status == "failed" and timing.error == "failed: ffmpeg exited with 1"
    assert timing.seconds == pytest.approx(1.0)
    assert timing.checks == {}


def test_a_task_that_never_finishes_times_out() -> None:
    def handler(request: httpx.Request) -> dict[str, Any]:
        return _ok({"taskId": "w-1"} if request.method == "POST" else {"successFlag": "PENDING"})

    clock = FakeClock()
    timing = _measure(clock, handler, "wav", timeout_s=5.0)
    assert timing.status == "timeout" and timing.seconds is None
    assert 5.0 <= clock.now - 100.0 < 6.0


def test_sync_endpoint_time_is_the_request() -> None:
    def handler(request: httpx.Request) -> dict[str, Any]:
        assert request.url.path == "/api/v1/generate/get-timestamped-lyrics"
        words = [{"word": "la ", "success": True}, {"word": "la", "success": False}]
        return _ok({"alignedWords": words, "waveformData": [0.1] * 50, "hootCer": 0.9, "isStreamed": False})

    timing = _measure(FakeClock(step_s=1.5), handler, "timestamped_lyrics")
    assert (timing.mode, timing.status, timing.polls) == ("sync", "ok", 0)
    assert timing.seconds == pytest.approx(1.5) and timing.x_real_time == pytest.approx(1.5 / SONG_S)
    assert timing.checks == {"words": 2, "aligned": 1, "waveform_points": 50, "hoot_cer": 0.9}


def test_recovery_reads_its_state_from_the_body_code() -> None:
    replies: Iterator[dict[str, Any]] = iter([
        {"code": 201, "msg": "Recovery in progress", "data": None},
        {"code": 200, "msg": "success", "data": [{"id": "a", "status": "success"}, {"id": "b", "status": "failed"}]},
    ])  # fmt: skip

    def handler(request: httpx.Request) -> dict[str, Any]:
        if request.method == "POST":
            assert json.loads(request.content)["sunoTaskId"] == "music-1"
            return _ok({"task_id": "rec-1"})  # recovery spells it task_id
        return next(replies)

    timing = _measure(FakeClock(), handler, "recovery")
    assert (timing.status, timing.task_id, timing.polls) == ("ok", "rec-1", 2)
    assert timing.checks == {"tracks": 2, "recovered": 1}
    assert timing.x_real_time is None  # not work on the song's audio


def test_an_unexpected_details_code_is_a_failure() -> None:
    def handler(request: httpx.Request) -> dict[str, Any]:
        if request.method == "POST":
            return _ok({"taskId": "c-1"})
        return {"code": 500, "msg": "Server error, please retry later", "data": None}

    timing = _measure(FakeClock(), handler, "cover_images")
    assert timing.status == "failed" and "code 500" in str(timing.error)


def test_state_rules_of_each_family() -> None:
    cover, midi = ep.int_flag_state(1, (0, 2)), ep.int_flag_state(1, (0,))
    assert [cover({"data": {"successFlag": f}}) for f in (0, 2, 1, 3)] == ["pending", "pending", "success", "failed"]
    assert [midi({"data": {"successFlag": f}}) for f in (0, 1, 2, 3)] == ["pending", "success", "failed", "failed"]
    music = [
        ep.music_state({"data": {"status": s}}) for s in ("PENDING", "FIRST_SUCCESS", "SUCCESS", "SENSITIVE_WORD_ERROR")
    ]
    assert music == ["pending", "pending", "success", "failed"]
    assert [ep.lyrics_state({"data": {"status": s}}) for s in ("PENDING", "SUCCESS", "GENERATE_LYRICS_FAILED")] == [
        "pending", "success", "failed",
    ]  # fmt: skip
    assert ep.string_flag_state({"data": {"successFlag": "CALLBACK_EXCEPTION"}}) == "failed"
    assert [ep.recovery_state({"code": c}) for c in (201, 200, 500)] == ["pending", "success", "failed"]


def _wav_bytes(seconds: float, rate: int = 44100) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0\0\0" * int(seconds * rate))
    return buf.getvalue()


def test_wav_check_reads_the_header_of_the_download() -> None:
    body, fetched = _wav_bytes(2.0), []

    def handler(request: httpx.Request) -> httpx.Response | dict[str, Any]:
        if request.url.path == "/files/a.wav":
            fetched.append(1)
            return httpx.Response(200, content=body)
        if request.method == "POST":
            return _ok({"taskId": "w-1"})
        return _ok({"successFlag": "SUCCESS", "response": {"audioWavUrl": "http://bench.test/files/a.wav"}})

    timing = _measure(FakeClock(), handler, "wav")
    assert timing.status == "ok" and fetched == [1]
    assert timing.checks == {"sample_rate": 44100, "channels": 2, "bits": 16, "byte_rate": 176400, "duration_s": 2.0}
    assert timing.seconds == pytest.approx(1.0)  # submit + one poll: the download is not part of the time


def test_wav_header_rejects_other_files() -> None:
    with pytest.raises(ValueError, match="RIFF"):
        ep.wav_header(b"ID3\x04" + b"\0" * 40)


def _mvhd(version: int, timescale: int, duration: int) -> bytes:
    if version == 1:
        fields = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        fields = struct.pack(">IIII", 0, 0, timescale, duration)
    payload = bytes([version, 0, 0, 0]) + fields + b"\0" * 80
    mvhd = struct.pack(">I", 8 + len(payload)) + b"mvhd" + payload
    return b"\0\0\0\x18ftypisom\0\0\2\0isomiso2" + struct.pack(">I", 8 + len(mvhd)) + b"moov" + mvhd


@pytest.mark.parametrize("version", [0, 1])
def test_mp4_duration_from_the_movie_header(version: int) -> None:
    assert ep.mp4_duration_s(_mvhd(version, 1000, 181_250)) == pytest.approx(181.25)
    assert ep.mp4_duration_s(b"\0\0\0\x08free") is None


@pytest.mark.parametrize("song_s", [30.8, 104.0, 180.0, 240.0])
def test_replace_window_and_persona_segment_fit_the_documented_limits(song_s: float) -> None:
    start, end = ep.replace_window(song_s)
    assert 6.0 <= end - start <= min(60.0, 0.5 * song_s) and end <= song_s
    assert round(start, 2) == start and round(end, 2) == end
    body = _endpoint("persona").body(ep.Song("t", "a", song_s, "", "cb"))
    assert body is not None and 10.0 <= body["vocalEnd"] - body["vocalStart"] <= 30.0 and body["vocalEnd"] <= song_s


def test_song_item_asks_for_a_custom_song_with_vocals() -> None:
    item = ep.song_item(180.0)
    assert item.request["duration"] == 180.0 and item.request["customMode"] and not item.request["instrumental"]
    lyrics = str(item.lyrics)
    assert lyrics.count("[Verse") == 2 and lyrics.count("[Chorus]") == 3 and "[Bridge]" in lyrics


RECORD: dict[str, Any] = {
    "song": {"item": "endpoints-180s", "target_s": 180.0, "success_s": 80.5, "durations_s": [178.2, 176.0],
             "track_duration_s": 178.2},
    "endpoints": [
        {"endpoint": "wav", "path": "/api/v1/wav/generate", "mode": "async", "status": "ok", "seconds": 1.75,
         "x_real_time": 0.0098, "checks": {"duration_s": 178.2, "sample_rate": 44100}, "error": None},
        {"endpoint": "extend", "path": "/api/v1/generate/extend", "mode": "async", "status": "unavailable",
         "seconds": None, "x_real_time": None, "checks": {},
         "error": "route answers 404: Not found: POST /api/v1/generate/extend"},
    ],
}  # fmt: skip


def test_endpoint_table_in_benchmarks_md(tmp_path: Path) -> None:
    machine = {"cores": 2, "ram_gib": 8.0, "cpu": "test CPU", "python": "3.11.9", "os": "Linux"}
    record = {"suite": "full", "started_at": "2026-01-02T10:00:00Z", "machine": machine, "commit": "abc1234",
              "errors": ["speed: x: boom"], "endpoints": RECORD}  # fmt: skip
    report.write_json(record, directory=tmp_path)
    md = tmp_path / "BENCHMARKS.md"
    report.update_benchmarks_md(path=md, directory=tmp_path)
    text = md.read_text(encoding="utf-8")
    assert text.index(report.ENDPOINTS_TITLE) < text.index("### Skipped and failed")
    rows = [line for line in text.splitlines() if line.startswith("| wav") or line.startswith("| extend")]
    assert rows[0].startswith("| wav (`/api/v1/wav/generate`) | async | 1.75 | 0.010× | ok | duration_s 178.2")
    assert "| unavailable |" in rows[1] and "Not found: POST /api/v1/generate/extend" in rows[1]
    assert "SUCCESS in 80.5 s, tracks 178.2 + 176.0 s" in text
    saved = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert saved["endpoints"]["endpoints"][0]["seconds"] == 1.75


def test_a_run_without_endpoint_timings_has_no_such_section() -> None:
    assert report.endpoints_section({"suite": "smoke"}) == ""
    assert "did not finish" in report.endpoint_timings_table(
        {"song": {}, "endpoints": [], "error": "the song did not finish"}
    )


def test_suite_hook_records_the_phase_and_its_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    import bench.__main__ as bench_main

    asked: list[float] = []

    def fake_run(server: object, *, song_s: float, say: Callable[[str], None]) -> dict[str, Any]:
        asked.append(song_s)
        failed = {**RECORD["endpoints"][0], "endpoint": "mp4", "status": "failed", "error": "failed: boom"}
        return {**RECORD, "endpoints": [*RECORD["endpoints"], failed]}

    monkeypatch.setattr(bench_main, "running_server", lambda: contextlib.nullcontext(object()))
    monkeypatch.setattr(ep, "run", fake_run)
    monkeypatch.setattr(report, "write_json", lambda results: Path("unused.json"))
    run = bench_main.Run({"errors": []}, 1.0)
    bench_main.run_endpoints(bench_main.SUITES["smoke"], run)
    bench_main.run_endpoints(bench_main.SUITES["full"], run)
    assert asked == [30.0, 180.0]
    assert run.results["endpoints"]["endpoints"][2]["endpoint"] == "mp4"
    assert run.results["errors"] == ["endpoints: mp4: failed: boom"] * 2  # unavailable is not an error
