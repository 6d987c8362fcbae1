"""Submitting tasks and reading them back; every state change goes through here or ``transitions``."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tunesmith.db.models import Task, Track
from tunesmith.db.session import Database, utcnow
from tunesmith.engines.base import SongRequest
from tunesmith.engines.codec import request_to_json
from tunesmith.errors import NotFound, TooManyTasks
from tunesmith.tasks import accounts
from tunesmith.tasks.states import ACTIVE, Status


@dataclass(frozen=True)
class TaskView:
    """A task and its tracks, detached from the session, for the API to render."""

    task: Task
    tracks: list[Track]


@dataclass(frozen=True)
class Submission:
    """A task to create. ``request_json`` is the engine request (music tasks) or the job payload."""

    key_id: int
    operation: str
    model: str
    param: dict[str, object]
    request_json: str
    callback_url: str | None
    cost: int
    parent_music_id: str = ""
    source_id: str = ""

    @classmethod
    def music(cls, *, request: SongRequest, **fields: Any) -> Submission:
        return cls(request_json=request_to_json(request), **fields)


@dataclass(frozen=True)
class ActiveCap:
    """At most ``tasks`` queued or running tasks per key (0: no cap); a refused submit is told to come back
    after ``retry_after_s`` seconds."""

    tasks: int = 0
    retry_after_s: int = 30


def new_task_id() -> str:
    return uuid.uuid4().hex


def submit(db: Database, sub: Submission, *, max_attempts: int, cap: ActiveCap = ActiveCap()) -> str:
    """Debit the credits and create the task in one transaction; returns the task id. A short balance raises
    ``InsufficientCredits``, a key at its ``cap`` ``TooManyTasks``; either rolls the whole transaction back."""
    task_id = new_task_id()
    now = utcnow()
    with db.write() as s:
        accounts.debit(s, sub.key_id, task_id, sub.cost)
        _check_cap(s, sub.key_id, cap)
        s.add(Task(
            id=task_id, key_id=sub.key_id, operation=sub.operation, status=Status.PENDING.value,
            param_json=json.dumps(sub.param, ensure_ascii=False, separators=(",", ":")),
            request_json=sub.request_json, model=sub.model, callback_url=sub.callback_url,
            parent_music_id=sub.parent_music_id, source_id=sub.source_id, cost=sub.cost, max_attempts=max_attempts,
            created_at=now, updated_at=now,
        ))
    return task_id


def _check_cap(s: Session, key_id: int, cap: ActiveCap) -> None:
    """Refuse when the key already has ``cap.tasks`` active tasks. Counted after the debit, whose UPDATE holds
    the key's row until commit (SQLite also serialises every writer), so parallel submits of one key count
    one after another and cannot both pass; and a short balance is reported before a full queue."""
    if cap.tasks <= 0:
        return
    active = s.scalar(select(func.count()).select_from(Task).where(
        Task.key_id == key_id, Task.status.in_([state.value for state in ACTIVE])))
    if (active or 0) >= cap.tasks:
        raise TooManyTasks(f"Call limit exceeded: this key already has {active} queued or running tasks (at most "
                           f"{cap.tasks}); retry when one has finished", retry_after_s=cap.retry_after_s)


def get(db: Database, key_id: int | None, task_id: str) -> TaskView:
    """The task of this key (``None``: of any key); another key's task is reported as not found."""
    with db.read() as s:
        task = s.get(Task, task_id) if task_id else None
        if task is None or (key_id is not None and task.key_id != key_id):
            raise NotFound(f"Task not found: {task_id!r}")
        tracks = list(s.scalars(select(Track).where(Track.task_id == task_id).order_by(Track.idx)))
        return TaskView(task, tracks)


def get_track(db: Database, track_id: str) -> tuple[Task, Track] | None:
    with db.read() as s:
        track = s.get(Track, track_id)
        if track is None:
            return None
        task = s.get(Task, track.task_id)
        return (task, track) if task else None


def find_by_source(db: Database, key_id: int, operation: str, source_id: str) -> Task | None:
    """This key's most recent task of ``operation`` on ``source_id`` (for "already exists" answers)."""
    with db.read() as s:
        return s.scalars(select(Task).where(Task.key_id == key_id, Task.operation == operation,
                                            Task.source_id == source_id)
                         .order_by(Task.created_at.desc()).limit(1)).first()


def owned_track(db: Database, key_id: int, task_id: str, audio_id: str | None = None,
                index: int | None = None) -> tuple[Task, Track]:
    """A finished track of this key's task, by ``audio_id`` (wins) or position ``index``."""
    view = get(db, key_id, task_id)
    tracks = view.tracks
    if audio_id:
        found = [t for t in tracks if t.id == audio_id]
    elif index is not None:
        found = [t for t in tracks if t.idx == index]
    else:
        found = tracks[:1]
    if not found:
        raise NotFound(f"Track not found: {audio_id or index!r} in task {task_id!r}")
    if found[0].state != "complete":
        raise NotFound(f"Track {found[0].id} of task {task_id} is not finished yet")
    return view.task, found[0]


def track_by_id(db: Database, key_id: int, audio_id: str) -> tuple[Task, Track]:
    """A finished track of this key by its audioId alone."""
    found = get_track(db, audio_id) if audio_id else None
    if found is None or found[0].key_id != key_id:
        raise NotFound(f"Track not found: {audio_id!r}")
    if found[1].state != "complete":
        raise NotFound(f"Track {audio_id} is not finished yet")
    return found
