"""Webhook signatures: Standard Webhooks 1.0 headers, plus the kie.ai-compatible pair.

Standard Webhooks: ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed
with the bytes that the ``whsec_``-prefixed base64 secret encodes; receivers verify with any Standard
Webhooks library (e.g. ``standardwebhooks.Webhook(secret).verify(body, headers)``).

kie.ai: ``X-Webhook-Signature`` = base64(HMAC-SHA256(``f"{taskId}.{timestamp}"``)) keyed with the secret
string exactly as the user holds it (UTF-8), as kie.ai clients compute it with their ``webhookHmacKey``.
It covers only the task id and time, not the body, so it is a compatibility aid, not a substitute.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
"""Random bytes in a generated secret (Standard Webhooks allows 24-64)."""
_MIN_SECRET_BYTES = 24
_MAX_SECRET_BYTES = 64


def new_webhook_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def decode_secret(secret: str) -> bytes:
    """The HMAC key a ``whsec_`` secret encodes; ``ValueError`` if the secret is malformed."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"webhook secret must start with {SECRET_PREFIX!r}")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValueError("webhook secret is not valid base64 after the 'whsec_' prefix") from None
    if not _MIN_SECRET_BYTES <= len(key) <= _MAX_SECRET_BYTES:
        raise ValueError(
            f"webhook secret encodes {len(key)} bytes; Standard Webhooks requires "
            f"{_MIN_SECRET_BYTES}-{_MAX_SECRET_BYTES}"
        )
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers for one delivery attempt.

    ``timestamp`` is the attempt time in unix seconds; ``body`` the exact UTF-8 bytes that are sent.
    ``msg_id`` stays the same across retries of one message so receivers can deduplicate.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("webhook body must be UTF-8 (JSON) to be signed") from None
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    signature = Webhook(decode_secret(secret)).sign(msg_id=msg_id, timestamp=when, data=text)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def kie_signature(key: str, task_id: str, timestamp: int) -> str:
    """kie.ai's callback signature: base64(HMAC-SHA256(``f"{task_id}.{timestamp}"``, key as UTF-8))."""
    digest = hmac.new(key.encode("utf-8"), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_kie(key: str, task_id: str, timestamp: int) -> dict[str, str]:
    """kie.ai-compatible headers ``X-Webhook-Timestamp`` and ``X-Webhook-Signature``."""
    return {
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": kie_signature(key, task_id, timestamp),
    }
