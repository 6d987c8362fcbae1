"""``python -m bench run --suite smoke|full``: run a suite against a freshly started server.

smoke (a few minutes): the 2-minute song with vocals (time to first streamed byte and to SUCCESS,
printed at once), its quality, and 5-second k6 runs of submit, record-info and credit.
full: every item of every set (30 s, 2 min and 4 min; custom, non-custom, instrumental), songs per
minute at 1, 2 and 4 concurrent tasks, quality of all of them, and 30-second k6 runs plus the search
for the highest sustained rate.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from statistics import mean
from typing import Any

from bench import report
from bench.runner import catalog, load, quality, speed
from bench.runner.server import Server, running_server

HEADLINE_ITEM = "en-pop-2min"


@dataclass(frozen=True)
class Suite:
    speed_items: tuple[str, ...]  # item ids, or () for every item
    concurrency: tuple[int, ...]
    throughput_item: str
    load_duration_s: float
    load_rates: dict[str, float]
    find_max_rate: bool


SUITES = {
    "smoke": Suite(
        (HEADLINE_ITEM,), (), "inst-lofi-30s", 5.0, {"credit": 50.0, "record": 50.0, "submit": 5.0}, False
    ),
    "full": Suite(
        (), (1, 2, 4), "inst-lofi-30s", 30.0, {"credit": 200.0, "record": 200.0, "submit": 20.0}, True
    ),
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_speed(server: Server, suite: Suite) -> tuple[dict[str, Any], list[speed.SongRun]]:
    items = [catalog.find(i) for i in suite.speed_items] or [
        i for s in catalog.load_all().values() for i in s
    ]
    runs = []
    for item in items:
        say(f"speed: {item.id} …")
        run = speed.run_song(server, item)
        runs.append(run)
        say(
            f"  first audio byte {_s(run.first_audio_byte_s)}, "
            f"FIRST_SUCCESS {_s(run.stage_s.get('FIRST_SUCCESS'))}, "
            f"SUCCESS {_s(run.stage_s.get('SUCCESS'))}, durations {run.durations_s} {run.error or ''}"
        )
    out: dict[str, Any] = {"songs": [r.as_dict() for r in runs]}
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
    out["throughput"] = []
    base = catalog.find(suite.throughput_item)
    for c in suite.concurrency:
        batch = [_reseeded(base, k) for k in range(max(4, 2 * c))]
        say(f"throughput: {len(batch)} tasks, {c} at once …")
        result, _ = speed.throughput(server, batch, concurrency=c)
        say(f"  {result.songs_per_minute:.2f} songs/min")
        out["throughput"].append(asdict(result))
    return out, runs


def _reseeded(item: catalog.EvalItem, k: int) -> catalog.EvalItem:
    seed = int(item.request.get("seed", 0)) * 100 + k
    return catalog.EvalItem(
        f"{item.id}#{k}", item.kind, item.language, item.target_s, {**item.request, "seed": seed}, item.expect
    )


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def run_quality(server: Server, runs: list[speed.SongRun]) -> dict[str, Any]:
    from bench.metrics.asr import load_whisper

    whisper = load_whisper()
    tasks = []
    for run in runs:
        if run.status != "SUCCESS":
            continue
        say(f"quality: {run.item_id} …")
        tasks.append(quality.task_quality(server, run, catalog.find(run.item_id), whisper))
    return {"tasks": tasks, "summary": quality.summarise(tasks)}


def run_load(suite: Suite) -> dict[str, Any]:
    """On a server of its own, so that the tasks the submit test queues do not slow other phases."""
    out: dict[str, Any] = {"fixed": {}, "max_sustained_rps": {}, "steps": {}}
    with running_server() as server:
        for endpoint in ("credit", "record", "submit"):
            rate = suite.load_rates[endpoint]
            say(f"load: {endpoint} at {rate:.0f}/s for {suite.load_duration_s:.0f} s …")
            result = load.run_k6(server, endpoint, rate=rate, duration_s=suite.load_duration_s)
            say(
                f"  {result.achieved_rps:.1f}/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                f"ok {result.ok_share:.3f}"
            )
            out["fixed"][endpoint] = asdict(result)
            if suite.find_max_rate:
                best, steps = load.max_sustained_rate(server, endpoint)
                out["max_sustained_rps"][endpoint] = best
                out["steps"][endpoint] = [asdict(s) for s in steps]
    return out


def run_suite(name: str, *, with_load: bool, with_quality: bool) -> dict[str, Any]:
    suite = SUITES[name]
    results: dict[str, Any] = {
        "suite": name,
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": report.machine(),
        "commit": report.commit(),
    }
    with running_server() as server:
        results["speed"], runs = run_speed(server, suite)
        if with_quality:
            results["quality"] = run_quality(server, runs)
        results["peak_server_rss_mib"] = server.memory.stop() / 2**20
    if with_load:
        results["load"] = run_load(suite)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="run a suite, write bench/results/<timestamp>.json, update BENCHMARKS.md"
    )
    run.add_argument("--suite", choices=sorted(SUITES), default="smoke")
    run.add_argument("--no-load", action="store_true", help="skip the k6 load tests")
    run.add_argument("--no-quality", action="store_true", help="skip the quality metrics")
    run.add_argument("--no-table", action="store_true", help="do not add a row to BENCHMARKS.md")
    args = parser.parse_args(argv)
    results = run_suite(args.suite, with_load=not args.no_load, with_quality=not args.no_quality)
    path = report.write_json(results)
    if not args.no_table:
        report.update_benchmarks_md(results)
    headline = results["speed"].get("headline") or {}
    print(
        f"2-minute song with vocals: first streamed audio byte {_s(headline.get('first_audio_byte_s'))}, "
        f"SUCCESS {_s(headline.get('success_s'))}"
    )
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
