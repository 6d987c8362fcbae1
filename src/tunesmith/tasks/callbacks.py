"""The callback dispatcher: delivers outbox rows on its own thread, so a slow or dead receiver never
delays a generation. One attempt plus ``len(retry_delays_s)`` retries, each recorded.

The loop is supervised: a round that fails (the database refuses a write, a disk is full) is logged and the
next one waits longer (:class:`~tunesmith.tasks.health.Backoff`); rows stay queued meanwhile and go out once
the fault clears. The outcome of a delivery that could not be recorded is kept in memory and recorded first
in the next round, so the row is neither sent twice nor holds back its task's later stages."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from tunesmith.config import WebhookSettings
from tunesmith.db.models import ApiKey, DeliveryAttempt, OutboxMessage
from tunesmith.db.session import Database, utcnow
from tunesmith.tasks.health import Backoff
from tunesmith.webhooks.sender import DeliveryOutcome, WebhookSender

log = logging.getLogger(__name__)

BodyRenderer = Callable[[str, str, list[str]], dict[str, object]]
"""(task_id, stage, finished track ids) -> the callback JSON object, rendered by the API layer
(it owns wire shapes)."""

_IN_FLIGHT = timedelta(minutes=10)


class CallbackDispatcher:
    def __init__(self, db: Database, sender: WebhookSender, render: BodyRenderer, cfg: WebhookSettings, *,
                 backoff_max_s: float) -> None:
        self.db, self.sender, self.render, self.cfg = db, sender, render, cfg
        self.backoff_max_s = backoff_max_s
        self._unrecorded: dict[int, DeliveryOutcome] = {}  # delivered, not yet written (the event loop's only)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="tunesmith-callbacks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        backoff = Backoff(self.cfg.poll_s, self.backoff_max_s)
        try:
            while not self._stop.is_set():
                try:
                    busy = await self._round()
                except Exception:  # the dispatcher must outlive any fault: log it, wait longer each time, go on
                    delay = backoff.failed()
                    log.exception("callback round failed; next round in %.1f s", delay)
                    await asyncio.to_thread(self._stop.wait, delay)
                    continue
                backoff.reset()
                if not busy:
                    await asyncio.to_thread(self._wake.wait, self.cfg.poll_s)
                    self._wake.clear()
        finally:
            await self.sender.aclose()

    async def _round(self) -> bool:
        """Deliver the due rows; False when none was due. Raises the first failure of the round."""
        for outbox_id, outcome in list(self._unrecorded.items()):
            await asyncio.to_thread(self._record, outbox_id, outcome)
            del self._unrecorded[outbox_id]
        due = await asyncio.to_thread(self._claim_due)
        results = await asyncio.gather(*(self._deliver(i) for i in due), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]
        return bool(due)

    def _claim_due(self) -> list[int]:
        """Mark due rows in flight (so they are not picked twice) and return their ids."""
        now = utcnow()
        # Per task, only the oldest undelivered stage may go out, so text → first → complete keep order.
        head = (select(func.min(OutboxMessage.id)).where(OutboxMessage.status == "pending")
                .group_by(OutboxMessage.task_id))
        with self.db.write() as s:
            rows = s.scalars(select(OutboxMessage).where(
                OutboxMessage.id.in_(head), OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at).limit(32)).all()
            for row in rows:
                row.next_attempt_at = now + _IN_FLIGHT
                if not row.body:
                    row.body = json.dumps(self.render(row.task_id, row.stage, json.loads(row.track_ids)),
                                          ensure_ascii=False)
            return [r.id for r in rows]

    async def _deliver(self, outbox_id: int) -> None:
        with self.db.read() as s:
            row = s.get(OutboxMessage, outbox_id)
            if row is None:
                return
            secret = s.scalar(select(ApiKey.webhook_secret).where(ApiKey.id == row.key_id)) or ""
            url, body, msg_id, task_id = row.url, row.body, row.msg_id, row.task_id
        outcome = await self.sender.deliver(url, body.encode("utf-8"), msg_id=msg_id, secret=secret,
                                            task_id=task_id)
        self._unrecorded[outbox_id] = outcome
        await asyncio.to_thread(self._record, outbox_id, outcome)
        del self._unrecorded[outbox_id]

    def _record(self, outbox_id: int, outcome: DeliveryOutcome) -> None:
        now = utcnow()
        with self.db.write() as s:
            row = s.get(OutboxMessage, outbox_id)
            if row is None:
                return
            row.attempts += 1
            s.add(DeliveryAttempt(outbox_id=row.id, attempt=row.attempts, at=now,
                                  status_code=outcome.status_code, error=outcome.error,
                                  duration_ms=outcome.duration_ms))
            if outcome.ok:
                row.status = "delivered"
            elif row.attempts > len(self.cfg.retry_delays_s):
                row.status = "failed"
                log.warning("callback %s for task %s failed after %d attempts: %s", row.stage,
                            row.task_id, row.attempts, outcome.error or outcome.status_code)
            else:
                row.next_attempt_at = now + timedelta(seconds=self.cfg.retry_delays_s[row.attempts - 1])
