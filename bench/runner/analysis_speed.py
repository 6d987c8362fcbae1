"""Speed and memory of the whole analysis, measured in a fresh child process.

``python -m bench.runner.analysis_speed FILE`` (run by :func:`measure`): loads every analyser (timed apart),
then runs :meth:`AnalysisPipeline.analyse` once on FILE (no lyrics: the words are transcribed, the heavier
path), timing each stage from the pipeline's own ``progress`` callback, and prints one JSON object: audio
seconds, load seconds, analysis wall and CPU seconds (all threads), × real time (audio s / wall s; and per
CPU second), wall and CPU seconds per stage, the process's peak resident memory (``ru_maxrss``: models, audio
and stems together) after loading and after each stage, and the load average before and after (the machine
is shared: a wall time far above the CPU time means other work competed for the cores).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 600.0


def measure(path: Path, *, timeout_s: float = TIMEOUT_S) -> dict[str, Any]:
    """Run this module on ``path`` in a child process; its JSON, or ``{"error": …}``."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.runner.analysis_speed", str(path)],
            cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, check=False, env={**os.environ},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout_s:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: {done.stderr[-800:]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run(path: Path) -> dict[str, Any]:
    """The measurement itself (in this process)."""
    import numpy as np

    from bench.runner.analysis_stages import load_all
    from tunesmith.analysis.pipeline import AnalysisPipeline
    from tunesmith.media.audio_io import read_audio

    audio, sr = read_audio(path)
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    pipeline = AnalysisPipeline()
    load_s, load_errors = load_all(pipeline)
    out: dict[str, Any] = {"audio_s": round(audio.shape[1] / sr, 2), "load_s": load_s, "threads": os.cpu_count()}
    if load_errors:
        out["error"] = "load failed: " + "; ".join(f"{k}: {v}" for k, v in load_errors.items())
        return _finish(out)
    marks: list[tuple[str, float, float, float]] = []  # stage, wall, CPU, peak RSS (MiB) as it starts

    def mark(stage: str, _share: float) -> None:
        name = "loudness" if stage == "done" else stage  # the pipeline measures loudness after "done"
        marks.append((name, time.perf_counter(), time.process_time(), _peak_mib()))

    out["load_avg_before"] = [round(x, 2) for x in os.getloadavg()]
    mark("start", 0.0)
    try:
        result = pipeline.analyse(audio, sr, progress=mark)
    except Exception as exc:  # noqa: BLE001 - the record says what broke
        out["error"] = f"{type(exc).__name__}: {exc}"[:800]
        return _finish(out)
    mark("end", 1.0)
    out["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    first, last = marks[0], marks[-1]
    out["analyse_s"] = round(last[1] - first[1], 3)
    out["analyse_cpu_s"] = round(last[2] - first[2], 3)
    out["x_realtime"] = round(out["audio_s"] / out["analyse_s"], 2)
    out["x_realtime_cpu"] = round(out["audio_s"] / max(out["analyse_cpu_s"], 1e-9), 2)
    stages = [(a, b) for a, b in zip(marks[1:], marks[2:], strict=False)]  # "start" is not a stage
    out["stage_s"] = {a[0]: round(b[1] - a[1], 3) for a, b in stages}
    out["stage_cpu_s"] = {a[0]: round(b[2] - a[2], 3) for a, b in stages}
    out["peak_rss_after_stage_mib"] = {a[0]: b[3] for a, b in stages}
    out["peak_rss_loaded_mib"] = first[3]
    out["methods"] = result.analysis.methods
    return _finish(out)


def _peak_mib() -> float:
    """Peak resident memory of this process image in MiB: ``VmHWM`` of ``/proc/self/status``.

    Not ``ru_maxrss``: Linux carries that across ``fork`` + ``exec``, so a child of a bench process that holds
    gigabytes of rendered songs would report its parent's peak (3.1 GiB measured that way against 0.7 GiB
    after loading every model here)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024.0, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)  # ru_maxrss is KiB on Linux


def _finish(out: dict[str, Any]) -> dict[str, Any]:
    out["peak_rss_mib"] = _peak_mib()
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(json.dumps(run(Path(args[0]))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
