"""The app factory: builds the container from settings and runs the background services."""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import IO, Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from tunesmith import __version__
from tunesmith.api import errors, openapi
from tunesmith.api.deps import Container, request_line
from tunesmith.api.operations import check_settings, render_callback, work_targets
from tunesmith.api.routes import routers
from tunesmith.config import Settings
from tunesmith.db.session import Database
from tunesmith.engines.llm import LLMConfig
from tunesmith.engines.registry import engine_factory
from tunesmith.engines.understanding import sweep_cache
from tunesmith.storage.blobs import LocalBlobStore
from tunesmith.storage.links import LinkSigner, load_or_create_secret
from tunesmith.storage.retention import sweep, sweep_orphans
from tunesmith.tasks import service, transitions
from tunesmith.tasks.callbacks import CallbackDispatcher
from tunesmith.tasks.health import Readiness, Resources, readiness
from tunesmith.tasks.worker import EngineFactory, WorkerPool
from tunesmith.webhooks.guard import EgressPolicy, parse_networks
from tunesmith.webhooks.sender import WebhookSender

log = logging.getLogger(__name__)

REAP_INTERVAL_S = 5.0


def build_container(settings: Settings, factory: EngineFactory, options: dict[str, Any]) -> Container:
    check_settings(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    db.migrate()
    store = LocalBlobStore(settings.files_dir)
    secret = load_or_create_secret(settings.data_dir / "secrets" / "link-signing.key", settings.storage.signing_key)
    signer = LinkSigner(secret, settings.base_url, settings.storage.link_ttl_s)
    egress = EgressPolicy(allow_networks=parse_networks(settings.egress.allow_networks))
    llm = LLMConfig.from_settings(settings.lyrics, settings.egress)
    resources = Resources(db, settings.data_dir, min_free_bytes=int(settings.health.min_free_mb * 2**20),
                          interval_s=settings.health.probe_interval_s)
    workers = WorkerPool(db, store, settings, factory, options, work_targets(), resources,
                         {"llm": llm.to_payload() if llm else None, "analysis": settings.analysis.choice()})

    def render(task_id: str, stage: str, track_ids: list[str]) -> dict[str, Any]:
        return render_callback(service.get(db, None, task_id), stage, track_ids, signer)

    sender = WebhookSender(egress, timeout_s=settings.webhooks.timeout_s)
    callbacks = CallbackDispatcher(db, sender, render, settings.webhooks,
                                   backoff_max_s=settings.health.backoff_max_s)
    return Container(settings, db, store, signer, egress, workers, callbacks)


class _Maintenance:
    """Periodic reaping of abandoned tasks and sweeping of expired and orphan files, on one daemon thread
    (a failed pass is logged and tried again at the next interval)."""

    def __init__(self, c: Container) -> None:
        self.c = c
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tunesmith-maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def alive(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        since_sweep = float("inf")
        while not self._stop.wait(REAP_INTERVAL_S if since_sweep else 0):
            try:
                if transitions.reap(self.c.db):
                    self.c.callbacks.wake()
                since_sweep += REAP_INTERVAL_S
                if since_sweep >= self.c.settings.storage.sweep_interval_s:
                    sweep(self.c.db, self.c.store)
                    settings = self.c.settings
                    sweep_orphans(self.c.db, self.c.store, settings.data_dir / "work",
                                  older_than_s=settings.storage.orphan_grace_s)
                    sweep_cache(settings.analysis_cache_dir, older_than_s=settings.uploads.retention_days * 86400)
                    since_sweep = 0.0
            except Exception:
                log.exception("maintenance pass failed")


def _threads(app: FastAPI) -> dict[str, bool]:
    """Liveness of the long-lived threads: name → alive."""
    c: Container = app.state.container
    return {"workers": c.workers.alive(), "callbacks": c.callbacks.alive(),
            "maintenance": app.state.maintenance.alive()}


def _lock_data_dir(settings: Settings) -> IO[str] | None:
    """Hold an exclusive lock on the data dir: one embedded server owns its SQLite database."""
    if not settings.db_url.startswith("sqlite"):
        return None
    handle = (settings.data_dir / "server.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise SystemExit(f"another Tunesmith server is using {settings.data_dir}") from exc
    return handle


def create_app(settings: Settings | None = None, *, engine: Callable[..., Any] | None = None,
               engine_options: dict[str, Any] | None = None) -> FastAPI:
    """Build the app. ``engine`` overrides the configured engine factory (tests pass a fake here;
    no setting can select one)."""
    settings = settings or Settings()
    factory = engine or engine_factory(settings.engine.name)
    options = engine_options if engine_options is not None else {
        "soundfont": settings.engine.soundfont, "sample_rate": settings.engine.sample_rate,
        "analysis": settings.analysis.choice(), "analysis_cache_dir": settings.analysis_cache_dir}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = _lock_data_dir(settings)
        c = build_container(settings, factory, options)
        app.state.container = c
        if lock is not None:
            transitions.release_all_leases(c.db)
        maintenance = _Maintenance(c)
        app.state.maintenance = maintenance
        c.workers.start()
        c.callbacks.start()
        maintenance.start()
        try:
            yield
        finally:
            maintenance.stop()
            c.workers.stop()
            c.callbacks.stop()
            c.db.dispose()
            if lock is not None:
                lock.close()

    app = FastAPI(title="Tunesmith", version=__version__, lifespan=lifespan,
                  description="A self-hosted music generation server that speaks the Suno API.",
                  dependencies=[Depends(request_line)])  # an over-long URL gets the envelope on every route
    errors.install(app)
    for router in routers():
        app.include_router(router)
    openapi.install(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """Liveness: HTTP 503 only when a long-lived thread has died (a restart is what helps then); the disk
        and database checks are reported too, but a full disk is no reason to restart (see ``/readyz``)."""
        c: Container = app.state.container
        threads = _threads(app)
        checks = Readiness(c.workers.resources.checks()).as_dict()
        body = {"version": __version__, "threads": threads, "checks": checks}
        if all(threads.values()):
            return JSONResponse(errors.ok({"status": "ok", **body}))
        return JSONResponse(errors.envelope(500, "dead threads", {"status": "dead threads", **body}), status_code=503)

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """Readiness: disk space, database writability, thread liveness; HTTP 503 and code 455 when the server
        cannot take paid work now (submits answer 455 then too)."""
        c: Container = app.state.container
        report = readiness(c.workers.resources, _threads(app))
        if report.ready:
            return JSONResponse(errors.ok({"status": "ready", "checks": report.as_dict()}))
        return JSONResponse(errors.envelope(455, "not ready", {"status": "not ready", "checks": report.as_dict()}),
                            status_code=503)

    return app
