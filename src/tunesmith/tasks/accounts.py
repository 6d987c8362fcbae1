"""API keys and the credit ledger.

Keys are ``sk_`` + 32 random bytes; only their SHA-256 is stored (slow hashes buy nothing for 256-bit
random secrets). Every balance change writes a ledger row; the debit is a conditional UPDATE so it is
atomic under concurrent submits, and ``UNIQUE(task_id, reason)`` makes a refund happen at most once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tunesmith.db.models import ApiKey, LedgerEntry
from tunesmith.db.session import Database, utcnow
from tunesmith.errors import BadRequest, InsufficientCredits, NotFound, Unauthorized
from tunesmith.webhooks.signing import new_webhook_secret

KEY_PREFIX = "sk_"


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    prefix: str
    credits: int
    webhook_secret: str
    created_at: datetime
    revoked_at: datetime | None


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(row.id, row.name, row.prefix, row.credits, row.webhook_secret, row.created_at, row.revoked_at)


def create_key(db: Database, *, credits: int, name: str = "") -> tuple[str, KeyInfo]:
    """Create a key with an opening balance; returns the raw key (shown once) and its record."""
    if credits < 0:
        raise BadRequest("credits must be >= 0")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with db.write() as s:
        row = ApiKey(name=name, prefix=raw[:10], key_hash=hash_key(raw), credits=credits,
                     webhook_secret=new_webhook_secret(), created_at=now)
        s.add(row)
        s.flush()
        s.add(LedgerEntry(key_id=row.id, delta=credits, reason="grant", balance_after=credits,
                          note="opening balance", created_at=now))
        return raw, _info(row)


def list_keys(db: Database) -> list[KeyInfo]:
    with db.read() as s:
        return [_info(r) for r in s.scalars(select(ApiKey).order_by(ApiKey.id))]


def _find(s: Session, ident: str) -> ApiKey:
    """Find a key by numeric id or display prefix."""
    stmt = select(ApiKey).where(ApiKey.id == int(ident)) if ident.isdigit() else select(ApiKey).where(
        ApiKey.prefix == ident[:10])
    row = s.scalars(stmt).first()
    if row is None:
        raise NotFound(f"no API key {ident!r}")
    return row


def revoke_key(db: Database, ident: str) -> KeyInfo:
    with db.write() as s:
        row = _find(s, ident)
        row.revoked_at = row.revoked_at or utcnow()
        return _info(row)


def adjust_credits(db: Database, ident: str, delta: int, note: str = "") -> KeyInfo:
    """Add (or with a negative delta remove) credits; the balance never goes below zero."""
    with db.write() as s:
        row = _find(s, ident)
        if row.credits + delta < 0:
            raise BadRequest(f"balance {row.credits} cannot go below zero")
        row.credits += delta
        s.add(LedgerEntry(key_id=row.id, delta=delta, reason="adjust", balance_after=row.credits,
                          note=note, created_at=utcnow()))
        return _info(row)


def authenticate(db: Database, raw: str | None) -> KeyInfo:
    if not raw:
        raise Unauthorized("You do not have access permissions: missing Authorization: Bearer <API key>")
    with db.read() as s:
        row = s.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(raw))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("You do not have access permissions: the API key is invalid or revoked")
    return _info(row)


def balance(db: Database, key_id: int) -> int:
    with db.read() as s:
        return int(s.scalar(select(ApiKey.credits).where(ApiKey.id == key_id)) or 0)


def debit(s: Session, key_id: int, task_id: str, cost: int) -> int:
    """Debit ``cost`` inside the caller's write transaction; raises if the balance is short."""
    new = s.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.credits >= cost)
        .values(credits=ApiKey.credits - cost).returning(ApiKey.credits)
    ).scalar()
    if new is None:
        raise InsufficientCredits("The current credits are insufficient. Please top up.")
    s.add(LedgerEntry(key_id=key_id, task_id=task_id, delta=-cost, reason="debit", balance_after=new,
                      created_at=utcnow()))
    return int(new)


def refund(s: Session, key_id: int, task_id: str, cost: int) -> None:
    """Refund a task's debit inside the caller's transaction, at most once per task."""
    done = s.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.task_id == task_id, LedgerEntry.reason == "refund"))
    if done or cost <= 0:
        return
    new = s.execute(update(ApiKey).where(ApiKey.id == key_id).values(credits=ApiKey.credits + cost)
                    .returning(ApiKey.credits)).scalar_one()
    s.add(LedgerEntry(key_id=key_id, task_id=task_id, delta=cost, reason="refund", balance_after=new,
                      created_at=utcnow()))


def ledger_balances(db: Database) -> dict[int, tuple[int, int]]:
    """Per key: (balance column, sum of ledger deltas). They are equal when the books balance."""
    with db.read() as s:
        sums = {int(k): int(v) for k, v in s.execute(select(LedgerEntry.key_id, func.sum(LedgerEntry.delta))
                              .group_by(LedgerEntry.key_id)).all()}
        return {k.id: (k.credits, int(sums.get(k.id, 0))) for k in s.scalars(select(ApiKey))}
