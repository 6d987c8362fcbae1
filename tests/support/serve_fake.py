"""Run a real Tunesmith server process with the fake engine (for crash tests only).

    python -m tests.support.serve_fake --data-dir D --port P [--render-s S] [--isolation process]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from tests.support.fake_engine import FakeEngine
from tunesmith.api.app import create_app
from tunesmith.config import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--render-s", type=float, default=2.0)
    parser.add_argument("--isolation", default="process")
    parser.add_argument("--max-attempts", type=int, default=2)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, public_base_url=f"http://127.0.0.1:{args.port}")
    settings.server.port = args.port
    settings.workers.isolation = args.isolation
    settings.workers.concurrency = 2
    settings.workers.max_attempts = args.max_attempts
    settings.workers.poll_s = 0.1
    settings.workers.heartbeat_s = 0.5
    app = create_app(settings, engine=FakeEngine, engine_options={"render_s": args.render_s})
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
