"""Shared steps of task-creating routes: parse the body, check the callback URL, submit and wake.

A submit is refused with 455 before anything is debited while the server cannot store results (readiness:
disk space, database writability), and when the debit's own write is refused."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from tunesmith.api.deps import Container
from tunesmith.api.errors import validation_message
from tunesmith.api.operations import Kind, cost_of, operation, polled_at
from tunesmith.engines.base import SongRequest
from tunesmith.errors import BadRequest, ServiceUnavailable
from tunesmith.tasks import service
from tunesmith.tasks.accounts import KeyInfo
from tunesmith.tasks.service import TaskView
from tunesmith.webhooks.guard import UnsafeURLError, validate_url

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: dict[str, Any]) -> M:
    """Validate ``body`` against a wire model; the first problem becomes a 400 naming the field."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(validation_message(exc.errors())) from exc


def callback_url(c: Container, url: str | None, field: str = "callBackUrl") -> str | None:
    """The normalised callback URL, refusing unsafe targets at submit time; blank means none."""
    if url is None or not url.strip():
        return None
    try:
        return validate_url(url, c.egress)
    except UnsafeURLError as exc:
        raise BadRequest(f"{field}: {exc}") from exc


def submit_job(c: Container, key: KeyInfo, operation: str, *, param: dict[str, Any], payload: dict[str, Any],
               source_id: str, callback: str | None, model: str = "") -> str:
    """Debit the operation's cost and queue a job task, within the key's task cap; returns its id."""
    _check_kind(operation, Kind.JOB)
    sub = service.Submission(
        key_id=key.id, operation=operation, model=model, param=param,
        request_json=json.dumps(payload, ensure_ascii=False), callback_url=callback,
        cost=cost_of(c.settings, operation), source_id=source_id,
    )
    return _submit(c, sub)


def submit_music(c: Container, key: KeyInfo, operation: str, *, model: str, param: dict[str, Any],
                 request: SongRequest, callback: str | None, parent_music_id: str = "") -> str:
    """Debit the operation's cost and queue a music task (two tracks), within the key's task cap; returns its id."""
    _check_kind(operation, Kind.MUSIC)
    sub = service.Submission.music(
        key_id=key.id, operation=operation, model=model, param=param, request=request, callback_url=callback,
        cost=cost_of(c.settings, operation), parent_music_id=parent_music_id,
        source_id=parent_music_id,
    )
    return _submit(c, sub)


def _submit(c: Container, sub: service.Submission) -> str:
    """Debit and queue ``sub`` if the server can store its work now (else 455, nothing debited); wake a
    worker. Thread liveness is not asked here: the loops are supervised, and ``/readyz`` reports it."""
    resources = c.workers.resources
    unavailable = ServiceUnavailable("The server is temporarily unable to store new work (storage or database "
                                     "unavailable); nothing was charged, please retry later",
                                     retry_after_s=max(1, round(c.settings.health.backoff_max_s)))
    if not resources.ready():
        raise unavailable
    try:
        task_id = service.submit(c.db, sub, max_attempts=c.settings.workers.max_attempts, cap=c.limiter.cap)
    except SQLAlchemyError as exc:  # the debit's transaction rolled back: nothing was charged
        resources.invalidate()
        raise unavailable from exc
    c.workers.wake()
    return task_id


def task_of(c: Container, key: KeyInfo, task_id: str, family: str) -> TaskView:
    """The caller's task ``task_id`` for the ``family`` details endpoint: 400 without an id or when the task's
    operation is not polled there, 404 when it is not this key's."""
    if not task_id:
        raise BadRequest("taskId is required")
    view = service.get(c.db, key.id, task_id)
    if view.task.operation not in polled_at(family):
        label = next(op.label for op in map(operation, sorted(polled_at(family))))
        raise BadRequest(f"task {task_id} is not a {label} task")
    return view


def _check_kind(name: str, kind: Kind) -> None:
    if operation(name).kind is not kind:
        raise TypeError(f"operation {name!r} is not a {kind.value} operation")
