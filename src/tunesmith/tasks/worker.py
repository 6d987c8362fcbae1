"""In-process workers: threads that claim tasks from the table and drive an engine pool.

Engine work runs in a pool of spawned processes (or threads, see ``WorkerSettings.isolation``); the
worker thread only claims, heartbeats, stores results and moves the state machine. The functions run
in the pool are module-level so they can be pickled by reference.

Resource faults: a worker starts no task while :class:`~tunesmith.tasks.health.Resources` says the disk or the
database cannot take results, so queued tasks stay PENDING and run once space is back. A task whose results
cannot be written (disk full, database write refused) fails with a refund and a clean message, never the
exception's text; when even that failure cannot be recorded, its lease runs out and it is retried or reaped
(failed and refunded) once the database accepts writes again. Files of a track that did not complete (the
partial stream, the work folder) are deleted when its task fails. The loop itself survives any exception,
logging it and backing off. An engine process that dies (killed for memory, a crash in native code) breaks
the pool: the next submit starts a new pool, and the task that was running is retried while it has attempts.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import shutil
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tunesmith.config import Settings
from tunesmith.db.models import Task, Track
from tunesmith.db.session import Database
from tunesmith.engines.base import SongEngine, SongPlan, SongRequest, TrackResult
from tunesmith.engines.codec import plan_from_json, plan_to_json, request_from_json, request_to_json
from tunesmith.engines.jobs import JobOutput, run_job
from tunesmith.errors import EngineError
from tunesmith.storage.blobs import BlobStore
from tunesmith.tasks import transitions
from tunesmith.tasks.catalog import model_name
from tunesmith.tasks.health import Backoff, Resources, is_storage_fault

log = logging.getLogger(__name__)

EngineFactory = Callable[..., SongEngine]

ENGINE_DIED = "The engine process stopped unexpectedly"
"""The failure of a task whose engine process died (retried while the task has attempts left)."""

STORAGE_FAILURE = ("The server could not save the result (out of storage space, or its database refused the "
                   "write); credits were refunded")
"""The ``errorMessage`` of a task failed by a full disk or a refused database write (its cause is logged)."""

MUSIC = "music"
"""The work target of an operation the song engine performs (plan, then render each track)."""

_engine: SongEngine | None = None
_engine_lock = threading.Lock()


def _init_engine(factory: EngineFactory, options: dict[str, Any]) -> None:
    global _engine
    with _engine_lock:
        if _engine is None:
            engine = factory(**options)
            engine.load()
            _engine = engine


def _get_engine() -> SongEngine:
    if _engine is None:
        raise RuntimeError("engine not initialised in this worker")
    return _engine


class FileSink:
    """A ProgressSink that appends MP3 chunks to the stream file, flushing each so readers see it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("wb")

    def write(self, chunk: bytes) -> None:
        self._f.write(chunk)
        self._f.flush()

    def close(self) -> None:
        self._f.close()


def _ping() -> bool:
    return _engine is not None


def _plan_job(request_json: str, engine: SongEngine | None = None) -> str:
    return plan_to_json((engine or _get_engine()).plan(request_from_json(request_json)))


def _job(target: str, payload: dict[str, Any], workdir: str, engine: SongEngine | None = None) -> JobOutput:
    return run_job(target, payload, Path(workdir))


def _render_job(plan_json: str, index: int, workdir: str, stream_path: str,
                engine: SongEngine | None = None) -> TrackResult:
    sink = FileSink(Path(stream_path))
    try:
        return (engine or _get_engine()).render(plan_from_json(plan_json), index, Path(workdir), sink)
    finally:
        sink.close()


def _with_sources(request_json: str, paths: dict[str, str]) -> str:
    if not paths:
        return request_json
    return request_to_json(replace(request_from_json(request_json), source_paths=paths))


def _plan_sources(plan: SongPlan, paths: dict[str, str]) -> SongPlan:
    """``plan`` with its request's source files set (``{}``: cleared, as stored: paths are per machine)."""
    return SongPlan(replace(plan.request, source_paths=paths), plan.tracks)


class WorkerPool:
    def __init__(self, db: Database, store: BlobStore, settings: Settings, engine_factory: EngineFactory,
                 engine_options: dict[str, Any], work: Mapping[str, str],
                 resources: Resources, job_context: dict[str, Any] | None = None) -> None:
        """``work`` maps each operation to :data:`MUSIC` or its job's ``module:function`` (the registry's);
        no task is claimed while ``resources`` is not ready."""
        self.db, self.store, self.settings, self.resources = db, store, settings, resources
        self.work = dict(work)
        self.cfg = settings.workers
        self.owner = f"w-{uuid.uuid4().hex[:12]}"
        self._factory, self._options = engine_factory, engine_options
        self.job_context = job_context or {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._executor: Executor | None = None
        self._executor_lock = threading.Lock()  # a broken pool is replaced once, by the first to notice
        self._local_engine: SongEngine | None = None  # thread isolation: one engine for this pool

    def _make_executor(self) -> Executor:
        n = self.cfg.concurrency
        if self.cfg.isolation == "thread":
            self._local_engine = self._factory(**self._options)
            self._local_engine.load()
            return ThreadPoolExecutor(n)
        ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(n, mp_context=ctx, initializer=_init_engine,
                                   initargs=(self._factory, self._options))

    def start(self) -> None:
        self._executor = self._make_executor()
        if isinstance(self._executor, ProcessPoolExecutor):
            for _ in range(self.cfg.concurrency):  # spawn and load the engine processes now, not on the first task
                self._executor.submit(_ping)
        for i in range(self.cfg.concurrency):
            t = threading.Thread(target=self._loop, name=f"tunesmith-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def wake(self) -> None:
        self._wake.set()

    def alive(self) -> bool:
        """Every worker thread is running (false before :meth:`start` and after a thread died)."""
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        with self._executor_lock:
            assert self._executor is not None
            try:
                return self._submit_to(self._executor, fn, *args)
            except BrokenExecutor:
                log.error("the engine pool is broken (a process died); starting a new one")
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._make_executor()
                return self._submit_to(self._executor, fn, *args)

    def _submit_to(self, executor: Executor, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        if self._local_engine is not None:
            return executor.submit(fn, *args, engine=self._local_engine)
        return executor.submit(fn, *args)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout=5)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        backoff = Backoff(self.cfg.poll_s, self.settings.health.backoff_max_s)
        while not self._stop.is_set():
            try:
                worked = self._step()
            except Exception:  # the loop must outlive any fault: log it, wait longer each time, go on
                delay = backoff.failed()
                log.exception("worker round failed; next round in %.1f s", delay)
                self._stop.wait(delay)
                continue
            backoff.reset()
            if not worked:
                self._wake.wait(self.cfg.poll_s)
                self._wake.clear()

    def _step(self) -> bool:
        """Claim and run one task; False when there was none, or the server cannot store results now."""
        if not self.resources.ready():
            return False
        task_id = transitions.claim(self.db, self.owner, self.cfg.lease_s)
        if task_id is None:
            return False
        self.run(task_id)
        return True

    # -- one task -------------------------------------------------------------------------------

    def run(self, task_id: str) -> None:
        started = time.monotonic()
        try:
            self._run(task_id, started)
        except _LeaseLost:
            log.warning("task %s: lease lost, leaving it to its new owner", task_id)
        except Exception as exc:  # any crash must end in a recorded failure, never a hang
            self._failed(task_id, exc)

    def _failed(self, task_id: str, exc: Exception) -> None:
        """Record ``exc`` as the task's failure, or release the task for a retry. Raises when the database
        refuses the record (the lease then runs out; see the module docstring)."""
        message, retryable, code = self._verdict(task_id, exc)
        with self.db.read() as s:
            task = s.get(Task, task_id)
            more = task is not None and task.attempt < task.max_attempts
        if retryable and more:
            transitions.release(self.db, task_id, self.owner)
            self._wake.set()
        elif transitions.fail(self.db, task_id, message, code=code):
            self._sweep_debris(task_id)

    def _verdict(self, task_id: str, exc: Exception) -> tuple[str, bool, int]:
        """The user's message, whether to retry, and the errorCode for ``exc``. A storage fault (or any failure
        while the server is not ready) gets :data:`STORAGE_FAILURE`, never its own text (which names database
        internals); an engine crash is logged with its traceback and named with its message."""
        if isinstance(exc, BrokenExecutor):
            log.error("task %s: its engine process died", task_id)
            return ENGINE_DIED, True, 501
        storage = is_storage_fault(exc)
        if storage:
            self.resources.invalidate()
        if isinstance(exc, EngineError) and not storage:
            return exc.message, exc.retryable, exc.code
        log.error("task %s failed:\n%s", task_id, "".join(traceback.format_exception(exc)))
        if storage or not self.resources.ready():
            return STORAGE_FAILURE, False, 500
        return f"Generation failed: {type(exc).__name__}: {exc}", False, 501

    def _sweep_debris(self, task_id: str) -> None:
        """Delete the partial files of a failed task's unfinished tracks and its work folders."""
        with self.db.read() as s:
            tracks = list(s.scalars(select(Track).where(Track.task_id == task_id, Track.state != "complete")))
        for track in tracks:
            self.store.delete(track.stream_key)
            shutil.rmtree(self.settings.data_dir / "work" / track.id, ignore_errors=True)
        shutil.rmtree(self.settings.data_dir / "work" / task_id, ignore_errors=True)

    def _await(self, futures: set[Future[Any]], task_id: str, started: float) -> set[Future[Any]]:
        """Wait until at least one future is done, renewing the lease meanwhile."""
        while True:
            done, _ = wait(futures, timeout=self.cfg.heartbeat_s, return_when=FIRST_COMPLETED)
            if done:
                return done
            if not transitions.heartbeat(self.db, task_id, self.owner, self.cfg.lease_s):
                for f in futures:
                    f.cancel()
                raise _LeaseLost
            if time.monotonic() - started > self.cfg.task_timeout_s:
                for f in futures:
                    f.cancel()
                raise EngineError(f"Generation timed out after {self.cfg.task_timeout_s:.0f} s")

    def _run(self, task_id: str, started: float) -> None:
        with self.db.read() as s:
            task = s.get(Task, task_id)
            if task is None:
                return
            request_json, plan_json, model = task.request_json, task.plan_json, task.model
            operation = task.operation
        target = self.work.get(operation)
        if target is None:
            raise EngineError(f"This server cannot run {operation!r} tasks")
        if target != MUSIC:
            self._run_job(task_id, target, json.loads(request_json), started)
            return
        sources = self._source_paths(request_from_json(request_json))
        if plan_json is None:
            fut = self._submit(_plan_job, _with_sources(request_json, sources))
            plan = _plan_sources(plan_from_json(self._await({fut}, task_id, started).pop().result()), {})
            transitions.record_plan(self.db, task_id, plan, model_name(model))
            plan_json = plan_to_json(plan)
        if sources:
            plan_json = plan_to_json(_plan_sources(plan_from_json(plan_json), sources))
        with self.db.read() as s:
            tracks = list(s.scalars(select(Track).where(Track.task_id == task_id, Track.state != "complete")))
        pending: dict[Future[Any], Track] = {}
        for track in tracks:
            workdir = self.settings.data_dir / "work" / track.id
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            stream = self.store.local_path(track.stream_key)
            fut = self._submit(_render_job, plan_json, track.idx, str(workdir), str(stream))
            pending[fut] = track
        while pending:
            for fut in self._await(set(pending), task_id, started):
                track = pending.pop(fut)
                self._store_track(task_id, track, fut.result())

    def _source_paths(self, request: SongRequest) -> dict[str, str]:
        """Local files of an edit's source track (extend, replace section); none for a new song."""
        paths = {role: self.store.local_path(key) for role, key in request.source.items()}
        missing = [role for role, path in paths.items() if not path.is_file()]
        if missing:
            raise EngineError(f"The source track's files have expired or were deleted ({', '.join(missing)})")
        return {role: str(path) for role, path in paths.items()}

    def _run_job(self, task_id: str, target: str, payload: dict[str, Any], started: float) -> None:
        """Run a job on stored files; its outputs become blobs under ``jobs/<task id>/``."""
        inputs = {name: str(self.store.local_path(key)) for name, key in payload.get("input_keys", {}).items()}
        missing = [name for name, path in inputs.items() if not Path(path).is_file()]
        if missing:
            raise EngineError(f"The source files have expired or were deleted ({', '.join(missing)})")
        workdir = self.settings.data_dir / "work" / task_id
        shutil.rmtree(workdir, ignore_errors=True)
        # Settings-derived context (e.g. the LLM endpoint and its key) is added here, never stored with the task.
        context = dict(self.job_context)
        fut = self._submit(_job, target, {**payload, "inputs": inputs, "context": context}, str(workdir))
        output: JobOutput = self._await({fut}, task_id, started).pop().result()
        keys = {name: f"jobs/{task_id}/{path.name}" for name, path in output.files.items()}
        stored = {keys[name]: self.store.put_file(keys[name], path) for name, path in output.files.items()}
        retention = timedelta(days=self.settings.storage.retention_days)
        transitions.finish_job(self.db, task_id, {"data": output.data, "files": keys}, stored, retention)
        shutil.rmtree(workdir, ignore_errors=True)

    def _store_track(self, task_id: str, track: Track, result: TrackResult) -> None:
        prefix = f"tracks/{track.id}/"
        files = {prefix + "audio.mp3": result.audio_mp3, prefix + result.cover_image.name: result.cover_image,
                 prefix + "score.json": result.score_json}
        files.update({f"{prefix}stems/{p.name}": p for p in result.stems.values()})
        if result.master_audio is not None:
            files[prefix + "master.flac"] = result.master_audio
        stored = {key: self.store.put_file(key, path) for key, path in files.items()}
        stream_size = self.store.local_path(track.stream_key).stat().st_size
        stored[track.stream_key] = stream_size
        retention = timedelta(days=self.settings.storage.retention_days)
        transitions.record_track(self.db, task_id, track.idx, result, stored, retention)
        shutil.rmtree(self.settings.data_dir / "work" / track.id, ignore_errors=True)


class _LeaseLost(Exception):
    pass
