"""Synchronous operations (style boost now; persona and timestamped lyrics fit too): the answer is computed
during the request, then the debit and a finished task row are written in one transaction, so every ledger
debit points at an auditable task, as it does for queued operations. A short balance raises
``InsufficientCredits`` and rolls both back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from tunesmith.db.models import Task
from tunesmith.db.session import Database, utcnow
from tunesmith.tasks import accounts
from tunesmith.tasks.service import Submission, new_task_id
from tunesmith.tasks.states import Status


@dataclass(frozen=True)
class Receipt:
    """The recorded task: its id, the request as stored (JSON), the key's balance after the debit and when
    it was created (naive UTC)."""

    task_id: str
    param_json: str
    balance: int
    created_at: datetime


def record_finished(db: Database, sub: Submission, result: dict[str, object]) -> Receipt:
    """Debit ``sub.cost`` and store a SUCCESS task holding ``result`` (no worker ever claims it)."""
    task_id = new_task_id()
    now = utcnow()
    param_json = json.dumps(sub.param, ensure_ascii=False, separators=(",", ":"))
    with db.write() as s:
        balance = accounts.debit(s, sub.key_id, task_id, sub.cost)
        s.add(Task(
            id=task_id, key_id=sub.key_id, operation=sub.operation, status=Status.SUCCESS.value,
            param_json=param_json,
            request_json=sub.request_json, model=sub.model, callback_url=None, source_id=sub.source_id,
            result_json=json.dumps({"data": result}, ensure_ascii=False), cost=sub.cost, attempt=1,
            max_attempts=1, created_at=now, updated_at=now, finished_at=now,
        ))
    return Receipt(task_id, param_json, balance, now)
