"""``python -m bench run --suite smoke|full``: run a suite against a freshly started server.

smoke (about 3 minutes on 2 cores, plus ~1.5 min of endpoint timings): the 2-minute song with vocals (time to first
streamed byte and to SUCCESS, printed at once), its engine stage timings and quality, the time each follow-up
endpoint (WAV, separation, MIDI, MP4, …) takes on a 30-second song, and 5-second k6 runs of submit,
record-info and credit.
full (about 35 minutes on 2 cores, plus ~6 min of endpoint timings): every item of every set (30 s, 2 min
and 4 min; custom, non-custom, instrumental), songs per minute at 1, 2 and 4 concurrent tasks, quality of
all of them, the time each follow-up endpoint takes on a 3-minute song, and 30-second k6 runs plus the
search for the highest sustained rate.

A run never stops at the first failure: a failed song, track or load test is recorded with its error
and the run goes on; items past the suite's time budget are skipped and listed. The JSON record is
rewritten after every phase, so an interrupted run (Ctrl-C) leaves its partial results.
``python -m bench table`` rebuilds the tables of BENCHMARKS.md from the records in bench/results/.
``python -m bench analysis`` runs the analysis benchmark (no server; :mod:`bench.runner.analysis_eval`).
``python -m bench add`` runs the add-instrumental / add-vocals benchmark (:mod:`bench.runner.add_eval`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean
from typing import Any

from bench import report
from bench.runner import catalog, datadir, endpoints, load, quality, songwriter_eval, speed, vocal_eval
from bench.runner.server import Server, running_server

HEADLINE_ITEM = "en-pop-2min"


@dataclass(frozen=True)
class Suite:
    """What a suite runs. ``budget_s`` bounds the song phases (speed, throughput, quality): an item that
    would start after it is skipped and listed; the load phase is bounded by its own fixed durations."""

    speed_items: tuple[str, ...]  # item ids, or () for every item
    concurrency: tuple[int, ...]
    throughput_item: str
    load_duration_s: float
    load_rates: dict[str, float]
    find_max_rate: bool
    budget_s: float
    endpoint_song_s: float  # length of the song the endpoint timings run on (own server, own timeouts)


SUITES = {
    "smoke": Suite(
        (HEADLINE_ITEM,), (), "inst-lofi-30s", 5.0, {"credit": 50.0, "record": 50.0, "submit": 5.0}, False, 420.0, 30.0
    ),
    "stream": Suite(  # the first streamed byte against song length: 2- and 4-minute songs, nothing else
        ("en-pop-2min", "zh-ballad-2min", "en-ballad-4min", "inst-orchestral-4min"),
        (),
        "inst-lofi-30s",
        5.0,
        {"credit": 50.0, "record": 50.0, "submit": 5.0},
        False,
        900.0,
        30.0,
    ),
    "full": Suite(
        (), (1, 2, 4), "inst-lofi-30s", 30.0, {"credit": 200.0, "record": 200.0, "submit": 20.0}, True, 1980.0, 180.0
    ),
}


@dataclass
class Run:
    """The record being built, its file, and the suite's clock."""

    results: dict[str, Any]
    budget_s: float
    t0: float = field(default_factory=time.monotonic)
    path: Path | None = None

    def out_of_time(self) -> bool:
        return time.monotonic() - self.t0 > self.budget_s

    def skip(self, phase: str, item: str) -> None:
        self.results.setdefault("skipped", []).append(f"{phase}: {item} (suite time budget spent)")

    def error(self, phase: str, item: str, message: str) -> None:
        self.results.setdefault("errors", []).append(f"{phase}: {item}: {message}")

    def checkpoint(self) -> None:
        self.path = report.write_json(self.results)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_speed(server: Server, suite: Suite, run: Run) -> list[speed.SongRun]:
    items = [catalog.find(i) for i in suite.speed_items] or [i for s in catalog.load_all().values() for i in s]
    out: dict[str, Any] = run.results.setdefault("speed", {})
    runs: list[speed.SongRun] = []
    for item in items:
        if run.out_of_time():
            run.skip("speed", item.id)
            continue
        say(f"speed: {item.id} …")
        song = speed.run_song(server, item)
        runs.append(song)
        if song.error:
            run.error("speed", item.id, song.error)
        say(
            f"  first audio byte {_s(song.first_audio_byte_s)}, "
            f"FIRST_SUCCESS {_s(song.stage_s.get('FIRST_SUCCESS'))}, "
            f"SUCCESS {_s(song.stage_s.get('SUCCESS'))}, durations {song.durations_s}, "
            f"stage RTF {_rtf(song.stage_rtf)} {song.error or ''}"
        )
        _speed_summary(out, runs)
        run.checkpoint()
    return runs


def _speed_summary(out: dict[str, Any], runs: list[speed.SongRun]) -> None:
    out["songs"] = [r.as_dict() for r in runs]
    head = next((r for r in runs if r.item_id == HEADLINE_ITEM), None)
    if head is not None:
        out["headline"] = {
            "item": HEADLINE_ITEM,
            "first_audio_byte_s": head.first_audio_byte_s,
            "success_s": head.stage_s.get("SUCCESS"),
            "error": head.error,
        }
    rtfs = [r.rtf["all_tracks"] for r in runs if "all_tracks" in r.rtf]
    out["rtf_all_tracks_mean"] = mean(rtfs) if rtfs else None
    out["stage_rtf"] = datadir.pooled_stage_rtf(t for r in runs for t in r.engine_tracks)


def run_throughput(server: Server, suite: Suite, run: Run) -> None:
    out: list[dict[str, Any]] = run.results.setdefault("speed", {}).setdefault("throughput", [])
    base = catalog.find(suite.throughput_item)
    for c in suite.concurrency:
        if run.out_of_time():
            run.skip("throughput", f"{c} concurrent tasks")
            continue
        batch = [_reseeded(base, k) for k in range(max(4, 2 * c))]
        say(f"throughput: {len(batch)} tasks, {c} at once …")
        result, runs = speed.throughput(server, batch, concurrency=c)
        for failed in (r for r in runs if r.error):
            run.error("throughput", failed.item_id, str(failed.error))
        say(f"  {result.songs_per_minute:.2f} songs/min ({result.failures} failed)")
        out.append(asdict(result))
        run.checkpoint()


def _reseeded(item: catalog.EvalItem, k: int) -> catalog.EvalItem:
    seed = int(item.request.get("seed", 0)) * 100 + k
    return catalog.EvalItem(
        f"{item.id}#{k}", item.kind, item.language, item.target_s, {**item.request, "seed": seed}, item.expect
    )


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _rtf(stage_rtf: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.0f}×" for name, value in stage_rtf.items()) or "–"


def run_quality(server: Server, runs: list[speed.SongRun], run: Run) -> None:
    from bench.metrics.asr import load_whisper

    out: dict[str, Any] = run.results.setdefault("quality", {"tasks": []})
    whisper = load_whisper()
    for song in runs:
        if song.status != "SUCCESS":
            continue
        if run.out_of_time():
            run.skip("quality", song.item_id)
            continue
        say(f"quality: {song.item_id} …")
        try:
            task = quality.task_quality(server, song, catalog.find(song.item_id), whisper)
        except Exception as exc:  # noqa: BLE001 - a broken song must not lose the others' results
            task = {"item_id": song.item_id, "task_id": song.task_id, "language": song.language, "error": repr(exc)}
        for problem in [task.get("error"), *(t.get("error") for t in task.get("tracks", []))]:
            if problem:
                run.error("quality", song.item_id, str(problem))
        out["tasks"].append(task)
        out["summary"] = quality.summarise(out["tasks"])
        run.checkpoint()


def run_endpoints(suite: Suite, run: Run) -> None:
    """On a server of its own: one song, then each follow-up endpoint on it, one at a time. Not bounded by
    the suite's budget (``make bench`` must report it); each endpoint has its own timeout."""
    with running_server() as server:
        record = endpoints.run(server, song_s=suite.endpoint_song_s, say=say)
    run.results["endpoints"] = record
    if record.get("error"):
        run.error("endpoints", "song", str(record["error"]))
    for timing in record.get("endpoints", []):
        if timing["status"] in ("failed", "timeout"):
            run.error("endpoints", timing["endpoint"], str(timing.get("error")))
    run.checkpoint()


def run_load(suite: Suite, run: Run) -> None:
    """On a server of its own, so that the tasks the submit test queues do not slow other phases."""
    out: dict[str, Any] = run.results.setdefault("load", {"fixed": {}, "max_sustained_rps": {}, "steps": {}})
    with running_server() as server:
        for endpoint in ("credit", "record", "submit"):
            try:
                _load_endpoint(server, suite, endpoint, out)
            except load.K6_FAILURES as exc:
                detail = exc.stderr[-500:] if isinstance(exc, subprocess.CalledProcessError) else ""
                out.setdefault("errors", {})[endpoint] = f"{exc!r} {detail!s}".strip()
                run.error("load", endpoint, out["errors"][endpoint])
            run.checkpoint()


def _load_endpoint(server: Server, suite: Suite, endpoint: load.Endpoint, out: dict[str, Any]) -> None:
    rate = suite.load_rates[endpoint]
    say(f"load: {endpoint} at {rate:.0f}/s for {suite.load_duration_s:.0f} s …")
    result = load.run_k6(server, endpoint, rate=rate, duration_s=suite.load_duration_s)
    say(
        f"  {result.achieved_rps:.1f}/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"ok {result.ok_share:.3f} ({result.errors} errors)"
    )
    out["fixed"][endpoint] = asdict(result)
    if suite.find_max_rate:
        best, steps = load.max_sustained_rate(server, endpoint)
        say(f"  max sustained {best} /s")
        out["max_sustained_rps"][endpoint] = best
        out["steps"][endpoint] = [asdict(s) for s in steps]


def run_suite(name: str, *, with_load: bool, with_quality: bool, with_endpoints: bool = True) -> Run:
    """Run every phase of suite ``name``; the record is complete unless the run was interrupted."""
    suite = SUITES[name]
    run = Run(
        {
            "suite": name,
            "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": report.machine(),
            "commit": report.commit(),
            "complete": False,
            "errors": [],
        },
        suite.budget_s,
    )
    try:
        _run_phases(suite, run, with_load=with_load, with_quality=with_quality, with_endpoints=with_endpoints)
        run.results["complete"] = True
    except KeyboardInterrupt:
        run.error("suite", name, "interrupted")
    except RuntimeError as exc:  # the server would not start or died: keep what was measured
        run.error("suite", name, repr(exc))
    run.results["wall_s"] = time.monotonic() - run.t0
    run.checkpoint()
    return run


def _run_phases(suite: Suite, run: Run, *, with_load: bool, with_quality: bool, with_endpoints: bool) -> None:
    with running_server() as server:
        try:
            runs = run_speed(server, suite, run)
            run_throughput(server, suite, run)
            if with_quality:
                run_quality(server, runs, run)
        finally:
            run.results["peak_server_rss_mib"] = server.memory.stop() / 2**20
    if with_endpoints:
        run_endpoints(suite, run)
    if with_load:
        run_load(suite, run)
    if with_quality and suite is SUITES["full"]:
        run.results["vocals"] = vocal_eval.run(quick=False)  # the fixed vocal set, no server needed
        say("songwriter set: 40 requests × 2 tracks through the engine …")
        run.results["songwriter"] = songwriter_eval.run(quick=False, jobs=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a suite, write bench/results/<timestamp>.json, update BENCHMARKS.md")
    run.add_argument("--suite", choices=sorted(SUITES), default="smoke")
    run.add_argument("--no-load", action="store_true", help="skip the k6 load tests")
    run.add_argument("--no-quality", action="store_true", help="skip the quality metrics")
    run.add_argument("--no-endpoints", action="store_true", help="skip the endpoint timings")
    run.add_argument("--no-table", action="store_true", help="do not rebuild the tables of BENCHMARKS.md")
    sub.add_parser("table", help="rebuild the tables of BENCHMARKS.md from bench/results/*.json")
    from bench.runner import analysis_eval

    analysis = sub.add_parser(
        "analysis",
        help="the analysis benchmark: bench/results/analysis-<timestamp>.json, update BENCHMARKS.md",
        description=analysis_eval.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    analysis_eval.add_arguments(analysis)
    from bench.runner import add_eval

    add = sub.add_parser(
        "add",
        help="the add-instrumental / add-vocals benchmark: bench/results/add-<timestamp>.json, update BENCHMARKS.md",
        description=add_eval.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_eval.add_arguments(add)
    args = parser.parse_args(argv)
    if args.command == "table":
        report.update_benchmarks_md()
        return 0
    if args.command == "analysis":
        return analysis_eval.run_cli(args)
    if args.command == "add":
        return add_eval.run_cli(args)
    done = run_suite(
        args.suite, with_load=not args.no_load, with_quality=not args.no_quality, with_endpoints=not args.no_endpoints
    )
    if not args.no_table:
        report.update_benchmarks_md()
    headline = done.results.get("speed", {}).get("headline") or {}
    print(
        f"2-minute song with vocals: first streamed audio byte {_s(headline.get('first_audio_byte_s'))}, "
        f"SUCCESS {_s(headline.get('success_s'))}"
    )
    print(f"stage RTF (audio s / stage s): {_rtf(done.results.get('speed', {}).get('stage_rtf') or {})}")
    timed = (done.results.get("endpoints") or {}).get("endpoints") or []
    if timed:
        print("endpoint timings: " + ", ".join(f"{t['endpoint']} {_s(t.get('seconds'))} {t['status']}" for t in timed))
    print(f"errors: {len(done.results['errors'])}, skipped: {len(done.results.get('skipped', []))}")
    print(f"results: {done.path}")
    return 0 if done.results["complete"] else 1


if __name__ == "__main__":
    sys.exit(main())
