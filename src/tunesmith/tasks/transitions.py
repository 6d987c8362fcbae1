"""Small transactional steps of a task's life: claim, heartbeat, stage, finish, fail.

Each is one write transaction with a conditional UPDATE, so duplicates and late reports are no-ops.
A state change and its callback (an outbox row) are written together.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tunesmith.db.models import Blob, OutboxMessage, Task, Track
from tunesmith.db.session import Database, utcnow
from tunesmith.engines.base import SongPlan, TrackResult
from tunesmith.engines.codec import plan_to_json, words_to_json
from tunesmith.tasks import accounts
from tunesmith.tasks.states import ACTIVE, FAILED, Status, sources

CONTENT_TYPES = {".mp3": "audio/mpeg", ".flac": "audio/flac", ".wav": "audio/wav", ".png": "image/png",
                 ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".json": "application/json", ".mid": "audio/midi",
                 ".mp4": "video/mp4"}

_ACTIVE = [s.value for s in ACTIVE]


def claim(db: Database, owner: str, lease_s: float) -> str | None:
    """Lease the oldest claimable task to ``owner``; returns its id or None."""
    now = utcnow()
    with db.write() as s:
        row = s.scalars(
            select(Task).where(
                Task.status.in_(_ACTIVE), Task.attempt < Task.max_attempts,
                or_(Task.lease_expires_at.is_(None), Task.lease_expires_at < now),
            ).order_by(Task.created_at).limit(1).with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.attempt += 1
        row.lease_owner = owner
        row.lease_expires_at = now + timedelta(seconds=lease_s)
        row.heartbeat_at = now
        row.updated_at = now
        return row.id


def heartbeat(db: Database, task_id: str, owner: str, lease_s: float) -> bool:
    """Extend the lease; False when the lease was lost (another worker owns the task now)."""
    now = utcnow()
    with db.write() as s:
        res = s.execute(update(Task).where(Task.id == task_id, Task.lease_owner == owner,
                                           Task.status.in_(_ACTIVE))
                        .values(lease_expires_at=now + timedelta(seconds=lease_s), heartbeat_at=now))
        return bool(res.rowcount)  # type: ignore[attr-defined]


def release(db: Database, task_id: str, owner: str) -> None:
    """Give the lease back so the task can be retried at once."""
    with db.write() as s:
        s.execute(update(Task).where(Task.id == task_id, Task.lease_owner == owner)
                  .values(lease_owner=None, lease_expires_at=None))


def _move(s: Session, task: Task, target: Status, **values: object) -> bool:
    now = utcnow()
    res = s.execute(update(Task).where(Task.id == task.id, Task.status.in_(sources(target)))
                    .values(status=target.value, updated_at=now, **values))
    return bool(res.rowcount)  # type: ignore[attr-defined]


def _outbox(s: Session, task: Task, stage: str, track_ids: list[str] | None = None) -> None:
    if not task.callback_url:
        return
    exists = s.scalar(select(OutboxMessage.id).where(OutboxMessage.task_id == task.id,
                                                     OutboxMessage.stage == stage))
    if exists:
        return
    now = utcnow()
    s.add(OutboxMessage(task_id=task.id, key_id=task.key_id, stage=stage, url=task.callback_url, body="",
                        track_ids=json.dumps(track_ids or []), msg_id=f"msg_{task.id}_{stage}",
                        next_attempt_at=now, created_at=now))


def record_plan(db: Database, task_id: str, plan: SongPlan, model_name: str) -> None:
    """Store the text stage (titles, lyrics, tags), create the track rows, move to TEXT_SUCCESS."""
    now = utcnow()
    with db.write() as s:
        task = s.get(Task, task_id)
        if task is None or task.status not in _ACTIVE or task.plan_json:
            return
        task.plan_json = plan_to_json(plan)
        for t in plan.tracks:
            track_id = str(uuid.uuid4())
            s.add(Track(id=track_id, task_id=task_id, idx=t.index, title=t.title, tags=t.tags,
                        prompt=t.lyrics, model_name=model_name, stream_key=f"tracks/{track_id}/stream.mp3",
                        created_at=now))
        if _move(s, task, Status.TEXT_SUCCESS):
            _outbox(s, task, "text")


def _register_blob(s: Session, key: str, task_id: str, size: int, retention: timedelta) -> None:
    now = utcnow()
    suffix = "." + key.rsplit(".", 1)[-1]
    s.merge(Blob(key=key, task_id=task_id, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
                 size=size, created_at=now, expires_at=now + retention))


def record_track(db: Database, task_id: str, idx: int, result: TrackResult, stored: dict[str, int],
                 retention: timedelta) -> Status | None:
    """Store a finished track; move to FIRST_SUCCESS or SUCCESS. ``stored`` maps blob keys to sizes."""
    now = utcnow()
    with db.write() as s:
        task = s.get(Task, task_id)
        track = s.scalars(select(Track).where(Track.task_id == task_id, Track.idx == idx)).first()
        if task is None or track is None or task.status not in _ACTIVE:
            return None
        prefix = f"tracks/{track.id}/"
        track.state = "complete"
        track.duration = round(result.duration_s, 2)
        track.audio_key = prefix + "audio.mp3"
        track.image_key = prefix + result.cover_image.name
        track.score_key = prefix + "score.json"
        track.stems_json = json.dumps({fam: f"{prefix}stems/{p.name}" for fam, p in result.stems.items()})
        track.words_json = words_to_json(result.words)
        track.stages_json = json.dumps(result.stage_seconds)
        track.completed_at = now
        for key, size in stored.items():
            _register_blob(s, key, task_id, size, retention)
        tracks = s.scalars(select(Track).where(Track.task_id == task_id)).all()
        done = sum(t.state == "complete" for t in tracks)
        if done == len(tracks):
            if _move(s, task, Status.SUCCESS, finished_at=now, lease_owner=None, lease_expires_at=None):
                _outbox(s, task, "complete", [t.id for t in tracks])
                return Status.SUCCESS
        elif _move(s, task, Status.FIRST_SUCCESS):
            _outbox(s, task, "first", [t.id for t in tracks if t.state == "complete"])
            return Status.FIRST_SUCCESS
        return Status(task.status)


def finish_job(db: Database, task_id: str, result: dict[str, object], stored: dict[str, int],
               retention: timedelta) -> bool:
    """Store a job's result (data and output blob keys), move to SUCCESS, queue the callback."""
    now = utcnow()
    with db.write() as s:
        task = s.get(Task, task_id)
        if task is None or task.status not in _ACTIVE:
            return False
        for key, size in stored.items():
            _register_blob(s, key, task_id, size, retention)
        if not _move(s, task, Status.SUCCESS, finished_at=now, lease_owner=None, lease_expires_at=None,
                     result_json=json.dumps(result, ensure_ascii=False)):
            return False
        _outbox(s, task, "complete")
        return True


def fail(db: Database, task_id: str, message: str, *, code: int = 501,
         status: Status = Status.GENERATE_AUDIO_FAILED) -> bool:
    """Fail an active task, refund its credits (once) and queue the error callback."""
    assert status in FAILED
    now = utcnow()
    with db.write() as s:
        task = s.get(Task, task_id)
        if task is None or not _move(s, task, status, error_code=code, error_message=message[:2000],
                                     finished_at=now, lease_owner=None, lease_expires_at=None):
            return False
        s.execute(update(Track).where(Track.task_id == task_id, Track.state != "complete")
                  .values(state="failed"))
        accounts.refund(s, task.key_id, task_id, task.cost)
        _outbox(s, task, "error")
        return True


def reap(db: Database) -> list[str]:
    """Fail (and refund) tasks whose lease expired after their last allowed attempt."""
    now = utcnow()
    with db.read() as s:
        ids = list(s.scalars(select(Task.id).where(
            Task.status.in_(_ACTIVE), Task.attempt >= Task.max_attempts,
            Task.lease_expires_at.is_not(None), Task.lease_expires_at < now)))
    return [i for i in ids if fail(db, i, "The task was interrupted and could not be completed; "
                                          "credits were refunded", code=500)]


def release_all_leases(db: Database) -> int:
    """On start-up of the only server of a data dir, orphaned leases can be taken back at once."""
    with db.write() as s:
        res = s.execute(update(Task).where(Task.status.in_(_ACTIVE), Task.lease_owner.is_not(None))
                        .values(lease_owner=None, lease_expires_at=utcnow()))
        return int(res.rowcount)  # type: ignore[attr-defined]
